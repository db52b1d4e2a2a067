"""The command line keeps up with the admin pages: brands renamed, teams added, listed and archived,
people invited with a one-time link and given another role."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ombuds.settings import Settings
from ombuds.web.app import create_app
from tests.conftest import Ombuds


def test_teams_brands_invites_and_roles_from_the_command_line(
    ombuds: Ombuds,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    assert ombuds("brand", "add", "skyways", "--name", "Skyways").exit_code == 0
    renamed = ombuds("brand", "rename", "skyways", "Skyways Air")
    assert renamed.exit_code == 0, renamed.output
    assert json.loads(ombuds("brand", "list", "--json").stdout)[0]["name"] == "Skyways Air"

    assert ombuds("team", "add", "Baggage", "--brand", "skyways").exit_code == 0
    listed = json.loads(ombuds("team", "list", "--brand", "skyways", "--json").stdout)
    assert [row["slug"] for row in listed] == ["baggage", "care"]
    archived = ombuds("team", "archive", "baggage", "--brand", "skyways")
    assert archived.exit_code == 0, archived.output
    assert [
        row["slug"] for row in json.loads(ombuds("team", "list", "--brand", "skyways", "--json").stdout)
    ] == ["care"]
    default = ombuds("team", "archive", "care", "--brand", "skyways")
    assert default.exit_code != 0
    assert "default team" in default.output
    again = ombuds("team", "add", "Baggage", "--brand", "skyways")
    assert again.exit_code != 0, "an archived team's name stays taken"

    invited = ombuds(
        "user",
        "invite",
        "ivo@skyways.example",
        "--brand",
        "skyways",
        "--role",
        "manager",
        "--url",
        "http://testserver",
    )
    assert invited.exit_code == 0, invited.output
    link = re.search(r"http://testserver(/invite/\S+)", invited.stdout)
    assert link
    app = create_app(settings=Settings(data_dir=tmp_path), session_factory=session_factory)
    with TestClient(app, follow_redirects=False) as browser:
        assert browser.get(link.group(1)).status_code == 200, "the printed link opens the form"

    assert (
        ombuds(
            "user",
            "add",
            "ann@skyways.example",
            "--brand",
            "skyways",
            "--role",
            "admin",
            "--password",
            "s3cret-pass",
        ).exit_code
        == 0
    )
    only_admin = ombuds("user", "role", "ann@skyways.example", "--brand", "skyways", "--role", "agent")
    assert only_admin.exit_code != 0
    assert "only administrator" in only_admin.output
    wrong = ombuds("user", "role", "ann@skyways.example", "--brand", "skyways", "--role", "owner")
    assert wrong.exit_code != 0
    assert "--role" in wrong.output
