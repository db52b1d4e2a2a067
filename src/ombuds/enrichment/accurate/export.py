"""Exporting a saved accurate model for reading: ONNX, with int8 weights where that keeps its labels.

Run once when a model is saved (``ombuds train --accurate``); reading then needs neither torch
nor transformers (``onnx_reading``). The encoder and mean pooling go into one ONNX graph
(exported with eager attention, whose pattern ONNX Runtime's BERT optimizer fuses into its
Attention, SkipLayerNormalization and BiasGelu kernels: twice as fast on the CPU as the graph
left unfused); the heads stay plain arrays in ``heads.npz``.

Then the weights are quantized to int8 (``quantize_dynamic``, per output column: about 1.5 times
as fast again and a quarter of the size), and both exports read the comparison texts beside torch: the int8 export
is kept only if every head gives torch's label on nearly all of them (``KEEPS_QUALITY``: 99.9 %),
else the float one (99 %), else none (torch keeps reading). ``model.json`` records the
choice and the agreements, and the version stamped on rows says it (``minilm-ft-….int8``).
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ombuds.enrichment.accurate.onnx_reading import EXPORTS, TOKENIZER, OnnxEncoder
from ombuds.enrichment.accurate.recipe import (
    INT8,
    ONNX_FLOAT,
    TORCH,
    agreement,
    choose_reading,
)
from ombuds.enrichment.accurate.tuning import HEADS, MANIFEST, AccurateModel
from ombuds.enrichment.artifacts import read_arrays
from ombuds.enrichment.linear import LinearModel

#: The ONNX operator set written (ONNX Runtime reads it; its BERT fusions know it).
OPSET = 17
#: At most this many texts are read three ways to choose the export (a minute or two on two cores).
COMPARE_AT_MOST = 1000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Export:
    """What the export chose and why: the reading, each head's agreement per export, the cost."""

    reading: str
    agreements: dict[str, dict[str, float]]
    compared: int
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {
            "reading": self.reading,
            "file": EXPORTS.get(self.reading),
            "agreement_with_torch": self.agreements,
            "compared_on": self.compared,
            "seconds": round(self.seconds, 1),
        }


class _QuantizerNote(logging.Filter):
    """Drops ONNX Runtime's advice to pre-process before quantizing (meant for image models)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


@contextmanager
def _quietly() -> Iterator[None]:
    """The exporters' deprecation and tracing notes are not the operator's concern."""
    note = _QuantizerNote()
    root = logging.getLogger()
    root.addFilter(note)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.removeFilter(note)


def write_onnx(directory: Path, target: Path) -> Path:
    """The folder's encoder with mean pooling as one fused float ONNX graph, written to ``target``."""
    import torch
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel

    from ombuds.enrichment.accurate.tuning import _offline

    _offline()
    encoder = AutoModel.from_pretrained(str(directory), local_files_only=True, attn_implementation="eager")
    encoder.eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled: torch.Tensor = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return pooled

    example = (torch.tensor([[101, 7592, 102], [101, 102, 0]]), torch.tensor([[1, 1, 1], [1, 1, 0]]))
    with _quietly(), tempfile.TemporaryDirectory() as scratch:
        unfused = Path(scratch) / "unfused.onnx"
        torch.onnx.export(
            Pooled().eval(),
            example,
            str(unfused),
            input_names=["input_ids", "attention_mask"],
            output_names=["pooled"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "pooled": {0: "batch"},
            },
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and gives a fusable graph
        )
        fused = optimize_model(
            str(unfused),
            model_type="bert",
            num_heads=int(encoder.config.num_attention_heads),
            hidden_size=int(encoder.config.hidden_size),
        )
        fused.save_model_to_file(str(target))
    return target


def write_int8(source: Path, target: Path) -> Path:
    """``source`` with its weights quantized to int8 (activations quantized as each pass runs)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quietly():
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            # one scale per output column: per tensor, an untuned MiniLM's vectors kept a cosine of
            # 0.90 at worst with float's on 640 tweets; per column 0.977 (mean 0.990), as fast
            per_channel=True,
            # the fused operators carry no type the quantizer can infer: they are float
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    return target


def _labels(heads: dict[str, LinearModel], vectors: npt.NDArray[np.float32]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, head in heads.items():
        picks = head.probabilities(vectors).argmax(axis=1).tolist()
        found[name] = [head.classes[index] for index in picks]
    return found


def _spread(texts: Sequence[str], at_most: int) -> list[str]:
    """Up to ``at_most`` distinct texts taken evenly from the whole list (not only its start)."""
    distinct = list(dict.fromkeys(texts))
    step = max(1, len(distinct) // at_most)
    return distinct[::step][:at_most]


def comparison_texts(
    unseen: Sequence[str], examples: Sequence[str], at_most: int = COMPARE_AT_MOST
) -> list[str]:
    """What the exports are compared on: texts the model never learnt first (the brand's recent
    mentions: what it will read, and where int8's small changes move labels most), then its
    examples spread evenly, ``at_most`` in all."""
    chosen = list(dict.fromkeys(unseen))[:at_most]
    taken = set(chosen)
    return chosen + _spread([text for text in examples if text not in taken], at_most - len(chosen))


def export_for_inference(
    directory: Path, texts: Sequence[str], *, threads: int, compare_at_most: int = COMPARE_AT_MOST
) -> Export:
    """Export the model saved in ``directory``, keep the fastest export that reads as torch does.

    ``texts`` are what the exports are compared on (``comparison_texts``; at most
    ``compare_at_most`` of them, spread over the list). Updates ``model.json``; the export not
    chosen is removed.
    """
    started = time.perf_counter()
    manifest_path = directory / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    arrays = read_arrays(directory / HEADS)
    heads = {name: LinearModel.from_arrays(arrays, f"{name}/") for name in manifest["heads"]}
    max_tokens = int(manifest["recipe"]["max_tokens"])
    sample = _spread(texts, compare_at_most)

    write_onnx(directory, directory / EXPORTS[ONNX_FLOAT])
    write_int8(directory / EXPORTS[ONNX_FLOAT], directory / EXPORTS[INT8])
    trained = _labels(
        heads, AccurateModel.load(directory, threads=threads, reading=TORCH).encoder.transform(sample)
    )
    agreements: dict[str, dict[str, float]] = {}
    for reading, file in EXPORTS.items():
        encoder = OnnxEncoder.load(
            directory / file, directory / TOKENIZER, max_tokens=max_tokens, threads=threads
        )
        exported = _labels(heads, encoder.transform(sample))
        agreements[reading] = {name: round(agreement(trained[name], exported[name]), 4) for name in heads}
    reading = choose_reading(agreements)
    for kind, file in EXPORTS.items():
        if kind != reading:
            (directory / file).unlink()
    if reading == TORCH:
        log.warning(
            "%s: no export reads as the trained model does (%s); torch reads it", directory, agreements
        )
    found = Export(reading, agreements, len(sample), time.perf_counter() - started)
    manifest["inference"] = found.as_dict()
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return found
