"""Signed session cookies that survive clocks a little apart.

Starlette signs the session cookie with the time it was written and refuses it when that time
lies ahead of the reader's clock, even by one second. Two web processes on hosts whose clocks
differ, or one host whose clock is stepped back by its time service, would then drop the
session a moment after it was written: a sign-in form fails with "invalid security token" and
a signed-in person is signed out. A cookie from up to ``CLOCK_SKEW_SECONDS`` in the future is
read; its age limit is unchanged.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Literal

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp

#: How far ahead of this host's clock a cookie's time may be (Kerberos allows five minutes too).
CLOCK_SKEW_SECONDS = 300


class SkewTolerantSigner(TimestampSigner):
    """A ``TimestampSigner`` whose age check allows ``CLOCK_SKEW_SECONDS`` of clock difference."""

    def unsign(
        self, signed_value: str | bytes, max_age: int | None = None, return_timestamp: bool = False
    ) -> Any:
        try:
            value, stamped = super().unsign(signed_value, return_timestamp=True)
        except (ValueError, OverflowError) as exc:  # a time past year 9999, signed with the key
            raise BadSignature("the cookie's time is out of range") from exc
        if not _is_json_object(value):  # Starlette would fail on it: the session is a mapping
            raise BadSignature("the cookie holds no session")
        if max_age is not None:
            age = self.get_timestamp() - int(stamped.timestamp())
            if age > max_age:
                raise SignatureExpired(f"Signature age {age} > {max_age} seconds", payload=value)
            if age < -CLOCK_SKEW_SECONDS:
                raise SignatureExpired(f"Signature written {-age} seconds ahead of this clock", payload=value)
        return (value, stamped) if return_timestamp else value


class Sessions(SessionMiddleware):
    """Starlette's cookie sessions, read with ``SkewTolerantSigner``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret_key: str,
        session_cookie: str,
        max_age: int,
        same_site: Literal["lax", "strict", "none"],
        https_only: bool,
    ) -> None:
        super().__init__(
            app,
            secret_key=secret_key,
            session_cookie=session_cookie,
            max_age=max_age,
            same_site=same_site,
            https_only=https_only,
        )
        self.signer = SkewTolerantSigner(secret_key)


def _is_json_object(payload: bytes) -> bool:
    """Whether a session cookie's payload (base64 of JSON, as Starlette writes it) is an object."""
    try:
        return isinstance(json.loads(base64.b64decode(payload)), dict)
    except (ValueError, binascii.Error, RecursionError):
        return False
