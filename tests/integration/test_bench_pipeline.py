"""``ombuds bench pipeline``: the JSON contract automated checks read, on a few hundred mentions."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ombuds_lab.pipeline_bench import load_mentions, run_pipeline_benchmark

OMBUDS = Path(sys.executable).with_name("ombuds")
KEYS = {"mentions", "seconds", "messages_per_second", "p50_ms", "p95_ms"}
COMPLAINTS = [
    "@Skyways my bag never arrived in Denver, third day now",
    "@Skyways flight 212 delayed again and nobody at the gate knows why",
    "@Skyways thanks for the upgrade, lovely crew today!",
    "@Skyways how do I change my seat without paying twice?",
    "RT @someone: @Skyways lost my luggage too",
]


@pytest.fixture(scope="module")
def tweets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Airline-shaped tweets: 60 messages from 20 people over an afternoon."""
    path = tmp_path_factory.mktemp("bench") / "tweets.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["tweet_id", "airline_sentiment", "airline", "name", "retweet_count", "text", "tweet_created"]
        )
        for n in range(60):
            minute = n % 60
            writer.writerow(
                [
                    str(570_000_000 + n),
                    "negative",
                    "Skyways",
                    f"traveller{n % 20}",
                    "0",
                    COMPLAINTS[n % len(COMPLAINTS)],
                    f"2015-02-24 13:{minute:02d}:00 -0800",
                ]
            )
    return path


def test_the_file_comes_round_again_a_week_later_under_new_ids(tweets: Path) -> None:
    mentions = [incoming.mention for incoming in load_mentions(tweets, 150)]
    assert len({m.external_id for m in mentions}) == 150
    assert [m.created_at for m in mentions] == sorted(m.created_at for m in mentions)
    first, again = mentions[0], mentions[60]
    assert again.text == first.text
    assert again.author_handle == first.author_handle
    assert (again.created_at - first.created_at).days >= 7


def test_bench_pipeline_answers_the_contract_in_json(tweets: Path) -> None:
    done = subprocess.run(
        [str(OMBUDS), "bench", "pipeline", "--mentions", "150", "--from", str(tweets), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == KEYS
    assert result["mentions"] == 150
    assert result["seconds"] > 0
    assert result["messages_per_second"] == pytest.approx(150 / result["seconds"], rel=0.02)
    assert 0 < result["p50_ms"] <= result["p95_ms"]
    assert done.stderr == ""  # --json: no progress bar


def test_a_steady_rate_feeds_every_mention_and_times_those_that_reach_the_inbox(tweets: Path) -> None:
    result = run_pipeline_benchmark(count=60, rate=200, data_file=tweets)
    assert result.mentions == 60
    assert result.seconds >= 0.2  # 60 mentions at 200 a second take at least 0.3 s to arrive, less a tick
    assert 0 < result.p50_ms <= result.p95_ms
