"""What a request that fails validation is told: JSON that can always be written, or words for a page.

Pure: works on the error dictionaries pydantic and FastAPI produce.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ombuds.fields import INT64_MAX, INT64_MIN

#: How many problems a page names; the rest are summed up.
SHOWN_ON_PAGE = 3

_PHRASES = {
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "bool_parsing": "must be true or false",
    "missing": "is missing",
    "string_type": "must be text",
    "json_invalid": "is not valid JSON",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "must be at least {}"),
    "greater_than": ("gt", "must be more than {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "less_than": ("lt", "must be less than {}"),
    "string_too_long": ("max_length", "is too long: at most {} characters"),
    "too_long": ("max_length", "is too long: at most {}"),
    "string_too_short": ("min_length", "is too short: at least {} characters"),
    "too_short": ("min_length", "is too short: at least {}"),
}


def json_safe(value: Any) -> Any:
    """``value`` with what JSON cannot carry (infinity, NaN, integers of thousands of digits) as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool) and not INT64_MIN <= value <= INT64_MAX:
        return f"an integer of {value.bit_length()} bits"
    if isinstance(value, Mapping):
        return {str(key): json_safe(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(inner) for inner in value]
    return value


def is_about_the_address(errors: Sequence[Mapping[str, Any]]) -> bool:
    """A path parameter is wrong: the page asked for cannot exist, which people know as 'not found'."""
    return any(tuple(error.get("loc", ()))[:1] == ("path",) for error in errors)


#: What a path parameter names, where its name alone does not say it well.
_THINGS = {"mention_id": "message", "point_id": "talking point", "item_id": "item", "option_id": "option"}
#: A number shown as an example of what ids look like.
EXAMPLE_ID = 308


def thing_of(parameter: str) -> str:
    """The thing a path parameter names, in words: ``case_id`` → ``case``, ``mention_id`` → ``message``."""
    return _THINGS.get(parameter, parameter.removesuffix("_id").replace("_", " "))


def _shown(value: object) -> str:
    text = str(json_safe(value))
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def address_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """What a wrong id in the address means: "There is no case “abc”; case numbers look like 308."."""
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if loc[:1] == ("path",) and len(loc) > 1:
            thing = thing_of(str(loc[1]))
            if str(loc[1]).endswith("_id"):
                return f"There is no {thing} {_shown(error.get('input'))}; {thing} numbers look like {EXAMPLE_ID}."
            return f"There is no {thing} {_shown(error.get('input'))}."
    return "There is nothing at this address."


def in_words(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The problems of an API request, each with its field and a ``msg`` a person can read.

    The shape stays FastAPI's (``loc``, ``msg``, ``type``) so clients that read ``loc`` keep working;
    the pydantic internals ("Input should be a valid integer", ``ctx``, ``url``) do not leave.
    """
    problems = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        message = address_message([error]) if loc[:1] == ("path",) else _phrase(error)
        problem: dict[str, Any] = {"loc": list(loc), "msg": message, "type": str(error.get("type", ""))}
        if loc[:1] != ("body",) and "input" in error:
            problem["input"] = error["input"]
        problems.append(problem)
    return json_safe(problems)  # type: ignore[no-any-return]


def api_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """One line for the whole answer: the address's problem, else the fields' problems in a sentence."""
    if is_about_the_address(errors):
        return address_message(errors)
    return page_message(errors)


def _name(loc: Sequence[object]) -> str:
    parts = [str(part) for part in loc[1:] if not isinstance(part, int)] or [str(part) for part in loc]
    return ".".join(parts) or "the request"


def _phrase(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    if kind in _PHRASES:
        return _PHRASES[kind]
    if kind in _BOUNDS:
        key, template = _BOUNDS[kind]
        bound = (error.get("ctx") or {}).get(key)
        if bound is not None:
            return template.format(f"{bound:,}" if isinstance(bound, int) else bound)
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    if message.startswith("Input should "):
        return message.removeprefix("Input ")
    return message


def page_message(errors: Sequence[Mapping[str, Any]]) -> str:
    """One sentence per problem, naming the field, in words a person reads on a page."""
    sentences = [
        f"“{_name(tuple(error.get('loc', ())))}” {_phrase(error)}." for error in errors[:SHOWN_ON_PAGE]
    ]
    if len(errors) > SHOWN_ON_PAGE:
        sentences.append(f"({len(errors) - SHOWN_ON_PAGE} more problems.)")
    return " ".join(sentences) or "The request could not be read."
