"""`ombuds import`: every record is accounted for, nothing is stored twice, bad rows are explained.

Runs the real command in-process against the test's database (SQLite and PostgreSQL).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ombuds.accounts.models import Brand
from ombuds.cli import app
from ombuds.events import Event
from ombuds.mentions.models import Direction, Mention, Source, Stage
from ombuds.settings import get_settings
from tests.conftest import shared_data

Import = Callable[..., Result]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


@pytest.fixture
def ombuds_import(database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Import]:
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("OMBUDS_DATABASE_URL", database_url)
    get_settings.cache_clear()

    def run(*args: str | Path) -> Result:
        return CliRunner().invoke(app, ["import", *map(str, args)])

    yield run
    get_settings.cache_clear()


def summary_of(result: Result) -> dict[str, object]:
    assert result.exit_code == 0, result.output
    summary: dict[str, object] = json.loads(result.stdout)
    assert set(summary) == {"read", "imported", "duplicates", "rejected", "rejects_path"}
    assert summary["read"] == summary["imported"] + summary["duplicates"] + summary["rejected"]  # type: ignore[operator]
    return summary


def counts(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with factory() as session:
        return (
            session.scalar(select(func.count()).select_from(Mention)) or 0,
            session.scalar(select(func.count()).select_from(Source)) or 0,
            session.scalar(select(func.count()).select_from(Event)) or 0,
        )


def test_importing_the_airline_file_accounts_for_every_row_and_a_second_import_adds_nothing(
    ombuds_import: Import, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    path = shared_data("airline_dev.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    distinct_ids = {row["tweet_id"] for row in rows}

    first = summary_of(ombuds_import(path, "--brand", brand.slug, "--preset", "airline", "--json"))
    second = summary_of(ombuds_import(path, "--brand", brand.slug, "--preset", "airline", "--json"))

    assert first["read"] == len(rows)
    assert first["rejected"] == 0
    assert first["rejects_path"] is None
    assert first["imported"] == len(distinct_ids)
    assert first["duplicates"] == len(rows) - len(distinct_ids)
    assert second == {**first, "imported": 0, "duplicates": len(rows)}
    content = path.read_bytes()
    with session_factory() as session:
        mentions = session.scalars(select(Mention).order_by(Mention.id)).all()
        assert len(mentions) == len(distinct_ids)
        assert {m.stage for m in mentions} == {Stage.INGESTED}
        assert {m.raw_format for m in mentions} == {"csv"}
        # Each raw payload is a whole record of the file, byte for byte, in file order.
        at = content.index(b"\n") + 1
        for mention in mentions:
            found = content.find(mention.raw, at)
            assert found >= 0, mention.external_id
            assert content[found - 1 : found] == b"\n"
            assert content[found + len(mention.raw) : found + len(mention.raw) + 1] == b"\n"
            at = found + len(mention.raw)
        assert sum(b"\n" in m.raw for m in mentions) > 0, "multi-line tweets keep their line breaks"


def write_broken_csv(path: Path) -> dict[str, bytes]:
    """A generic export with one good record, one good multi-line record and many broken ones."""
    when = b"2017-10-31T22:10:47+00:00"
    records = {
        "good": b"g1,ana,The crew were lovely," + when + b",10",
        "no text": b"b1,bo,," + when + b",5",
        "bad date": b"b2,cy,Lost my bag,31/10/2017 09:00,5",
        "latin-1": b"b3,di,caf\xe9 was cold," + when + b",5",
        "long handle": b"b4," + b"e" * 201 + b",Handle too long," + when + b",5",
        "multi-line": b'g2,fay,"First line\nsecond ""quoted"" line\r\nthird line",2017-10-31T23:00:00Z,7',
        "long text": b"b5,gus," + b"x" * 50_001 + b"," + when + b",1",
        "no id": b",hal,Nobody numbered me," + when + b",1",
        "short row": b"b6,ida,only three fields",
        "followers": b"b7,jo,Hello," + when + b",lots",
        "repeat": b"g1,ana,The crew were lovely," + when + b",10",
    }
    path.write_bytes(b"external_id,author,text,created_at,followers\n" + b"\n".join(records.values()) + b"\n")
    return records


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8", errors="surrogateescape") as handle:
        return list(csv.DictReader(handle))


def test_broken_rows_are_reported_with_their_line_and_reason_and_the_good_ones_are_imported(
    ombuds_import: Import,
    session_factory: sessionmaker[Session],
    brand: Brand,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.csv"
    records = write_broken_csv(path)

    summary = summary_of(ombuds_import(path, "--brand", brand.slug, "--json"))

    assert summary["read"] == len(records)
    assert (summary["imported"], summary["duplicates"], summary["rejected"]) == (2, 1, 8)
    rejects_path = Path(str(summary["rejects_path"]))
    assert rejects_path.parent == data_dir / "rejects"
    rejects = read_rejects(rejects_path)
    assert [(row["line"], row["column"]) for row in rejects] == [
        ("3", "text"),
        ("4", "created_at"),
        ("5", "text"),
        ("6", "author"),
        ("10", "text"),
        ("11", "external_id"),
        ("12", ""),
        ("13", "followers"),
    ]
    reasons = [row["reason"] for row in rejects]
    assert reasons[0] == "text: missing (column 'text' is empty)"
    assert reasons[1].startswith("created_at: cannot read '31/10/2017 09:00'")
    assert reasons[2] == "invalid UTF-8 bytes in column 'text'"
    assert reasons[3] == "author: String should have at most 200 characters"
    assert reasons[4] == "text: String should have at most 50000 characters"
    assert reasons[5] == "external_id: missing (column 'external_id' is empty)"
    assert reasons[6] == "3 fields where the header has 5"
    assert reasons[7] == "followers: 'lots' is not a number"
    originals = [row["record"].encode("utf-8", errors="surrogateescape") for row in rejects]
    assert originals[2] == records["latin-1"]
    assert originals[4] == records["long text"]
    with session_factory() as session:
        stored = {m.external_id: m for m in session.scalars(select(Mention))}
        assert set(stored) == {"g1", "g2"}
        assert stored["g2"].raw == records["multi-line"]
        assert stored["g2"].text == 'First line\nsecond "quoted" line\r\nthird line'
        assert stored["g1"].author_followers == 10


def test_importing_the_broken_file_again_stores_nothing_new_and_writes_a_fresh_rejects_file(
    ombuds_import: Import, brand: Brand, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    records = write_broken_csv(path)
    chosen = tmp_path / "mine" / "rejects.csv"

    first = summary_of(ombuds_import(path, "--brand", brand.slug, "--json"))
    again = summary_of(ombuds_import(path, "--brand", brand.slug, "--json", "--rejects", chosen))

    assert (again["read"], again["imported"], again["duplicates"], again["rejected"]) == (
        len(records),
        0,
        3,
        8,
    )
    assert again["rejects_path"] == str(chosen)
    assert read_rejects(chosen) == read_rejects(Path(str(first["rejects_path"])))
    # the file is never written over: a third run naming it is refused before it reads a record
    kept = chosen.read_bytes()
    refused = ombuds_import(path, "--brand", brand.slug, "--json", "--rejects", chosen)
    assert refused.exit_code != 0
    assert f"--rejects: {chosen} exists already" in refused.output
    assert chosen.read_bytes() == kept
    # so is a path no file can be made at (under a file): before a record is read, not at the first reject
    under_a_file = ombuds_import(path, "--brand", brand.slug, "--rejects", chosen / "again.csv")
    assert under_a_file.exit_code == 2
    assert f"--rejects: {chosen} is not a folder" in under_a_file.output
    assert "Traceback" not in under_a_file.output


def test_a_stray_nul_near_the_top_is_one_record_s_fault_not_the_whole_file_s(
    ombuds_import: Import, session_factory: sessionmaker[Session], brand: Brand, tmp_path: Path
) -> None:
    """Within the first 64 KiB the file's shape is sniffed; a NUL there used to refuse every row."""
    path = tmp_path / "export.csv"
    when = b"2017-10-31T22:10:47+00:00"
    path.write_bytes(
        b"external_id,author,text,created_at\n"
        b"n1,ana,The crew were lovely," + when + b"\n"
        b"n2,bo,lost\x00bag," + when + b"\n"
        b"n3,cy,Delayed again," + when + b"\n"
    )

    summary = summary_of(ombuds_import(path, "--brand", brand.slug, "--json"))

    assert (summary["imported"], summary["rejected"]) == (2, 1)
    [reject] = read_rejects(Path(str(summary["rejects_path"])))
    assert (reject["line"], reject["column"]) == ("3", "text")
    assert "NUL" in reject["reason"]
    with session_factory() as session:
        assert set(session.scalars(select(Mention.external_id))) == {"n1", "n3"}


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "PNG image"),
        ("blob.csv", bytes(range(256)) * 8, "binary data"),
        ("login.csv", b"<!doctype html><html><head><title>Sign in</title></head></html>", "HTML page"),
    ],
)
def test_a_file_that_is_not_csv_or_jsonl_fails_once_clearly_and_changes_nothing(
    ombuds_import: Import,
    session_factory: sessionmaker[Session],
    brand: Brand,
    data_dir: Path,
    tmp_path: Path,
    name: str,
    content: bytes,
    says: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    before = counts(session_factory)

    result = ombuds_import(path, "--brand", brand.slug, "--json")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("error:") == 1
    assert says in " ".join(result.stderr.split())
    assert counts(session_factory) == before
    assert not (data_dir / "rejects").exists()


def test_wrong_preset_unknown_preset_map_column_or_brand_fail_before_anything_is_stored(
    ombuds_import: Import, session_factory: sessionmaker[Session], brand: Brand, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    write_broken_csv(path)
    before = counts(session_factory)

    attempts = {
        "preset 'airline' needs": ombuds_import(path, "--brand", brand.slug, "--preset", "airline"),
        "unknown preset 'tiktok'": ombuds_import(path, "--brand", brand.slug, "--preset", "tiktok"),
        "no column 'handle'": ombuds_import(path, "--brand", brand.slug, "--map", "handle=author"),
        "unknown field 'mood'": ombuds_import(path, "--brand", brand.slug, "--map", "text=mood"),
        "no brand with slug 'nobody'": ombuds_import(path, "--brand", "nobody"),
        "no such file": ombuds_import(tmp_path / "missing.csv", "--brand", brand.slug),
    }

    for says, result in attempts.items():
        assert result.exit_code == 2, says
        assert says in " ".join(result.stderr.split()), result.stderr
    assert counts(session_factory) == before


def test_twcs_conversations_import_with_brand_replies_as_outbound(
    ombuds_import: Import, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    path = shared_data("twcs_threads_dev.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    summary = summary_of(ombuds_import(path, "--brand", brand.slug, "--preset", "twcs", "--json"))

    assert summary["read"] == len(rows)
    assert summary["imported"] == len({row["tweet_id"] for row in rows})
    with session_factory() as session:
        outbound = session.scalars(select(Mention).where(Mention.direction == Direction.OUTBOUND)).all()
        assert len(outbound) == sum(row["inbound"] == "False" for row in rows)
        replies = {row["tweet_id"]: row["in_response_to_tweet_id"] for row in rows}
        assert all(m.in_reply_to == (replies[m.external_id] or None) for m in outbound)
        source = session.scalars(select(Source)).one()
        assert (source.kind, source.name) == ("import", "import:twcs")


def test_cfpb_complaints_import_as_private_portal_mentions(
    ombuds_import: Import, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    path = shared_data("cfpb_complaints_dev.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    summary = summary_of(ombuds_import(path, "--brand", brand.slug, "--preset", "cfpb", "--json"))

    assert summary["read"] == len(rows)
    assert summary["imported"] == len({row["Complaint ID"] for row in rows})
    with session_factory() as session:
        assert set(session.scalars(select(Mention.channel).distinct())) == {"complaint-portal"}
        assert set(session.scalars(select(Mention.is_public).distinct())) == {False}
        longest = session.scalars(select(Mention).order_by(func.length(Mention.text).desc()).limit(1)).one()
        assert longest.text == max((row["Consumer complaint narrative"] for row in rows), key=len)


def test_an_overlapping_file_adds_only_the_records_not_yet_imported(
    ombuds_import: Import, brand: Brand, tmp_path: Path
) -> None:
    with shared_data("twcs_threads_dev.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header, rows = next(reader), list(reader)[:300]
    early, late = tmp_path / "early.csv", tmp_path / "late.csv"
    for path, part in ((early, rows[:200]), (late, rows[100:])):
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *part])

    summary_of(ombuds_import(early, "--brand", brand.slug, "--preset", "twcs", "--json"))
    second = summary_of(ombuds_import(late, "--brand", brand.slug, "--preset", "twcs", "--json"))

    assert (second["read"], second["imported"], second["duplicates"]) == (200, 100, 100)


def test_jsonl_exports_import_with_nested_keys_and_report_broken_lines(
    ombuds_import: Import, session_factory: sessionmaker[Session], brand: Brand, tmp_path: Path
) -> None:
    good = (
        '{"id": 7001, "user": {"handle": "mira", "followers": 5400}, '
        '"body": "Still no refund after 3 weeks", "ts": "2024-05-01T08:00:00+02:00", "channel": "Chat"}'
    )
    path = tmp_path / "chat.jsonl"
    path.write_text(good + '\n{"id": 7002, "user": {"handle": "tom"}, "body": "cut off\n', encoding="utf-8")

    result = ombuds_import(
        path,
        "--brand",
        brand.slug,
        "--json",
        *("--map", "id=external_id", "--map", "user.handle=author", "--map", "body=text"),
        *("--map", "ts=created_at", "--map", "user.followers=followers"),
    )

    summary = summary_of(result)
    assert (summary["imported"], summary["rejected"]) == (1, 1)
    rejects = read_rejects(Path(str(summary["rejects_path"])))
    assert rejects[0]["line"] == "2"
    assert rejects[0]["reason"].startswith("invalid JSON")
    with session_factory() as session:
        mention = session.scalars(select(Mention)).one()
        assert (mention.external_id, mention.author_handle, mention.author_followers) == (
            "7001",
            "mira",
            5400,
        )
        assert mention.channel == "chat"
        assert mention.raw == good.encode()
        assert mention.raw_format == "jsonl"


def test_a_jsonl_record_with_a_nul_character_is_rejected_alone_and_a_rerun_stores_nothing_twice(
    ombuds_import: Import, session_factory: sessionmaker[Session], brand: Brand, tmp_path: Path
) -> None:
    # PostgreSQL cannot store U+0000 in text; the record must be refused the same way on every database.
    rows = [
        {"external_id": f"n{number}", "author": "mira", "text": f"Refund {number} still missing"}
        | {"created_at": "2024-05-01T08:00:00+00:00"}
        for number in range(1, 31)
    ]
    rows[10]["text"] = "bag\u0000lost"
    rows[20]["author"] = "mi\u0000ra"
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")

    first = summary_of(ombuds_import(path, "--brand", brand.slug, "--json", "--batch-size", "10"))
    again = summary_of(ombuds_import(path, "--brand", brand.slug, "--json", "--batch-size", "10"))

    assert (first["read"], first["imported"], first["duplicates"], first["rejected"]) == (30, 28, 0, 2)
    assert (again["read"], again["imported"], again["duplicates"], again["rejected"]) == (30, 0, 28, 2)
    rejects = read_rejects(Path(str(first["rejects_path"])))
    assert [(row["line"], row["column"]) for row in rejects] == [("11", "text"), ("21", "author")]
    assert all("NUL character" in row["reason"] for row in rejects)
    assert rejects[0]["reason"].startswith("text: ")
    with session_factory() as session:
        stored = set(session.scalars(select(Mention.external_id)))
    assert stored == {row["external_id"] for row in rows} - {"n11", "n21"}


def test_numbers_in_other_digits_separators_past_64_bits_or_too_long_are_rejected_naming_line_and_column(
    ombuds_import: Import, session_factory: sessionmaker[Session], brand: Brand, tmp_path: Path
) -> None:
    when = "2017-10-31T22:10:47+00:00"
    rows = [
        f"g1,ana,Fine,{when},1204,3",
        f"b1,bo,Underscores,{when},1_000,3",
        f"b2,cy,Arabic-Indic digits,{when},١٢,3",
        f"b3,di,Past 64 bits,{when},5,{2**63}",
        f"b4,ed,Five thousand digits,{when},{'9' * 5000},3",
        f"b5,fay,A metric in other digits,{when},5,١",
    ]
    path = tmp_path / "numbers.csv"
    path.write_text(
        "external_id,author,text,created_at,followers,likes\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )

    summary = summary_of(ombuds_import(path, "--brand", brand.slug, "--json", "--map", "likes=metrics.likes"))

    assert (summary["imported"], summary["rejected"]) == (1, 5)
    rejects = read_rejects(Path(str(summary["rejects_path"])))
    assert [(row["line"], row["column"], row["reason"]) for row in rejects] == [
        ("3", "followers", "followers: '1_000' is not a number (write plain digits 0-9)"),
        ("4", "followers", "followers: '١٢' is not a number (write plain digits 0-9)"),
        ("5", "likes", "metrics.likes: expected a whole number that fits in 64 bits"),
        ("6", "followers", "followers: the number is too long (5,000 digits)"),
        ("7", "likes", "metrics.likes: '١' is not a number (write plain digits 0-9)"),
    ]
    with session_factory() as session:
        mention = session.scalars(select(Mention)).one()
    assert (mention.external_id, mention.author_followers) == ("g1", 1204)


def test_a_jsonl_number_too_long_to_read_is_rejected_in_words_not_with_python_advice(
    ombuds_import: Import, session_factory: sessionmaker[Session], brand: Brand, tmp_path: Path
) -> None:
    base = {"author": "mira", "text": "Refund still missing", "created_at": "2024-05-01T08:00:00+00:00"}
    good = json.dumps({"external_id": "j1", **base, "followers": 12})
    long = json.dumps({"external_id": "j2", **base}).removesuffix("}") + ', "followers": ' + "9" * 5000 + "}"
    path = tmp_path / "feed.jsonl"
    path.write_text(good + "\n" + long + "\n", encoding="utf-8")

    summary = summary_of(ombuds_import(path, "--brand", brand.slug, "--json"))

    assert (summary["imported"], summary["rejected"]) == (1, 1)
    [reject] = read_rejects(Path(str(summary["rejects_path"])))
    assert reject["line"] == "2"
    assert reject["reason"].startswith("invalid JSON: a number is too long (5,000 digits) at column ")
    assert "set_int_max_str_digits" not in reject["reason"]
    column = int(reject["reason"].rsplit(" ", 1)[1])
    assert long[column - 1 :].startswith("9999")
