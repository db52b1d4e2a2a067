"""JSON routes for mentions: machines push mentions in with a bearer token.

A request is all-or-nothing: if any item is invalid, nothing is stored and the 422 answer
lists every problem with its path (``["body", 3, "created_at"]``). Sending a mention again is
harmless: it counts as a duplicate and its stored id comes back.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import ValidationError
from sqlalchemy import event
from sqlalchemy.orm import Session

from ombuds.mentions.actions import get_or_create_source, ingest_mentions
from ombuds.mentions.payloads import PayloadError, split_json_items
from ombuds.mentions.schemas import IncomingMention, MentionCreate, MentionIngestRead
from ombuds.web.deps import ApiAuth, DbSession

router = APIRouter(prefix="/mentions", tags=["mentions"])

MAX_MENTIONS_PER_REQUEST = 1000
MAX_BODY_BYTES = 10 * 1024 * 1024
SOURCE_KIND = "api"


async def read_limited_body(request: Request, *, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it grows past ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    # isascii: "²".isdigit() is true; 18 digits: int() of thousands of digits raises.
    if declared.isascii() and declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_body(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it grows past ``MAX_BODY_BYTES``."""
    return await read_limited_body(request, limit=MAX_BODY_BYTES)


def too_large(limit: int = MAX_BODY_BYTES) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        f"send at most {limit} bytes and {MAX_MENTIONS_PER_REQUEST} mentions per request",
    )


def _request_body_schema() -> dict[str, Any]:
    item = MentionCreate.model_json_schema()
    many = {"type": "array", "items": item, "minItems": 1, "maxItems": MAX_MENTIONS_PER_REQUEST}
    return {
        "required": True,
        "content": {"application/json": {"schema": {"oneOf": [item, many]}}},
    }


def wake_pipeline_after_commit(request: Request, session: Session) -> None:
    """New mentions are processed at once instead of at the runner's next poll (when one runs here)."""
    wake = getattr(request.app.state, "wake_pipeline", None)
    if wake is not None:
        event.listen(session, "after_commit", lambda _session: wake(), once=True)


def parse_mentions(body: bytes) -> list[IncomingMention]:
    """One mention (a JSON object) or several (an array), each kept with its exact JSON text.

    All or nothing: 422 lists every problem with its path (``["body", 3, "created_at"]``); 413 past
    ``MAX_MENTIONS_PER_REQUEST`` mentions.
    """
    try:
        items, is_list = split_json_items(body)
    except PayloadError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"loc": ["body"], "msg": str(exc), "type": "json_invalid"}],
        ) from None
    if not items:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [{"loc": ["body"], "msg": "send at least one mention", "type": "too_short"}],
        )
    if len(items) > MAX_MENTIONS_PER_REQUEST:
        raise too_large()
    incoming: list[IncomingMention] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        prefix: list[str | int] = ["body", index] if is_list else ["body"]
        try:
            mention = MentionCreate.model_validate_json(item.raw)
        except ValidationError as exc:
            errors.extend(
                {"loc": [*prefix, *error["loc"]], "msg": error["msg"], "type": error["type"]}
                for error in exc.errors()
            )
            continue
        incoming.append(IncomingMention(mention=mention, raw=item.raw, raw_format="json"))
    if errors:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, errors)
    return incoming


@router.post(
    "",
    response_model=MentionIngestRead,
    openapi_extra={"requestBody": _request_body_schema()},
    responses={
        401: {"description": "No bearer token, or an unknown or revoked one."},
        413: {"description": f"More than {MAX_MENTIONS_PER_REQUEST} mentions or {MAX_BODY_BYTES} bytes."},
        422: {"description": "Invalid JSON or invalid mentions; nothing was stored."},
    },
)
def post_mentions(
    request: Request,
    caller: ApiAuth,
    session: DbSession,
    body: Annotated[bytes, Depends(read_body)],
    source: Annotated[
        str,
        Query(
            pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$",
            description="Name of the sending system; mentions are unique per source and external_id.",
        ),
    ] = "default",
) -> MentionIngestRead:
    """Store one mention (a JSON object) or several (an array of up to 1,000).

    Each mention's raw payload is the exact JSON text of its item. ``ids`` has one mention
    id per item, in order, whether the item was new or a duplicate.
    """
    incoming = parse_mentions(body)
    found = get_or_create_source(
        session, brand_id=caller.brand.id, kind=SOURCE_KIND, name=f"{SOURCE_KIND}:{source}"
    )
    result = ingest_mentions(session, source=found, mentions=incoming)
    if result.imported:
        wake_pipeline_after_commit(request, session)
    return MentionIngestRead(imported=result.imported, duplicates=result.duplicates, ids=result.ids)
