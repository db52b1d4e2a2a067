"""What a request that fails validation is told, from the error dictionaries pydantic produces."""

from __future__ import annotations

from ombuds.web.validation import address_message, api_message, in_words, thing_of


def test_a_wrong_id_in_the_address_says_what_is_missing_and_what_ids_look_like() -> None:
    errors = [
        {
            "type": "int_parsing",
            "loc": ("path", "case_id"),
            "msg": "Input should be a valid integer",
            "input": "abc",
        }
    ]

    assert address_message(errors) == "There is no case “abc”; case numbers look like 308."
    assert api_message(errors) == address_message(errors)
    [problem] = in_words(errors)
    assert problem["loc"] == ["path", "case_id"]
    assert problem["msg"] == "There is no case “abc”; case numbers look like 308."


def test_field_problems_are_words_without_pydantic_internals() -> None:
    errors = [
        {
            "type": "int_parsing",
            "loc": ("query", "limit"),
            "msg": "Input should be a valid integer",
            "input": "x",
        },
        {
            "type": "less_than_equal",
            "loc": ("body", "case_ids"),
            "msg": "…",
            "ctx": {"le": 100},
            "input": 200,
        },
        {
            "type": "missing",
            "loc": ("body", "action"),
            "msg": "Field required",
            "url": "https://errors.pydantic.dev",
        },
    ]

    problems = in_words(errors)

    assert [p["msg"] for p in problems] == ["must be a whole number", "must be at most 100", "is missing"]
    assert all("url" not in p and "ctx" not in p for p in problems)
    assert "Input should" not in api_message(errors)
    assert api_message(errors).startswith("“limit” must be a whole number.")


def test_huge_numbers_in_the_address_are_described_not_echoed() -> None:
    errors = [{"type": "less_than_equal", "loc": ("path", "incident_id"), "input": 10**400, "ctx": {"le": 1}}]

    assert address_message(errors).startswith("There is no incident “an integer of 1329 bits”")


def test_path_parameters_name_things_people_know() -> None:
    assert (thing_of("case_id"), thing_of("mention_id"), thing_of("point_id")) == (
        "case",
        "message",
        "talking point",
    )
