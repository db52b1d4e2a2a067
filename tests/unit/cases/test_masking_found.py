"""Personal data found anew in any text an answer holds, cut-off copies included."""

from __future__ import annotations

import pytest

from ombuds.cases.privacy import mask_found


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("write to jo.smith@example.com or +1 415 555 0134", "write to [email] or [phone]"),
        ("charged card 4111 1111 1111 1111 twice", "charged card [card] twice"),
        ("booking ref QX7Y92 is lost", "booking ref [reference] is lost"),
        ("then they took card 4111 1111…", "then they took card [personal data]…"),
        ("Call me on +1 415…", "Call me on [personal data]…"),
    ],
)
def test_personal_values_are_masked_whole_or_cut_off(text: str, shown: str) -> None:
    assert mask_found(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "Flight delayed 3 hours…",
        "2026-12-01T10:00:00+00:00",
        "https://x.example/ana/status/1798123456789012345",
        "Bags missing in Lisbon",
    ],
)
def test_ordinary_text_links_and_times_pass_unchanged(text: str) -> None:
    assert mask_found(text) == text


def test_an_email_in_a_link_is_masked() -> None:
    assert mask_found("mailto:jo@example.com") == "mailto:[email]"
