"""A desk of its own from the command line: a brand, its people, a token, its first mentions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ombuds.accounts.models import Brand, Membership, Role, Team
from ombuds.cli import app
from ombuds.settings import get_settings

Ombuds = Callable[..., Result]


@pytest.fixture
def ombuds(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ombuds]:
    monkeypatch.setenv("OMBUDS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("OMBUDS_DATABASE_URL", database_url)
    get_settings.cache_clear()

    def run(*args: str | Path) -> Result:
        return CliRunner().invoke(app, [str(arg) for arg in args])

    yield run
    get_settings.cache_clear()


def test_a_new_brand_gets_a_default_team_people_and_its_first_mentions(
    ombuds: Ombuds, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    created = ombuds("brand", "add", "skyways", "--name", "Skyways", "--team", "Customer Care")
    assert created.exit_code == 0, created.output
    added = ombuds(
        "user",
        "add",
        "ana@skyways.example",
        "--brand",
        "skyways",
        "--role",
        "pr",
        "--password",
        "s3cret-pass",
    )
    assert added.exit_code == 0, added.output
    mentions = tmp_path / "first.csv"
    mentions.write_text(
        "external_id,author,text,created_at\n1,mara,My bag never arrived,2026-03-02T09:00:00Z\n"
    )
    imported = ombuds("import", mentions, "--brand", "skyways", "--json")
    assert imported.exit_code == 0, imported.output

    with session_factory() as session:
        brand = session.scalars(select(Brand).where(Brand.slug == "skyways")).one()
        assert brand.name == "Skyways"
        team = session.scalars(select(Team).where(Team.brand_id == brand.id)).one()
        assert (team.name, team.is_default) == ("Customer Care", True)
        assert (
            session.scalars(select(Membership.role).where(Membership.brand_id == brand.id)).one() == Role.PR
        )


def test_a_taken_or_malformed_slug_is_refused_with_a_reason(
    ombuds: Ombuds, session_factory: sessionmaker[Session]
) -> None:
    assert ombuds("brand", "add", "skyways", "--name", "Skyways").exit_code == 0

    taken = ombuds("brand", "add", "skyways", "--name", "Other Skyways")
    malformed = ombuds("brand", "add", "Sky Ways!", "--name", "Sky")

    assert taken.exit_code == 2
    assert "already exists" in taken.output
    assert malformed.exit_code == 2
    assert "lower-case" in malformed.output
    with session_factory() as session:
        assert list(session.scalars(select(Brand.name))) == ["Skyways"]
