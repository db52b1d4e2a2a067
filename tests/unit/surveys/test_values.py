"""Survey tokens, lifetime, scores, and the one piece of the customer's name the page shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from ombuds.surveys.values import (
    DEFAULT_MESSAGE,
    VALID_FOR,
    check_message,
    check_reopen_window,
    first_name,
    is_expired,
    new_token,
    parse_score,
    survey_message,
)


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
        ("²", None),  # isdigit() is true, int() refuses it
        ("٣", None),
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


def test_the_message_carries_the_link_in_the_brands_words_or_the_default() -> None:
    url = "https://desk.example/survey/abc"
    own = survey_message(
        "Hi {first_name}! {subject}? {survey_url}", first_name="Maya", subject="Lost bag", url=url
    )
    assert own == f"Hi Maya! Lost bag? {url}"
    default = survey_message(None, first_name="", subject="Lost bag", url=url)
    assert default.startswith('Hello there, we have resolved your case "Lost bag".')
    assert url in default
    assert check_message(DEFAULT_MESSAGE) == DEFAULT_MESSAGE


@pytest.mark.parametrize(
    ("wording", "says"),
    [
        ("Thanks, {first_name}!", "include {survey_url}"),
        ("{survey_url} {customer}", "unknown placeholder {customer}"),
        ("{survey_url}" + "x" * 2000, "at most 2000 characters"),
    ],
)
def test_wording_that_would_lose_the_link_or_show_a_raw_placeholder_is_refused(
    wording: str, says: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        check_message(wording)


@pytest.mark.parametrize("days", [0, 91])
def test_the_reopen_window_is_one_to_ninety_days(days: int) -> None:
    assert check_reopen_window(1) == 1
    assert check_reopen_window(90) == 90
    with pytest.raises(ValueError, match="from 1 to 90 days"):
        check_reopen_window(days)
