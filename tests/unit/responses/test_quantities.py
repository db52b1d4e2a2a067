"""Figures in a text, normalised so a reply and a statement compare like with like."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ombuds.responses.quantities import extract_quantities


def figures(text: str) -> list[tuple[str, str, Decimal, Decimal, str, str]]:
    return [(q.kind, q.unit, q.low, q.high, q.name, q.text) for q in extract_quantities(text)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("within 14 days", "in two weeks"),
        ("a week", "7 days"),
        ("a fortnight", "fourteen days"),
        ("48 hours", "two days"),
        ("90 minutes", "1.5 hours"),
        ("forty-eight hours", "48h"),
        ("a couple of days", "2 days"),
        ("$25", "25 USD"),
        ("US$25.00", "25 dollars"),
        ("€12,50", "EUR 12.50"),
        ("£1,000", "1000 GBP"),
        ("20%", "twenty percent"),
        ("by Friday", "on friday"),
        ("15 March", "March 15th"),
        ("3-5 business days", "three to five working days"),
    ],
)
def test_the_same_figure_written_two_ways_normalises_the_same(first: str, second: str) -> None:
    (a,) = extract_quantities(first)
    (b,) = extract_quantities(second)
    assert (a.key, a.low, a.high, a.name) == (b.key, b.low, b.high, b.name)


def test_units_keep_unlike_figures_apart() -> None:
    (business,) = extract_quantities("5 business days")
    (calendar,) = extract_quantities("5 days")
    (dollars,) = extract_quantities("$50")
    (euros,) = extract_quantities("€50")

    assert business.key != calendar.key
    assert dollars.key != euros.key


def test_a_figure_inside_a_range_agrees_with_it() -> None:
    (range_,) = extract_quantities("3-5 business days")
    (inside,) = extract_quantities("5 business days")
    (outside,) = extract_quantities("7 business days")

    assert inside.within(range_)
    assert not outside.within(range_)
    assert not range_.within(inside)


@pytest.mark.parametrize(
    "text",
    [
        "We're open 7 days a week.",
        "You have waited 3 weeks, I know.",
        "Your flight was 2 hours late.",
        "We fly to Oslo on Mondays.",
        "We may 5 times ask the same.",
        "Have a nice day!",
        "Flight LK201 at 14:30 from gate B12.",
        "Our team is here 24/7.",
    ],
)
def test_rates_elapsed_time_routines_and_codes_are_not_figures(text: str) -> None:
    assert figures(text) == []


def test_spans_point_at_the_figure_and_context_holds_its_sentence() -> None:
    text = "Sorry! Your refund arrives in 7-10 days. Then a $30 credit follows."
    # clauses: "Sorry!" / "Your refund arrives in 7-10 days." / "Then a $30 credit follows."
    duration, amount = extract_quantities(text)

    assert text[duration.start : duration.end] == "7-10 days"
    assert (duration.low, duration.high) == (Decimal(168), Decimal(240))
    assert "refund" in duration.context
    assert "credit" not in duration.context
    assert text[amount.start : amount.end] == "$30"
    assert "refund" in amount.earlier[0]
