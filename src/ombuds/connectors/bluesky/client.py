"""A Bluesky account's session: ``com.atproto.server.createSession`` with an app password.

The access token is kept in this process until shortly before it expires: Bluesky allows only a
few sessions an account a day (30 per 5 minutes, 300 per day), far fewer than one a poll.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import FetchFailed, SinkRefused
from ombuds.connectors.bluesky.config import BlueskyConfig
from ombuds.connectors.http import Api, KeyedLocks

SESSION_PATH = "/xrpc/com.atproto.server.createSession"
#: A token is renewed this long before it says it expires.
MARGIN = timedelta(minutes=2)
#: How long a token is kept when it does not say (Bluesky's last for about two hours).
DEFAULT_LIFETIME = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Session:
    access_jwt: str
    did: str
    expires_at: datetime


_sessions: dict[tuple[str, str, str], Session] = {}
_locks = KeyedLocks()


def expiry_of(jwt: str, *, now: datetime) -> datetime:
    """When a token stops working, from its ``exp`` claim (read, not verified: the server checks it)."""
    try:
        claims = json.loads(base64.urlsafe_b64decode(jwt.split(".")[1] + "=" * (-len(jwt.split(".")[1]) % 4)))
        return datetime.fromtimestamp(float(claims["exp"]), tz=now.tzinfo) - MARGIN
    except (IndexError, ValueError, KeyError, TypeError):
        return now + DEFAULT_LIFETIME


@dataclass
class Bluesky:
    """The account's PDS, which also answers the app.bsky.* reads on the AppView's behalf."""

    config: BlueskyConfig
    timeout: float
    clock: Clock = utcnow
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        self.api = Api("Bluesky", self.config.service_url, self.timeout, {}, self.clock, self.transport)
        secret = hashlib.sha256(self.config.app_password.encode()).hexdigest()
        self._key = (self.config.service_url.rstrip("/"), self.config.identifier.lower(), secret)

    def session(self, *, writing: bool, fresh: bool = False) -> Session:
        """The kept session, or a new one; a refused sign-in is a ``FetchFailed`` or ``SinkRefused``."""
        now = self.clock()
        with _locks.of(self._key):
            kept = _sessions.get(self._key)
            if kept is not None and not fresh and now < kept.expires_at:
                return kept
            body = {"identifier": self.config.identifier, "password": self.config.app_password}
            with self.api.client() as client:
                if writing:
                    answer = self.api.write_json(client, "POST", SESSION_PATH, json=body)
                else:
                    answer = self.api.read_json(client, "POST", SESSION_PATH, json=body)
            jwt = answer.get("accessJwt") if isinstance(answer, dict) else None
            did = answer.get("did") if isinstance(answer, dict) else None
            if not isinstance(jwt, str) or not isinstance(did, str):
                message = (
                    "Bluesky: createSession answered without a session; check the handle and app password"
                )
                raise (SinkRefused if writing else FetchFailed)(message)
            made = Session(jwt, did, expiry_of(jwt, now=now))
            _sessions[self._key] = made
            return made

    def forget(self) -> None:
        """Drop the kept session (the server said it expired)."""
        with _locks.of(self._key):
            _sessions.pop(self._key, None)
