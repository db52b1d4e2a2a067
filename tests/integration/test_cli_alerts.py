"""``ombuds alerts add-channel`` from the command line: quiet hours it cannot read are named, not a traceback."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import Result

from ombuds.accounts.models import Brand
from ombuds.incidents.models import AlertChannel
from tests.conftest import Ombuds


def _add_channel(ombuds: Ombuds, quiet_hours: str) -> Result:
    return ombuds(
        "alerts",
        "add-channel",
        "--brand",
        "skyways",
        "--kind",
        "webhook",
        "--target",
        "https://chat.example/hooks/pr",
        "--quiet-hours",
        quiet_hours,
    )


@pytest.mark.parametrize(
    "quiet_hours", ["²-7", "22-٧", "9" * 5000 + "-7"], ids=["superscript", "arabic_indic", "long"]
)
def test_quiet_hours_in_digits_that_are_not_plain_ascii_are_named_and_no_channel_is_added(
    ombuds: Ombuds, session_factory: sessionmaker[Session], brand: Brand, quiet_hours: str
) -> None:
    # "²".isdigit() is true, yet int("²") fails
    answer = _add_channel(ombuds, quiet_hours)

    assert answer.exit_code == 2, answer.output
    assert answer.exception is None or isinstance(answer.exception, SystemExit)
    assert "--quiet-hours" in answer.output
    assert "write FROM-UNTIL in whole hours" in answer.output
    with session_factory() as session:
        assert session.scalars(select(AlertChannel.id)).all() == []


def test_plain_quiet_hours_still_add_the_channel(
    ombuds: Ombuds, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    answer = _add_channel(ombuds, "22-7")

    assert answer.exit_code == 0, answer.output
    with session_factory() as session:
        channel = session.scalars(select(AlertChannel)).one()
        assert (channel.quiet_from_hour, channel.quiet_until_hour) == (22, 7)


@pytest.mark.parametrize(
    "zone",
    ["Not/AZone", "Europe/Lis\x07bon", "localtime", "posixrules", "Factory", "europe/lisbon"],
    ids=["unknown", "control_character", "localtime", "posixrules", "factory", "wrong_case"],
)
def test_a_timezone_that_is_not_an_iana_region_is_named_and_no_channel_is_added(
    ombuds: Ombuds, session_factory: sessionmaker[Session], brand: Brand, zone: str
) -> None:
    # Quiet hours in such a zone would fall back to UTC, or follow the server's own clock, unseen.
    answer = ombuds(
        "alerts",
        "add-channel",
        *("--brand", "skyways", "--kind", "webhook", "--target", "https://chat.example/hooks/pr"),
        *("--quiet-hours", "22-7", "--timezone", zone),
    )

    assert answer.exit_code == 2, answer.output
    assert answer.exception is None or isinstance(answer.exception, SystemExit)
    assert "--timezone" in answer.output
    assert "is not an IANA time zone such as Europe/London" in answer.output
    with session_factory() as session:
        assert session.scalars(select(AlertChannel.id)).all() == []


def test_a_real_timezone_is_kept_with_the_quiet_hours(
    ombuds: Ombuds, session_factory: sessionmaker[Session], brand: Brand
) -> None:
    answer = ombuds(
        "alerts",
        "add-channel",
        *("--brand", "skyways", "--kind", "webhook", "--target", "https://chat.example/hooks/pr"),
        *("--quiet-hours", "22-7", "--timezone", "Europe/Lisbon"),
    )

    assert answer.exit_code == 0, answer.output
    with session_factory() as session:
        assert session.scalars(select(AlertChannel.timezone)).one() == "Europe/Lisbon"
