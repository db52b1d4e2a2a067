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


#: how much of a repeated key the answer shows
SHOWN_CHARS = 60


def _shown(key: str) -> str:
    """The key as an answer can carry it: escaped where it holds what JSON cannot encode (a lone
    surrogate), and cut short."""
    safe = key if _encodes(key) else ascii(key)[1:-1]
    return safe if len(safe) <= SHOWN_CHARS else safe[:SHOWN_CHARS] + "…"


def _encodes(key: str) -> bool:
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return key.isprintable()


def _refused(loc: tuple[str, ...], message: str) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": loc, "msg": message, "input": None}])


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
        key = _shown(repeated.key)
        raise _refused(
            ("body", key), f"Value error, the key {key!r} is given twice in one object; send each key once"
        ) from None
    except RecursionError:
        # FastAPI read it, a little higher on the stack: refused rather than let a repeated key by
        raise _refused(
            ("body",), "Value error, nested too deeply to be checked; send a few hundred levels at most"
        ) from None
    except ValueError:
        return  # a body FastAPI could not read was answered before any dependency ran
