"""CSRF tokens for forms: one random token per session, echoed by every unsafe request."""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from typing import Any

from fastapi import Request

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_SESSION_KEY = "csrf_token"


class CsrfRejected(Exception):
    """An unsafe request without the session's CSRF token: likely forged, or a form left open too long."""


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's token, created on first use so anonymous forms (sign-in) are protected too."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = token
    return token


def is_valid(session: MutableMapping[str, Any], presented: str | None) -> bool:
    expected = session.get(_SESSION_KEY)
    if not isinstance(expected, str) or not expected or not presented:
        return False
    return secrets.compare_digest(expected.encode(), presented.encode())


async def verify_csrf(request: Request) -> None:
    """Router dependency: unsafe requests must echo the token in the form field or the header.

    Forms send the hidden ``csrf_token`` field; htmx sends the ``X-CSRF-Token`` header that the
    base layout configures. Starlette caches the parsed form, so the view can still read it.
    """
    if request.method in SAFE_METHODS:
        return
    presented = request.headers.get(HEADER)
    if presented is None:
        form = await request.form()
        value = form.get(FIELD)
        presented = value if isinstance(value, str) else None
    if not is_valid(request.session, presented):
        raise CsrfRejected()
