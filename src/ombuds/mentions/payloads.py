"""Split a JSON request body into its items, keeping each item's exact text as its raw payload.

Pure. ``json.loads`` would lose the bytes a client sent; decoding item by item from their
offsets keeps them, so a stored mention can always be traced to what arrived.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

_WHITESPACE = " \t\n\r"


class PayloadError(ValueError):
    """The body is not the JSON it should be; the message says where."""


@dataclass(frozen=True, slots=True)
class JsonItem:
    value: object
    raw: bytes


def _reject_constant(name: str) -> object:
    raise PayloadError(f"{name} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def _decode(text: str, index: int) -> tuple[object, int]:
    try:
        return _DECODER.raw_decode(text, index)
    except json.JSONDecodeError as exc:
        raise PayloadError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except PayloadError:
        raise
    except RecursionError:
        raise PayloadError(f"invalid JSON: nested too deeply in the value at character {index + 1}") from None
    except ValueError:  # an integer past Python's int-string limit (4,300 digits)
        raise PayloadError(
            f"invalid JSON: a number too long to read in the value at character {index + 1}"
        ) from None


def split_json_items(body: bytes) -> tuple[list[JsonItem], bool]:
    """The items of a body holding one JSON value or an array of them, and whether it was an array."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"the body is not UTF-8 (byte {exc.start + 1})") from None
    index = _skip(text, 0)
    if index == len(text):
        raise PayloadError("the body is empty")
    if text[index] != "[":
        value, end = _decode(text, index)
        if _skip(text, end) != len(text):
            raise PayloadError(f"unexpected data after the JSON value at character {end + 1}")
        return [JsonItem(value, text[index:end].encode())], False
    items: list[JsonItem] = []
    index = _skip(text, index + 1)
    if index < len(text) and text[index] == "]":
        index += 1
    else:
        while True:
            value, end = _decode(text, index)
            items.append(JsonItem(value, text[index:end].encode()))
            index = _skip(text, end)
            if index < len(text) and text[index] == ",":
                index = _skip(text, index + 1)
                continue
            if index < len(text) and text[index] == "]":
                index += 1
                break
            raise PayloadError(f"expected ',' or ']' at character {index + 1}")
    if _skip(text, index) != len(text):
        raise PayloadError(f"unexpected data after the JSON array at character {index + 1}")
    return items, True
