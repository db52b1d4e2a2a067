"""A JSON body is read once more for keys given twice; what cannot be checked is refused, not let by."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

from ombuds.web.repeated_keys import refuse_repeated_keys


def _request(body: bytes, content_type: str | None = "application/json") -> Request:
    headers = [(b"content-type", content_type.encode())] if content_type else []
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request({"type": "http", "method": "POST", "headers": headers}, receive)


def _check(body: bytes, content_type: str | None = "application/json") -> list[dict[str, object]]:
    try:
        asyncio.run(refuse_repeated_keys(_request(body, content_type)))
    except RequestValidationError as refused:
        return list(refused.errors())
    return []


def test_a_key_given_twice_anywhere_is_named_and_one_given_once_passes() -> None:
    assert _check(b'{"text": "a", "note": {"text": "b"}}') == []
    [problem] = _check(b'{"items": [{"id": 1, "id": 2}]}')
    assert problem["loc"] == ("body", "id")
    assert "given twice" in str(problem["msg"])
    assert _check(b'{"a": 1, "a": 2}', content_type=None), "FastAPI reads a body of no stated type as JSON"
    assert _check(b'{"a": 1, "a": 2}', content_type="text/plain") == []


def test_a_key_json_cannot_write_back_is_named_escaped_and_a_long_one_cut_short() -> None:
    [lone] = _check(b'{"\\ud800": 1, "\\ud800": 2}')
    assert lone["loc"] == ("body", "\\ud800")
    [long] = _check(('{"' + "k" * 5000 + '": 1, "' + "k" * 5000 + '": 2}').encode())
    assert len(str(long["loc"][-1])) <= 61
    assert len(str(long["msg"])) < 200


@pytest.mark.parametrize("depth", [100_000])
def test_a_body_nested_past_what_the_check_can_follow_is_refused(depth: int) -> None:
    [problem] = _check(b'{"text": "a", "text": "b", "pad": ' + b"[" * depth + b"]" * depth + b"}")
    assert problem["loc"] == ("body",)
    assert "nested too deeply" in str(problem["msg"])
