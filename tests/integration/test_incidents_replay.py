"""`ombuds replay`: a timestamped data set goes through the pipeline on its own clock; incidents come out.

The JSON it prints is a contract other programs read: one object with ``incidents``, each with
exactly brand, opened_at (ISO 8601 with offset), signal, severity, mention_count and
representative_text.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ombuds.cli import app
from ombuds.incidents.models import Incident
from ombuds.mentions.timestamps import parse_timestamp
from ombuds.settings import get_settings
from tests.conftest import shared_data

pytestmark = pytest.mark.slow

CONTRACT_KEYS = {"brand", "opened_at", "signal", "severity", "mention_count", "representative_text"}


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder of the test's own; replays must not touch it unless told to keep results."""
    data_dir = tmp_path / "var"
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(data_dir))
    monkeypatch.delenv("OMBUDS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


def replay(*args: str | Path) -> Result:
    return CliRunner().invoke(app, ["replay", *map(str, args)])


def incidents_of(result: Result) -> list[dict[str, object]]:
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert set(printed) == {"incidents"}
    for incident in printed["incidents"]:
        assert set(incident) == CONTRACT_KEYS
        opened = datetime.fromisoformat(incident["opened_at"])
        assert opened.utcoffset() is not None
        assert isinstance(incident["mention_count"], int)
        assert incident["mention_count"] >= 1
    return list(printed["incidents"])


@pytest.fixture
def spotify_with_burst(tmp_path: Path) -> tuple[Path, datetime]:
    """Three days of real SpotifyCares requests as a generic CSV, forty people echoing one on day three."""
    with shared_data("twcs_spotifycares_inbound_dev.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["at"] = parse_timestamp(row["created_at"])
    start = datetime.fromisoformat("2017-10-04T00:00:00+00:00")
    days = sorted((r for r in rows if start <= r["at"] < start + timedelta(days=3)), key=lambda r: r["at"])
    rng = random.Random(7)
    quoted = next(r for r in days if r["at"] > start + timedelta(days=2) and len(r["text"]) > 60)
    burst_start = start + timedelta(days=2, hours=8)
    path = tmp_path / "requests.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["external_id", "author", "text", "created_at"])
        for row in days:
            writer.writerow([row["tweet_id"], row["author_id"], row["text"], row["at"].isoformat()])
        for index in range(40):
            at = burst_start + timedelta(seconds=rng.uniform(0, 1800) if index else 0)
            text = f"{rng.choice(['wow', 'this', 'same', 'ugh', '+1'])} “{quoted['text']}”"
            writer.writerow([f"echo-{index}", f"echo{index}", text, at.isoformat()])
    return path, burst_start


def test_a_burst_in_a_replayed_stream_is_reported_in_the_contract_s_shape(
    isolated: Path, spotify_with_burst: tuple[Path, datetime]
) -> None:
    path, burst_start = spotify_with_burst
    incidents = incidents_of(replay(path, "--preset", "generic", "--brand", "spotifycares", "--json"))
    assert len(incidents) == 1
    (incident,) = incidents
    assert incident["brand"] == "spotifycares"
    opened = datetime.fromisoformat(str(incident["opened_at"]))
    assert burst_start <= opened <= burst_start + timedelta(minutes=15)
    assert incident["signal"] in {"cluster", "volume"}
    assert incident["severity"] in {"low", "medium", "high", "critical"}
    assert int(str(incident["mention_count"])) >= 35
    assert "“" in str(incident["representative_text"])
    assert not (isolated / "ombuds.db").exists(), "a replay uses a temporary database unless told to keep it"


def test_keep_replays_into_the_configured_database(
    isolated: Path,
    spotify_with_burst: tuple[Path, datetime],
    session_factory: sessionmaker[Session],
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OMBUDS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    path, _ = spotify_with_burst
    incidents = incidents_of(replay(path, "--preset", "generic", "--brand", "acme", "--json", "--keep"))
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == len(incidents) == 1


def test_the_airline_preset_takes_each_row_s_airline_as_its_brand(isolated: Path, tmp_path: Path) -> None:
    """JetBlue's (the data set's "Delta") backfired post, and American's stream starting mid-week."""
    with shared_data("airline_dev.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames
        assert columns is not None
        rows = [row for row in reader if row["airline"] in ("Delta", "American")]
    path = tmp_path / "two_airlines.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    incidents = incidents_of(replay(path, "--preset", "airline", "--json"))
    assert {str(i["brand"]) for i in incidents} <= {"Delta", "American"}
    first_quote = min(parse_timestamp(r["tweet_created"]) for r in rows if "on fleek" in r["text"].lower())
    fleek = [i for i in incidents if "fleek" in str(i["representative_text"]).lower()]
    assert len(fleek) == 1
    assert datetime.fromisoformat(str(fleek[0]["opened_at"])) - first_quote <= timedelta(minutes=15)
    american_start = min(
        parse_timestamp(r["tweet_created"])
        for r in rows
        if r["airline"] == "American" and r["tweet_created"] >= "2015-02-22"
    )
    assert not [
        i
        for i in incidents
        if i["brand"] == "American"
        and datetime.fromisoformat(str(i["opened_at"])) < american_start + timedelta(days=1)
    ]


def test_unusable_options_and_files_get_one_clear_error(isolated: Path, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("external_id,author,text,created_at\n1,a,hello,2024-01-01T00:00:00+00:00\n")
    both = replay(path, "--brand", "a", "--brand-col", "b", "--json")
    assert both.exit_code != 0
    assert "not both" in both.output
    missing = replay(tmp_path / "nope.csv", "--brand", "a")
    assert missing.exit_code != 0
    assert "no such file" in missing.output
    no_brand = replay(path, "--preset", "generic", "--json")
    assert no_brand.exit_code != 0
    assert "--brand" in no_brand.output
    wrong_column = replay(path, "--preset", "generic", "--brand-col", "company", "--json")
    assert wrong_column.exit_code != 0
    assert "company" in wrong_column.output


def test_skipped_records_are_named_by_line_and_reason_and_columns_can_be_mapped(
    isolated: Path, tmp_path: Path
) -> None:
    """A replay says where and why it skipped records, as an import's rejects file does, and takes
    --map as its advice about missing columns says."""
    path = tmp_path / "mixed.csv"
    path.write_text(
        "id,who,text,created_at\n"
        "1,ana,the app logs me out,2024-01-01T00:00:00+00:00\n"
        "2,ben,,2024-01-01T00:01:00+00:00\n"
        "3,cai,playlists gone,yesterday\n"
        "4,dee,offline mode broken,2024-01-01T00:03:00+00:00\n",
        encoding="utf-8",
    )
    unmapped = replay(path, "--brand", "acme")
    assert unmapped.exit_code != 0
    assert "--map COLUMN=FIELD" in unmapped.output

    result = replay(path, "--brand", "acme", "--map", "id=external_id", "--map", "who=author")
    assert result.exit_code == 0, result.output
    assert "2 mentions of 1 brand(s) replayed; 2 unusable records skipped" in result.output
    assert "skipped line 3, column 'text':" in result.output
    assert "skipped line 4, column 'created_at':" in result.output
