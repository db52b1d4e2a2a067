"""Write the files behind the promise-matching figures in docs/promises.md.

    .venv/bin/python scripts/promise_eval_files.py ../shared/data/airline_dev.csv OUT_DIR

Splits the airline development file (rows with one of the nine negative reasons, "Can't Tell"
left out) into ``tune.csv`` (65 %, used while choosing the method) and ``report.csv`` (35 %, used
only for the reported figures) by a salted hash of ``tweet_id``, and writes three wordings of the
nine promises (``wording-descriptive.yaml``, ``wording-slogans.yaml``, ``wording-paraphrase.yaml``).
The paraphrase wording was written before any result was seen and never used for tuning.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

import yaml

WORDINGS = {
    "descriptive": {
        "Late Flight": "Our flights leave and arrive on time",
        "Cancelled Flight": "Your flight goes ahead as planned; we don't cancel on you",
        "Lost Luggage": "Your bags arrive with you",
        "Damaged Luggage": "We handle your luggage with care",
        "Flight Attendant Complaints": "Our crews treat you like family",
        "Customer Service Issue": "Friendly support that answers in minutes",
        "Bad Flight": "A comfortable flight with good seats, food and entertainment",
        "Flight Booking Problems": "Booking and changing a trip online is easy",
        "longlines": "No long queues at check-in or security",
    },
    "slogans": {
        "Late Flight": "On time, every time",
        "Cancelled Flight": "Flights you can count on",
        "Lost Luggage": "We never lose a bag",
        "Damaged Luggage": "Your suitcase arrives in one piece",
        "Flight Attendant Complaints": "Warm, attentive cabin staff",
        "Customer Service Issue": "Customer care that really cares",
        "Bad Flight": "Enjoy every minute on board",
        "Flight Booking Problems": "Book your trip in seconds",
        "longlines": "Skip the lines",
    },
    "paraphrase": {
        "Late Flight": "Punctual departures and arrivals",
        "Cancelled Flight": "Your flight will always operate",
        "Lost Luggage": "Checked baggage always reaches your destination",
        "Damaged Luggage": "Your belongings are safe with us",
        "Flight Attendant Complaints": "Courteous and helpful flight attendants",
        "Customer Service Issue": "Our agents resolve your issue quickly",
        "Bad Flight": "A pleasant, relaxing journey in the air",
        "Flight Booking Problems": "Reservations made simple",
        "longlines": "Quick and easy airport experience with no waiting",
    },
}


def bucket(key: str) -> int:
    return int(hashlib.sha256(f"inner:{key}".encode()).hexdigest()[:8], 16) % 100


def main(source: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    labels = set(WORDINGS["descriptive"])
    with source.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["negativereason"] in labels]
    for name, keep in (("tune", lambda b: b < 65), ("report", lambda b: b >= 65)):
        with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["tweet_id", "text", "negativereason"])
            for row in rows:
                if keep(bucket(row["tweet_id"])):
                    writer.writerow([row["tweet_id"], row["text"], row["negativereason"]])
    for wording, texts in WORDINGS.items():
        promises = [
            {"id": label.lower().replace(" ", "-"), "text": text, "label": label}
            for label, text in texts.items()
        ]
        (out / f"wording-{wording}.yaml").write_text(
            yaml.safe_dump(promises, sort_keys=False), encoding="utf-8"
        )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
