"""An API request's JSON body read once more, strictly: a key given twice in one object is refused.

Python's JSON reader keeps the last of two equal keys, so ``{"text": "a", "text": "b"}`` would be
stored as "b" while a proxy, a log or the client's own code that reads the first saw "a". Every API
route depends on ``refuse_repeated_keys``, which runs once FastAPI has read the body and before the
view, and answers such a body with a 422 naming the key.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError


class _RepeatedKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(key)
        found[key] = value
    return found


async def refuse_repeated_keys(request: Request) -> None:
    kind = request.headers.get("content-type")
    if kind is not None and "json" not in kind.lower():  # FastAPI reads a body of no stated type as JSON
        return
    body = await request.body()  # read by FastAPI already: this is the same bytes, kept
    if not body:
        return
    try:
        json.loads(body, object_pairs_hook=_once)
    except _RepeatedKey as repeated:
        raise RequestValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ("body", repeated.key),
                    "msg": f"Value error, the key {repeated.key!r} is given twice in one object; send each key once",
                    "input": None,
                }
            ]
        ) from None
    except (ValueError, RecursionError):
        return  # a body FastAPI could not read was answered before any dependency ran
