"""Signed webhooks in: another system pushes mentions; the per-source secret signs each request.

Nothing is fetched: ``POST /api/v1/hooks/{source_id}`` (``ombuds.sources.hooks``) checks the
signature and ingests. The signing rule lives here, apart from the web, so senders can reuse it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from ombuds.connectors.base import Fetcher, Sink

SIGNATURE_PREFIX = "sha256="
WINDOW_SECONDS = 300


class WebhookConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret: str = Field(min_length=16, max_length=200, description="Signs each request (HMAC-SHA256).")


_SIGNATURE = re.compile(r"sha256=[0-9a-f]{64}", re.ASCII)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def signature(secret: str, *, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, "<timestamp>." + body), as senders compute it."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def normal_signature(given: str) -> str | None:
    """The header as one exact form (``sha256=`` and 64 lowercase hex digits), or None.

    The same form is checked and remembered against replays: a header padded or cased
    differently is the same signature, never a new one.
    """
    found = _SIGNATURE.fullmatch(given.strip(" \t").lower())
    return found.group(0) if found else None


def signature_matches(secret: str, *, timestamp: str, body: bytes, given: str) -> bool:
    """Whether ``given`` (a ``normal_signature``) is the request's signature, in constant time."""
    return hmac.compare_digest(signature(secret, timestamp=timestamp, body=body), given)


class WebhookKind:
    name: ClassVar[str] = "webhook"
    title: ClassVar[str] = "Signed webhook (another system pushes mentions)"
    config_model: ClassVar[type[BaseModel]] = WebhookConfig
    secret_fields: ClassVar[frozenset[str]] = frozenset({"secret"})
    polls: ClassVar[bool] = False

    def fetcher(self, config: BaseModel, *, timeout: float) -> Fetcher | None:
        return None

    def sink(self, config: BaseModel, *, timeout: float) -> Sink | None:
        return None
