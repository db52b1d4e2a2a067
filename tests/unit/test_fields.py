"""The shared field types refuse what a database cannot store, and say so in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ValidationError

from ombuds.fields import INT32_MAX, Id, Metric, Moment, Text, in_utc, parse_id
from ombuds.web.validation import json_safe, page_message


class Probe(BaseModel):
    id: Id | None = None
    metric: Metric | None = None
    text: Text | None = None
    moment: Moment | None = None


@pytest.mark.parametrize("value", ["²", "١٢", "-1", "0", "1.0", "", " ", str(INT32_MAX + 1), "9" * 5000])
def test_a_form_value_that_is_not_plain_digits_of_a_row_id_is_no_id(value: str) -> None:
    assert parse_id(value) is None


def test_a_form_id_may_carry_spaces_around_it() -> None:
    assert parse_id(" 42 ") == 42
    assert parse_id(str(INT32_MAX)) == INT32_MAX


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("id", True, "not true or false"),
        ("id", 1.0, "without a decimal point"),
        ("id", "1.0", "the digits 0-9 alone"),
        ("id", "+1", "the digits 0-9 alone"),
        ("id", "01", "no leading zero"),
        ("id", "\u0661", "the digits 0-9 alone"),
        ("id", 2**31, "less than or equal"),
        ("metric", float("inf"), "finite"),
        ("metric", float("nan"), "finite"),
        ("metric", 2**63, "64 bits"),
        ("metric", False, "a number"),
        ("metric", "3", "a number"),
        ("text", "a\x00b", "NUL"),
    ],
)
def test_values_no_database_stores_alike_are_refused(field: str, value: object, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Probe.model_validate({field: value})

    assert says in str(refused.value)


def test_an_error_echo_carries_no_value_json_cannot_write() -> None:
    echoed = json_safe({"input": [float("inf"), 10**5000, 3, "x"]})

    assert echoed == {"input": ["inf", "an integer of 16610 bits", 3, "x"]}


def test_a_page_names_the_field_in_words_not_validation_internals() -> None:
    message = page_message(
        [
            {"type": "int_parsing", "loc": ("body", "team_id"), "msg": "Input should be a valid integer"},
            {"type": "less_than_equal", "loc": ("query", "page"), "msg": "...", "ctx": {"le": 1000}},
        ]
    )

    assert message == "“team_id” must be a whole number. “page” must be at most 1,000."


def test_a_moment_is_kept_in_utc() -> None:
    kept = Probe.model_validate({"moment": "2026-12-01T09:00:00+01:00"}).moment

    assert kept == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert kept is not None
    assert kept.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "says"),
    [
        # no UTC equivalent: converting them overflows past year 9999 or before year 1
        ("9999-12-31T23:59:59-05:00", "must be in the years 1970 to 2100"),
        ("0001-01-01T00:00:00+14:00", "must be in the years 1970 to 2100"),
        ("9999-12-31T23:59:59Z", "must be in the years 1970 to 2100"),
        ("1900-01-01T00:00:00Z", "must be in the years 1970 to 2100"),
        ("2026-03-02T09:00:00", "must have a time zone"),
        ("9999-12-31", "must have a time zone"),
    ],
)
def test_a_moment_out_of_range_or_without_a_time_zone_is_refused_in_words(value: str, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Probe.model_validate({"moment": value})

    errors = refused.value.errors()
    assert [error["loc"] for error in errors] == [("moment",)]
    assert says in errors[0]["msg"]


def test_a_form_moment_at_the_edge_of_the_years_converts_without_overflow() -> None:
    assert in_utc(datetime(1970, 1, 1, tzinfo=timezone(timedelta(hours=14)))).year == 1969
    assert in_utc(datetime(2100, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12)))).year == 2101
    with pytest.raises(ValueError, match="time zone"):
        in_utc(datetime(2026, 12, 1, 9, 0))
