"""The outcome facts' rules: what counts as a handoff, a reply exchange, an early reopen, a fix at first contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ombuds.cases.outcomes import (
    is_early_reopen,
    is_first_contact_resolution,
    is_handoff,
    reply_exchanges,
    within_reopen_window,
)

RESOLVED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("previous", "new", "counted"),
    [(None, 3, False), (3, 3, False), (3, 4, True), (3, None, False)],
    ids=["first owner", "same owner", "another owner", "unassigned"],
)
def test_only_passing_a_case_from_one_owner_to_another_is_a_handoff(
    previous: int | None, new: int | None, counted: bool
) -> None:
    assert is_handoff(previous, new) is counted


@pytest.mark.parametrize(
    ("directions", "exchanges"),
    [
        ("", 0),
        ("I", 0),
        ("IIO", 1),  # two messages from the customer, one answer
        ("IOOI", 1),  # the customer's thanks after the answer is not another exchange
        ("IOIO", 2),
        ("OIO", 1),  # a brand message before the customer wrote answers nobody
    ],
)
def test_reply_exchanges_count_answers_to_the_customer(directions: str, exchanges: int) -> None:
    assert reply_exchanges(d == "I" for d in directions) == exchanges


def test_first_contact_resolution_needs_one_exchange_no_handoff_and_no_reopen() -> None:
    assert is_first_contact_resolution(exchanges=1, handoffs=0, reopened=0)
    assert not is_first_contact_resolution(exchanges=0, handoffs=0, reopened=0), "no answer reached them"
    assert not is_first_contact_resolution(exchanges=2, handoffs=0, reopened=0)
    assert not is_first_contact_resolution(exchanges=1, handoffs=1, reopened=0)
    assert not is_first_contact_resolution(exchanges=1, handoffs=0, reopened=1)


def test_a_reopen_within_seven_days_spoils_first_contact_resolution() -> None:
    assert is_early_reopen(resolved_at=RESOLVED, at=RESOLVED + timedelta(days=7))
    assert not is_early_reopen(resolved_at=RESOLVED, at=RESOLVED + timedelta(days=7, seconds=1))
    assert not is_early_reopen(resolved_at=None, at=RESOLVED)


def test_the_reopen_window_is_counted_in_days_from_resolution() -> None:
    assert within_reopen_window(resolved_at=RESOLVED, at=RESOLVED + timedelta(days=3), window_days=7)
    assert not within_reopen_window(resolved_at=RESOLVED, at=RESOLVED + timedelta(days=10), window_days=7)
    assert within_reopen_window(resolved_at=RESOLVED, at=RESOLVED + timedelta(days=10), window_days=14)


def test_a_message_written_shortly_before_the_resolution_and_imported_after_it_reopens_the_case() -> None:
    assert within_reopen_window(resolved_at=RESOLVED, at=RESOLVED - timedelta(minutes=5), window_days=7)
    assert within_reopen_window(resolved_at=RESOLVED, at=RESOLVED - timedelta(days=7), window_days=7)
    assert not within_reopen_window(resolved_at=RESOLVED, at=RESOLVED - timedelta(days=8), window_days=7)
