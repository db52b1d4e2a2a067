"""A desk of its own from the command line: a brand, its people, a token, its first mentions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts import actions
from ombuds.accounts.models import Brand, Membership, Role, Team
from ombuds.settings import Settings
from ombuds.web.app import create_app
from tests.conftest import Ombuds


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


def test_a_revoked_token_is_refused_by_the_api_and_listings_never_show_a_secret(
    ombuds: Ombuds, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    assert ombuds("brand", "add", "skyways", "--name", "Skyways").exit_code == 0
    created = ombuds("token", "create", "--brand", "skyways", "--name", "helpdesk bridge")
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    bearer = {"Authorization": f"Bearer {secret}"}
    app = create_app(settings=Settings(data_dir=tmp_path / "web"), session_factory=session_factory)

    with TestClient(app) as client:
        assert client.get("/api/v1/cases", headers=bearer).status_code == 200
        listed = ombuds("token", "list", "--json")
        assert listed.exit_code == 0, listed.output
        [row] = json.loads(listed.stdout)
        assert (row["brand"], row["name"], row["revoked"]) == ("skyways", "helpdesk bridge", None)
        assert row["created"]
        table = ombuds("token", "list")
        assert "helpdesk bridge" in table.stdout
        assert secret not in listed.stdout + table.stdout

        revoked = ombuds("token", "revoke", str(row["id"]))
        assert revoked.exit_code == 0, revoked.output
        assert "revoked" in revoked.output
        assert client.get("/api/v1/cases", headers=bearer).status_code == 401

    [after] = json.loads(ombuds("token", "list", "--json", "--brand", "skyways").stdout)
    assert after["revoked"] is not None
    again = ombuds("token", "revoke", str(row["id"]))
    assert again.exit_code == 0
    assert "already revoked" in again.output
    missing = ombuds("token", "revoke", "999")
    assert missing.exit_code == 2
    assert "no API token with id 999" in missing.output


def test_user_add_without_a_terminal_reads_the_password_from_stdin_or_the_environment(
    ombuds: Ombuds, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ombuds("brand", "add", "skyways", "--name", "Skyways").exit_code == 0

    unasked = ombuds("user", "add", "ana@skyways.example", "--brand", "skyways")
    assert unasked.exit_code == 2, "no terminal and nothing piped: a clear error, not a hang"
    assert "--password-file" in unasked.output
    assert "at least 8 characters" in unasked.output
    short = ombuds(
        "user", "add", "ana@skyways.example", "--brand", "skyways", "--password-stdin", stdin="short\n"
    )
    assert short.exit_code == 2
    assert "at least 8 characters" in short.output

    piped = ombuds(
        "user", "add", "ana@skyways.example", "--brand", "skyways", "--password-stdin", stdin="piped-pass 1\n"
    )
    assert piped.exit_code == 0, piped.output
    unflagged = ombuds("user", "add", "cy@skyways.example", "--brand", "skyways", stdin="no-flag-pass\n")
    assert unflagged.exit_code == 0, "without a terminal, standard input is read without any flag"
    monkeypatch.setenv("OMBUDS_USER_PASSWORD", "from-the-env")
    from_env = ombuds("user", "add", "ben@skyways.example", "--brand", "skyways", "--role", "viewer")
    assert from_env.exit_code == 0, from_env.output

    with session_factory() as session:
        assert actions.authenticate(session, email="ana@skyways.example", password="piped-pass 1")
        assert actions.authenticate(session, email="ben@skyways.example", password="from-the-env")
        assert actions.authenticate(session, email="cy@skyways.example", password="no-flag-pass")


def test_an_operator_lists_brands_teams_and_people(ombuds: Ombuds) -> None:
    assert ombuds("brand", "add", "skyways", "--name", "Skyways").exit_code == 0
    assert ombuds("brand", "add", "larkspur", "--name", "Larkspur Air").exit_code == 0
    assert ombuds("team", "add", "Baggage", "--brand", "larkspur").exit_code == 0
    taken = ombuds("team", "add", "baggage", "--brand", "larkspur")
    assert taken.exit_code == 2
    assert "already has a team 'baggage'" in taken.output
    for email, brand, role in [
        ("ana@example.com", "larkspur", "pr"),
        ("ana@example.com", "skyways", "admin"),
    ]:
        added = ombuds("user", "add", email, "--brand", brand, "--role", role, "--password", "s3cret-pass")
        assert added.exit_code == 0, added.output

    brands = json.loads(ombuds("brand", "list", "--json").stdout)
    assert [(b["slug"], b["name"]) for b in brands] == [("larkspur", "Larkspur Air"), ("skyways", "Skyways")]
    assert "Larkspur Air" in ombuds("brand", "list").stdout
    teams = json.loads(ombuds("team", "list", "--brand", "larkspur", "--json").stdout)
    assert [(t["slug"], t["default"]) for t in teams] == [("baggage", False), ("care", True)]
    people = json.loads(ombuds("user", "list", "--brand", "larkspur", "--json").stdout)
    assert [(p["email"], p["brand"], p["role"]) for p in people] == [("ana@example.com", "larkspur", "pr")]
    everyone = json.loads(ombuds("user", "list", "--json").stdout)
    assert [(p["brand"], p["role"]) for p in everyone] == [("larkspur", "pr"), ("skyways", "admin")]
    unknown = ombuds("team", "list", "--brand", "nope")
    assert unknown.exit_code == 2
    assert "no brand with slug 'nope'" in unknown.output


def sign_in(client: TestClient, email: str, password: str) -> int:
    """Post the sign-in form as a browser would; the status says whether it let them in (303)."""
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "the sign-in page has no CSRF field"
    answer = client.post("/login", data={"email": email, "password": password, "csrf_token": token.group(1)})
    return answer.status_code


def test_a_deactivated_user_is_signed_out_cannot_sign_in_and_their_token_stops(
    ombuds: Ombuds, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    assert ombuds("brand", "add", "skyways", "--name", "Skyways").exit_code == 0
    added = ombuds("user", "add", "ana@skyways.example", "--brand", "skyways", "--password", "s3cret-pass")
    assert added.exit_code == 0, added.output
    secret = ombuds("token", "create", "--brand", "skyways", "--user", "ana@skyways.example").stdout.strip()
    bearer = {"Authorization": f"Bearer {secret}"}
    app = create_app(settings=Settings(data_dir=tmp_path / "web"), session_factory=session_factory)

    with TestClient(app, follow_redirects=False) as browser, TestClient(app) as machine:
        assert sign_in(browser, "ana@skyways.example", "s3cret-pass") == 303
        assert browser.get("/inbox").status_code == 200
        assert machine.get("/api/v1/cases", headers=bearer).status_code == 200

        done = ombuds("user", "deactivate", "ana@skyways.example")
        assert done.exit_code == 0, done.output
        assert "deactivated" in done.output

        assert browser.get("/inbox").headers.get("location") == "/login", "the open session ended"
        assert sign_in(browser, "ana@skyways.example", "s3cret-pass") != 303
        assert machine.get("/api/v1/cases", headers=bearer).status_code == 401

    [person] = json.loads(ombuds("user", "list", "--json").stdout)
    assert person["active"] is False
    [token] = json.loads(ombuds("token", "list", "--json").stdout)
    assert token["revoked"] is not None, "the listing shows the token as revoked"
    again = ombuds("user", "deactivate", "ana@skyways.example")
    assert again.exit_code == 0
    assert "already deactivated" in again.output
    unknown = ombuds("user", "deactivate", "nobody@skyways.example")
    assert unknown.exit_code == 2
    assert "no user with email 'nobody@skyways.example'" in unknown.output


def test_a_new_password_from_a_file_or_a_pipe_replaces_the_old_and_ends_sessions(
    ombuds: Ombuds, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    assert ombuds("brand", "add", "skyways", "--name", "Skyways").exit_code == 0
    assert (
        ombuds(
            "user", "add", "ana@skyways.example", "--brand", "skyways", "--password", "old-pass-1"
        ).exit_code
        == 0
    )
    secret_file = tmp_path / "password.txt"
    secret_file.write_text("from-a-file-2\n")
    app = create_app(settings=Settings(data_dir=tmp_path / "web"), session_factory=session_factory)

    with TestClient(app, follow_redirects=False) as browser:
        assert sign_in(browser, "ana@skyways.example", "old-pass-1") == 303
        changed = ombuds("user", "password", "ana@skyways.example", "--password-file", secret_file)
        assert changed.exit_code == 0, changed.output
        assert browser.get("/inbox").headers.get("location") == "/login"
        assert sign_in(browser, "ana@skyways.example", "old-pass-1") != 303
        assert sign_in(browser, "ana@skyways.example", "from-a-file-2") == 303

    piped = ombuds("user", "password", "ana@skyways.example", stdin="piped-pass-3\n")
    assert piped.exit_code == 0, piped.output
    short = ombuds("user", "password", "ana@skyways.example", stdin="short\n")
    assert short.exit_code == 2
    assert "at least 8 characters" in short.output
    both = ombuds(
        "user", "password", "ana@skyways.example", "--password", "x" * 9, "--password-file", secret_file
    )
    assert both.exit_code == 2
    assert "one way" in both.output
    missing = ombuds("user", "password", "ana@skyways.example", "--password-file", tmp_path / "nope")
    assert missing.exit_code == 2
    assert "nope" in missing.output
    with session_factory() as session:
        assert actions.authenticate(session, email="ana@skyways.example", password="piped-pass-3")


def test_a_renamed_team_keeps_its_slug(ombuds: Ombuds) -> None:
    assert ombuds("brand", "add", "larkspur", "--name", "Larkspur Air").exit_code == 0
    assert ombuds("team", "add", "Baggage", "--brand", "larkspur").exit_code == 0

    renamed = ombuds("team", "rename", "baggage", "Lost property", "--brand", "larkspur")

    assert renamed.exit_code == 0, renamed.output
    assert "Baggage is now Lost property" in renamed.output
    teams = json.loads(ombuds("team", "list", "--brand", "larkspur", "--json").stdout)
    assert ("baggage", "Lost property") in [(t["slug"], t["name"]) for t in teams]
    unknown = ombuds("team", "rename", "bagage", "Lost property", "--brand", "larkspur")
    assert unknown.exit_code == 2
    assert "has no team 'bagage'" in unknown.output
