"""The shared field types refuse what a database cannot store, and say so in words."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from ombuds.fields import INT32_MAX, Id, Metric, Text, parse_id
from ombuds.web.validation import json_safe, page_message


class Probe(BaseModel):
    id: Id | None = None
    metric: Metric | None = None
    text: Text | None = None


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
