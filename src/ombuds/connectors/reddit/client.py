"""Reddit's OAuth: an app-only token (client credentials) for reading, or the script app's
account token (password grant) for reading and replying.

A token is kept in this process until shortly before it expires (a day), shared by every poll and
reply of the same app and account: the poller builds a new fetcher for each poll. A token the API
refuses (401) is forgotten, and the request is made once more with a new one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from ombuds.clock import Clock, utcnow
from ombuds.connectors.base import FetchFailed, SinkRefused
from ombuds.connectors.http import Api, KeyedLocks
from ombuds.connectors.reddit.config import RedditConfig

TOKEN_PATH = "/api/v1/access_token"
#: A token is renewed this long before Reddit says it expires.
TOKEN_MARGIN = timedelta(minutes=5)

_tokens: dict[tuple[str, str, str, str], tuple[str, datetime]] = {}
_locks = KeyedLocks()


@dataclass
class Reddit:
    """The API (``oauth.reddit.com``) and the token endpoint (``www.reddit.com``) of one app."""

    config: RedditConfig
    timeout: float
    clock: Clock = utcnow
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        agent = {"User-Agent": self.config.agent}
        self.api = Api("Reddit", self.config.api_url, self.timeout, agent, self.clock, self.transport)
        self.auth = Api("Reddit", self.config.auth_url, self.timeout, agent, self.clock, self.transport)
        secrets = hashlib.sha256(
            f"{self.config.client_secret}\0{self.config.password or ''}".encode()
        ).hexdigest()
        self._key = (
            self.config.auth_url.rstrip("/"),
            self.config.client_id,
            self.config.username or "",
            secrets,
        )

    def bearer(self, *, writing: bool) -> dict[str, str]:
        """The Authorization header, asking for a token when none is held or it is about to expire.

        A refused sign-in is a ``FetchFailed`` for a read and a ``SinkRefused`` for a reply.
        """
        now = self.clock()
        with _locks.of(self._key):
            kept = _tokens.get(self._key)
            if kept is None or now >= kept[1]:
                kept = _tokens[self._key] = self._sign_in(writing=writing, now=now)
        return {"Authorization": f"Bearer {kept[0]}"}

    def forget(self) -> None:
        """Drop the kept token (the API refused it: revoked, or the app's keys changed)."""
        with _locks.of(self._key):
            _tokens.pop(self._key, None)

    def _sign_in(self, *, writing: bool, now: datetime) -> tuple[str, datetime]:
        grant = (
            {"grant_type": "password", "username": self.config.username, "password": self.config.password}
            if self.config.can_reply
            else {"grant_type": "client_credentials"}
        )
        options: dict[str, object] = {
            "data": grant,
            "auth": (self.config.client_id, self.config.client_secret),
        }
        with self.auth.client() as client:
            if writing:
                answer = self.auth.write_json(client, "POST", TOKEN_PATH, **options)
            else:
                answer = self.auth.read_json(client, "POST", TOKEN_PATH, **options)
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            # a wrong password is a 200 whose body says {"error": "invalid_grant"}
            said = answer.get("error") if isinstance(answer, dict) else None
            message = (
                f"Reddit: the sign-in was refused ({str(said)[:100]}); check the app's keys and the account"
            )
            raise (SinkRefused if writing else FetchFailed)(message)
        lasts = answer.get("expires_in") if isinstance(answer, dict) else None
        seconds = lasts if isinstance(lasts, int | float) else 3600
        return token, now + timedelta(seconds=seconds) - TOKEN_MARGIN
