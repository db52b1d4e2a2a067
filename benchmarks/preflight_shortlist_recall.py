"""How many of the promise matcher's matches the preflight's shortlist keeps, on the airline set.

The preflight reads at most ``MAX_READ`` messages with MiniLM, the ones nearest the claim by the
analysis engine's distilled sentence vectors. This encodes every tweet of ``airline_dev.csv`` with
MiniLM (slow: minutes on two cores), finds the matches of three claims over all of them, and
prints what share the nearest 500 to 5,000 by the distilled vectors hold. Prints one JSON object.

    .venv/bin/python benchmarks/preflight_shortlist_recall.py
"""

import csv
import json
import time
from pathlib import Path

import numpy as np

from ombuds.enrichment.engine import load_default_engine
from ombuds.promises import matching
from ombuds.promises.encoder import default_encoder

with (Path(__file__).resolve().parents[2] / "shared" / "data" / "airline_dev.csv").open() as file:
    rows = [r["text"] for r in csv.DictReader(file)]
claims = ["On time, every time", "Your refund arrives within five days", "Your bags arrive with you"]
enc = default_encoder()
t = time.perf_counter()
vecs = enc.encode(rows)
full = time.perf_counter() - t

f = load_default_engine().embedding.featurizer
t = time.perf_counter()
dist = f.sentence_vectors(f.transform(rows))
dtime = time.perf_counter() - t
out = {"encode_seconds": full, "distilled_seconds": dtime, "n": len(rows)}
for claim in claims:
    m = matching.Matcher.build(enc, [matching.PromiseSpec("d", claim)])
    scores = (vecs @ m.promise_matrix.T)[:, 0]
    hits = set(np.nonzero(scores >= matching.MATCH_THRESHOLD)[0].tolist())
    views = matching.promise_views(claim)
    dv = f.sentence_vectors(f.transform(views)).mean(axis=0)
    dv = dv / np.linalg.norm(dv)
    ds = dist @ dv
    order = np.argsort(-ds)
    rec = {}
    for k in (500, 1000, 2000, 3000, 5000):
        top = set(order[:k].tolist())
        rec[k] = round(len(hits & top) / max(len(hits), 1), 3)
    out[claim] = {"matches": len(hits), "recall_at": rec}
print(json.dumps(out, indent=1))
