"""An import that stops half-way keeps every committed batch; running it again finishes the job."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Brand
from ombuds.mentions.importing import open_import, run_import
from ombuds.mentions.models import Mention
from ombuds.mentions.rejects import RejectsFile


class Interrupted(Exception):
    """What the operator's Ctrl-C would be."""


def write_export(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["external_id", "author", "text", "created_at"])
        for number in range(rows):
            writer.writerow([f"m-{number}", f"user{number % 7}", f"message {number}", "2026-03-02T09:00:00Z"])


def test_an_interrupted_import_keeps_its_batches_and_the_rerun_adds_only_the_rest(
    session_factory: sessionmaker[Session], brand: Brand, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    write_export(path, rows=95)
    batches_seen = 0

    def stop_after_two_batches(_: int) -> None:
        nonlocal batches_seen
        batches_seen += 1
        if batches_seen == 2:
            raise Interrupted

    source, field_map = open_import(path, preset_name="generic", batch_size=20)
    with source, RejectsFile(tmp_path / "first.rejects.csv") as rejects, pytest.raises(Interrupted):
        run_import(
            session_factory,
            brand_slug=brand.slug,
            fetcher=source,
            field_map=field_map,
            source_name="generic",
            rejects=rejects,
            on_progress=stop_after_two_batches,
        )
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 40

    source, field_map = open_import(path, preset_name="generic", batch_size=20)
    with source, RejectsFile(tmp_path / "again.rejects.csv") as rejects:
        summary = run_import(
            session_factory,
            brand_slug=brand.slug,
            fetcher=source,
            field_map=field_map,
            source_name="generic",
            rejects=rejects,
        )

    assert (summary.read, summary.imported, summary.duplicates, summary.rejected) == (95, 55, 40, 0)
    with session_factory() as session:
        assert session.scalar(select(func.count(func.distinct(Mention.external_id)))) == 95
