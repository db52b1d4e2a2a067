"""`ombuds source add` and `ombuds sources poll/list/pause/resume`, as the issue's contract words them."""

from __future__ import annotations

import json

from click.testing import Result
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ombuds.accounts.models import Brand
from ombuds.cli import app
from ombuds.mentions.models import Mention, Source
from tests.conftest import Ombuds
from tests.integration.connectors.feed_server import FeedServer


def answer(result: Result) -> dict[str, object]:
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed


def test_add_poll_list_pause_and_resume_sources_from_the_command_line(
    ombuds: Ombuds, brand: Brand, session: Session
) -> None:
    with FeedServer() as server:
        feed = server.feed("/reviews.xml")
        feed.add("r-1", "Lost bag", "My bag never arrived")
        feed.add("r-2", "Late", "Four hours late and no word")

        rss = answer(
            ombuds(
                "source",
                "add",
                "rss",
                "--brand",
                "skyways",
                "--name",
                "Reviews",
                "--url",
                server.url("/reviews.xml"),
                "--every",
                "60",
                "--json",
            )
        )
        assert set(rss) == {"id", "kind", "name"}
        assert (rss["kind"], rss["name"]) == ("rss", "Reviews")
        hook = answer(
            ombuds("source", "add", "webhook", "--brand", "skyways", "--name", "Chat widget", "--json")
        )
        assert set(hook) == {"id", "kind", "name", "secret"}
        secret = str(hook["secret"])
        stored = session.scalar(select(Source.config).where(Source.id == hook["id"]))
        assert secret not in json.dumps(stored), "the secret is sealed at rest"

        polled = answer(ombuds("sources", "poll", "--once", "--json"))
        assert polled == {
            "sources": [{"id": rss["id"], "fetched": 2, "imported": 2, "duplicates": 0, "errors": 0}]
        }
        again = answer(ombuds("sources", "poll", "--source", str(rss["id"]), "--once", "--json"))
        assert again == {
            "sources": [{"id": rss["id"], "fetched": 0, "imported": 0, "duplicates": 0, "errors": 0}]
        }
        assert server.requests[-1] == ("/reviews.xml", 304), "the second poll asked with the feed's ETag"

        listed = CliRunner().invoke(app, ["sources", "list", "--json"])
        assert listed.exit_code == 0, listed.output
        assert secret not in listed.output
        rows = {row["name"]: row for row in json.loads(listed.stdout)}
        assert rows["Reviews"]["every_seconds"] == 60
        assert rows["Reviews"]["last_success_at"] is not None
        assert rows["Reviews"]["failures"] == 0
        assert rows["Chat widget"]["config"] == {"secret": "set"}

        assert ombuds("sources", "pause", str(rss["id"])).exit_code == 0
        assert answer(ombuds("sources", "poll", "--once", "--json")) == {"sources": []}
        refused = ombuds("sources", "poll", "--source", str(rss["id"]), "--once", "--json")
        assert refused.exit_code == 2
        assert "is paused" in refused.stderr
        assert ombuds("sources", "resume", str(rss["id"])).exit_code == 0
        feed.add("r-3", "Refund", "Still waiting for my refund")
        assert answer(ombuds("sources", "poll", "--once", "--json"))["sources"] == [
            {"id": rss["id"], "fetched": 1, "imported": 1, "duplicates": 0, "errors": 0}
        ]
    assert sorted(session.scalars(select(Mention.external_id))) == ["r-1", "r-2", "r-3"]


def test_a_wrong_config_or_kind_is_refused_with_the_field_named(ombuds: Ombuds, brand: Brand) -> None:
    wrong_url = ombuds(
        "source", "add", "rss", "--brand", "skyways", "--name", "x", "--url", "ftp://x", "--json"
    )
    assert wrong_url.exit_code == 2
    assert "rss config: url" in wrong_url.stderr
    unknown = ombuds("source", "add", "fax", "--brand", "skyways", "--name", "x", "--json")
    assert unknown.exit_code == 2
    assert "not an installed connector" in unknown.stderr
