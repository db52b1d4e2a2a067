"""Signed webhooks in: ``POST /api/v1/hooks/{source_id}``, the signature as the only credential.

The sender signs ``"<X-Ombuds-Timestamp>." + raw body`` with the source's secret (HMAC-SHA256) and
sends ``X-Ombuds-Signature: sha256=<hex>``. A timestamp more than 300 s from now, a wrong signature
or one already accepted (a replay) is refused with 401 and logged with its reason, never the secret.
The body is what ``POST /api/v1/mentions`` takes, parsed by the same code.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request, status
from sqlalchemy.orm import Session

from ombuds.clock import utcnow
from ombuds.connectors.registry import get_kind
from ombuds.connectors.secrets import SecretUnreadable, open_config
from ombuds.connectors.webhook import (
    WINDOW_SECONDS,
    WebhookConfig,
    WebhookKind,
    normal_signature,
    signature_matches,
)
from ombuds.errors import InvalidInput
from ombuds.fields import Id
from ombuds.mentions.actions import ingest_mentions
from ombuds.mentions.api import parse_mentions, read_limited_body, wake_pipeline_after_commit
from ombuds.mentions.models import Source
from ombuds.mentions.schemas import MentionIngestRead
from ombuds.sources.actions import claim_webhook_signature, record_push
from ombuds.web.deps import DbSession, app_secret_box
from ombuds.web.throttle import sender_network

log = logging.getLogger(__name__)

router = APIRouter(prefix="/hooks", tags=["webhooks"])

MAX_HOOK_BYTES = 1024 * 1024
PAUSED_RETRY_SECONDS = 300


async def read_hook_body(request: Request) -> bytes:
    return await read_limited_body(request, limit=MAX_HOOK_BYTES)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _refuse(source_id: int, reason: str, request: Request) -> HTTPException:
    log.warning("webhook for source %s from %s refused: %s", source_id, _client(request), reason)
    request.app.state.hook_throttle.refused(f"{sender_network(_client(request))} {source_id}")
    return HTTPException(status.HTTP_401_UNAUTHORIZED, reason)


def _paused_for_refusals(source_id: Id, request: Request) -> None:
    """429 before any work, the body's reading included (a dependency solved before it), for a
    client whose pushes to this source were refused too often."""
    wait = request.app.state.hook_throttle.wait_seconds(f"{sender_network(_client(request))} {source_id}")
    if wait is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many refused pushes to this source from your address; retry after {wait} s",
            headers={"Retry-After": str(wait)},
        )


def _secret(session: Session, source_id: int, request: Request) -> tuple[Source, str] | None:
    source = session.get(Source, source_id)
    if source is None or source.kind != WebhookKind.name:
        return None
    box = app_secret_box(request)
    try:
        config = open_config(get_kind(source.kind), source.config, box, where=f"source {source_id}")
    except SecretUnreadable:
        log.error(
            "webhook source %s: its secret does not open with this secret key; set a new one", source_id
        )
        return None
    except InvalidInput as exc:  # its stored settings no longer validate: say so to the admin, not the caller
        log.error("webhook source %s: %s", source_id, exc)
        return None
    assert isinstance(config, WebhookConfig)
    return source, config.secret


@router.post(
    "/{source_id}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=MentionIngestRead,
    responses={
        401: {"description": "A missing or wrong signature, a timestamp more than 300 s away, or a replay."},
        413: {"description": f"A body over {MAX_HOOK_BYTES} bytes."},
        429: {"description": "Too many refused pushes from this address to this source (Retry-After)."},
        422: {"description": "Invalid JSON or invalid mentions; nothing was stored."},
        503: {"description": "The source is paused; send again later (Retry-After)."},
    },
)
def post_hook(
    source_id: Id,
    request: Request,
    session: DbSession,
    _paused: Annotated[None, Depends(_paused_for_refusals)],
    body: Annotated[bytes, Depends(read_hook_body)],
    timestamp: Annotated[str | None, Header(alias="X-Ombuds-Timestamp")] = None,
    signature: Annotated[str | None, Header(alias="X-Ombuds-Signature")] = None,
) -> MentionIngestRead:
    """Store the mentions another system pushes to a webhook source (one object or an array)."""
    if not timestamp or not signature:
        raise _refuse(source_id, "missing X-Ombuds-Timestamp or X-Ombuds-Signature", request)
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise _refuse(source_id, "X-Ombuds-Timestamp: give unix seconds", request)
    now = utcnow()
    if abs(now.timestamp() - int(timestamp)) > WINDOW_SECONDS:
        raise _refuse(source_id, f"X-Ombuds-Timestamp is more than {WINDOW_SECONDS} s from now", request)
    given = normal_signature(signature)
    found = _secret(session, source_id, request) if given else None
    if (
        found is None
        or given is None
        or not signature_matches(found[1], timestamp=timestamp, body=body, given=given)
    ):
        raise _refuse(source_id, "X-Ombuds-Signature does not match", request)
    source = found[0]
    if source.paused_at is not None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "the source is paused; send again later",
            headers={"Retry-After": str(PAUSED_RETRY_SECONDS)},
        )
    incoming = parse_mentions(body)
    window = timedelta(seconds=WINDOW_SECONDS)
    if not claim_webhook_signature(session, source_id=source.id, signature=given, now=now, window=window):
        raise _refuse(source_id, "replayed request: this signature was accepted already", request)
    result = ingest_mentions(session, source=source, mentions=incoming)
    newest = max(item.mention.created_at for item in incoming)
    record_push(session, source_id=source.id, imported=result.imported, newest_created_at=newest, now=now)
    if result.imported:
        wake_pipeline_after_commit(request, session)
    return MentionIngestRead(imported=result.imported, duplicates=result.duplicates, ids=result.ids)
