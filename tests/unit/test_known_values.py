"""Values found in one message of a customer, masked wherever another text repeats them."""

from __future__ import annotations

import pytest

from ombuds.known_values import KnownValues

KNOWN = KnownValues(
    [
        ("QX7Y92", "reference"),
        ("mara.lind@example.org", "email"),
        ("4111 1111 1111 1111", "card_number"),
        ("+1 415 555 0134", "phone"),
    ]
)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("@Skyways still nothing for QX7Y92 in Lisbon", "@Skyways still nothing for [reference] in Lisbon"),
        ("qx7y92 again", "[reference] again"),  # a phrase the detectors lower-cased
        ("(QX7Y92)", "([reference])"),
        ("write to mara.lind@example.org.", "write to [email]."),
        ("call +1 415 555 0134 now", "call [phone] now"),
        # cut off by "…": at the end (a subject) and at the start (an excerpt)
        ("then they took card 4111 1111…", "then they took card [card]…"),
        ("nothing for QX7Y…", "nothing for [reference]…"),
        ("…X7Y92 in Lisbon", "…[reference] in Lisbon"),
    ],
)
def test_a_known_value_is_masked_whole_or_cut_off(text: str, shown: str) -> None:
    assert KNOWN.mask(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "AQX7Y921 is another code",  # inside a longer word
        "the bag is still in Lisbon",
        "2026-12-01T10:00:00+00:00",
        "open",
        "nothing for QX7…",  # three characters say nothing
        "",
    ],
)
def test_other_text_passes_unchanged(text: str) -> None:
    assert KNOWN.mask(text) == text


def test_no_values_mask_nothing_and_the_longest_value_wins() -> None:
    assert KnownValues().mask("booking QX7Y92") == "booking QX7Y92"
    assert not KnownValues([(" ", "reference")])
    overlapping = KnownValues([("12 Rua Augusta", "street_address"), ("Rua Augusta", "reference")])
    assert overlapping.mask("sent to 12 Rua Augusta") == "sent to [address]"


def test_values_sharing_words_are_told_apart() -> None:
    many = KnownValues(
        [(f"guest{n}@example.org", "email") for n in range(300)]
        + [(f"+1 415 555 {n:04d}", "phone") for n in range(300)]
    )

    assert many.mask("mail guest7@example.org or guest299@example.org") == "mail [email] or [email]"
    assert many.mask("call +1 415 555 0042 or +1 415 555 9999") == "call [phone] or +1 415 555 9999"
    assert many.mask("host7@example.org") == "host7@example.org"


def test_a_value_whose_letters_change_length_in_lower_case_is_still_found() -> None:
    street = KnownValues([("12 İstiklal Caddesi", "street_address")])

    assert street.mask("at 12 İstiklal Caddesi now") == "at [address] now"
