"""Throttles: failed sign-ins per account and per client address, API requests per bearer token.

Counts are moving windows from the ``limits`` library, kept in this process's memory: right for
the embedded server, which is one process. Several web processes behind a balancer would each
count on their own (a limit then allows that many times more); they would share a Redis storage.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import time

from limits import RateLimitItem, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

API_PREFIX = "/api/"
THROTTLED_SIGN_IN = (
    "Too many failed sign-ins for this account or from this address. For your safety, signing in "
    "is paused: try again in {wait}."
)


def _wait_seconds(limiter: MovingWindowRateLimiter, item: RateLimitItem, key: str) -> int:
    """Whole seconds until the window has room again (at least 1, so Retry-After never says 0)."""
    reset_at = limiter.get_window_stats(item, key).reset_time
    return max(1, math.ceil(reset_at - time.time()))


class SignInThrottle:
    """Refuses sign-in, even with the right password, after too many failures in a window.

    Two counts, both of failures only: per account (one person's password guessed from many
    addresses) and per client address (many accounts tried from one place). A success clears the
    account's count, not the address's, so an attacker cannot reset it by signing in to their own.
    """

    def __init__(self, *, per_account: int, per_address: int, window_seconds: int) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._account = RateLimitItemPerSecond(per_account, window_seconds, namespace="sign-in-account")
        self._address = RateLimitItemPerSecond(per_address, window_seconds, namespace="sign-in-address")

    @staticmethod
    def _account_key(email: str) -> str:
        return email.strip().lower()

    def wait_seconds(self, *, email: str, address: str) -> int | None:
        """Seconds to wait before this account may be tried from this address again; None if now."""
        waits = [
            _wait_seconds(self._limiter, item, key)
            for item, key in ((self._account, self._account_key(email)), (self._address, address))
            if not self._limiter.test(item, key)
        ]
        return max(waits) if waits else None

    def failed(self, *, email: str, address: str) -> None:
        self._limiter.hit(self._account, self._account_key(email))
        self._limiter.hit(self._address, address)

    def succeeded(self, *, email: str) -> None:
        self._limiter.clear(self._account, self._account_key(email))


class RefusalThrottle:
    """Answers 429 to a client after too many refused requests in a window, before any work.

    For credentials checked against the database (a webhook's signature): each refusal costs a
    lookup, a decryption and a log line, so a flood of forged pushes is stopped here. Only
    refusals count, so a sender whose requests pass is never slowed however many it sends.
    """

    def __init__(self, *, refusals: int, window_seconds: int, namespace: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._item = RateLimitItemPerSecond(refusals, window_seconds, namespace=namespace)

    def wait_seconds(self, key: str) -> int | None:
        """Seconds before ``key`` may try again; None if now."""
        if self._limiter.test(self._item, key):
            return None
        return _wait_seconds(self._limiter, self._item, key)

    def refused(self, key: str) -> None:
        self._limiter.hit(self._item, key)


def sender_network(host: str) -> str:
    """What one sender holds, for counting its refusals: an IPv4 address, or the /64 of an IPv6
    one, since a single IPv6 host is handed a whole /64 and could take a fresh address per try."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else address)


def _bearer_token(scope: Scope) -> str | None:
    scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


class ApiRateLimit:
    """ASGI middleware: at most ``per_minute`` API requests per bearer token, then 429 with Retry-After.

    It counts before the token is looked up, so a flood costs no database work; the key is a hash,
    so no token sits in memory in the clear. Browser sessions calling the API are not counted.
    """

    def __init__(self, app: ASGIApp, *, per_minute: int) -> None:
        self.app = app
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._item = RateLimitItemPerMinute(per_minute, namespace="api-token")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _bearer_token(scope) if scope["type"] == "http" else None
        if token is None or not str(scope.get("path", "")).startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        key = hashlib.sha256(token.encode()).hexdigest()
        if self._limiter.hit(self._item, key):
            await self.app(scope, receive, send)
            return
        wait = _wait_seconds(self._limiter, self._item, key)
        detail = (
            f"rate limit reached: at most {self._item.amount} requests a minute per API token; "
            f"retry after {wait} s"
        )
        body = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(wait).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def describe_wait(seconds: int) -> str:
    """A wait as people say it: '40 seconds', '1 minute', '15 minutes' (rounded up)."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
