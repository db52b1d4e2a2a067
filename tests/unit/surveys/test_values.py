"""Survey tokens, lifetime, scores, and the one piece of the customer's name the page shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ombuds.surveys.values import VALID_FOR, first_name, is_expired, new_token, parse_score


def test_tokens_are_long_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(token) >= 40 and token.replace("-", "").replace("_", "").isalnum() for token in tokens)


@pytest.mark.parametrize(
    ("raw", "score"),
    [
        ("1", 1),
        ("5", 5),
        (" 3 ", 3),
        ("0", None),
        ("6", None),
        ("-1", None),
        ("4.5", None),
        ("", None),
        (None, None),
    ],
)
def test_only_a_whole_score_from_1_to_5_is_taken(raw: str | None, score: int | None) -> None:
    assert parse_score(raw) == score


@pytest.mark.parametrize(
    ("display_name", "shown"), [("Maya Kowalski", "Maya"), ("@maya_k", "maya_k"), ("  ", ""), ("Jo", "Jo")]
)
def test_the_page_shows_only_the_first_name(display_name: str, shown: str) -> None:
    assert first_name(display_name) == shown


def test_a_survey_is_open_for_fourteen_days() -> None:
    offered = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert not is_expired(expires_at=offered + VALID_FOR, now=offered + VALID_FOR - VALID_FOR / 1000)
    assert is_expired(expires_at=offered + VALID_FOR, now=offered + VALID_FOR)
