"""Alert channels (add, send a test through the real delivery path) and data sources (add, pause,
resume, their health: last success and error, failures, next poll, items per hour, lag), and the
dead letters: records a source brought that could not be read, to retry after a fix or discard."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.admin.access import admin_brand, owned, required
from ombuds.clock import utcnow
from ombuds.connectors.registry import installed_kinds
from ombuds.connectors.secrets import shown_config
from ombuds.connectors.webhook import new_secret
from ombuds.errors import Conflict, InvalidInput
from ombuds.fields import AsTyped, Id, NoNul
from ombuds.incidents import actions as incidents
from ombuds.incidents.channel_trial import send_test_alert
from ombuds.incidents.detectors.types import Severity
from ombuds.incidents.models import AlertChannel, AlertKind, AlertStatus
from ombuds.mentions import actions as mentions
from ombuds.mentions.models import Source
from ombuds.mentions.queries import get_source_by_name, list_source_health
from ombuds.sources import actions as sources
from ombuds.sources.models import DeadLetter
from ombuds.sources.queries import list_dead_letters, list_health
from ombuds.web.deps import CurrentUser, DbSession, app_secret_box
from ombuds.web.templating import flash, render

router = APIRouter()

Text = Annotated[str, Form(max_length=1000), NoNul]
MAX_SHOWN_PAYLOAD = 20_000

KIND_WORDS = {
    AlertKind.WEBHOOK: "Webhook (Slack-compatible JSON POST)",
    AlertKind.EMAIL: "Email",
    AlertKind.IN_APP: "In the app (Notifications)",
}
#: Sources without a connector: mentions pushed to the API or imported from files.
PLAIN_SOURCE_KINDS = {
    "api": "Pushed to the mentions API",
    "file": "Files imported with the ombuds import command",
}


def source_kinds() -> dict[str, str]:
    """Every kind a source can have: the installed connectors, then the plain kinds."""
    return {name: kind.title for name, kind in installed_kinds().items()} | PLAIN_SOURCE_KINDS


def _hour(value: str, *, field: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 2 and int(text) <= 23):
        raise InvalidInput(f"{field}: an hour from 0 to 23")
    return int(text)


@router.get("/admin/alerts")
def channels_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in)
    channels = list(
        session.scalars(
            select(AlertChannel).where(AlertChannel.brand_id == brand.id).order_by(AlertChannel.id)
        )
    )
    return render(
        request,
        "admin/alerts.html",
        {"brand": brand, "channels": channels, "kinds": KIND_WORDS, "severities": list(Severity)},
        signed_in=signed_in,
    )


@router.post("/admin/alerts")
def add_channel(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    name: Text = "",
    kind: Text = "",
    target: Text = "",
    min_severity: Text = "medium",
    quiet_from_hour: Text = "",
    quiet_until_hour: Text = "",
    timezone: Text = "UTC",
) -> Response:
    brand = admin_brand(signed_in)
    try:
        chosen, severity = AlertKind(kind), Severity(min_severity)
    except ValueError:
        raise InvalidInput(
            f"kind and min_severity: one of {', '.join(AlertKind)}; one of {', '.join(Severity)}"
        ) from None
    zone = timezone.strip() or "UTC"  # incidents.add_channel refuses a name that is no IANA zone
    quiet = (
        _hour(quiet_from_hour, field="quiet_from_hour"),
        _hour(quiet_until_hour, field="quiet_until_hour"),
    )
    if (quiet[0] is None) != (quiet[1] is None):
        raise InvalidInput("quiet hours: give both the start and the end, or neither")
    channel = incidents.add_channel(
        session,
        brand_id=brand.id,
        name=required(name, field="name", most=100),
        kind=chosen,
        target=target.strip()[:500],
        min_severity=severity,
        quiet_from_hour=quiet[0],
        quiet_until_hour=quiet[1],
        timezone=zone,
    )
    flash(request, f"Channel {channel.name} is added; send it a test to check it delivers.", "success")
    return RedirectResponse("/admin/alerts", status_code=303)


@router.post("/admin/alerts/{channel_id}/test")
def test_channel(channel_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """Send one test alert now, the way incidents are sent, and say what happened."""
    brand = admin_brand(signed_in)
    channel = owned(session, AlertChannel, channel_id, brand=brand, what="alert channel")
    session.commit()  # the send runs in its own transactions; this one holds nothing
    sent = send_test_alert(
        request.app.state.session_factory,
        brand_id=brand.id,
        channel_id=channel.id,
        sender=signed_in.user.name,
        settings=request.app.state.settings,
    )
    if sent.status is AlertStatus.SENT:
        flash(request, f"The test alert went out to {channel.name}.", "success")
    else:
        flash(request, f"The test alert to {channel.name} failed: {sent.error}", "error")
    return RedirectResponse("/admin/alerts", status_code=303)


# --- data sources ---------------------------------------------------------------------------------


def _sources_context(session: Session, brand: Brand) -> dict[str, Any]:
    health = {row.source.id: row for row in list_health(session, brand_id=brand.id)}
    rows = []
    for counted in list_source_health(session, brand_id=brand.id):
        source = counted.source
        kind = installed_kinds().get(source.kind)
        rows.append(
            {
                "counted": counted,
                "health": health.get(source.id),
                "config": shown_config(kind, source.config) if kind is not None else {},
            }
        )
    return {
        "brand": brand,
        "rows": rows,
        "kinds": source_kinds(),
        "now": utcnow(),
        "created": None,
        "secret": None,
    }


@router.get("/admin/sources")
def sources_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in)
    return render(request, "admin/sources.html", _sources_context(session, brand), signed_in=signed_in)


@router.post("/admin/sources")
def add_source(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    name: Text = "",
    kind: Text = "",
    url: Text = "",
    every: Text = "",
) -> Response:
    """Add a source; a connector's config comes from the form (an RSS feed's address, ...)."""
    brand = admin_brand(signed_in)
    name = required(name, field="name")
    if kind not in source_kinds():
        raise InvalidInput(f"kind: one of {', '.join(source_kinds())}")
    if get_source_by_name(session, brand_id=brand.id, name=name) is not None:
        raise Conflict(f"name: {brand.name} has a source called {name!r} already")
    if kind in PLAIN_SOURCE_KINDS:
        mentions.get_or_create_source(session, brand_id=brand.id, kind=kind, name=name)
        flash(request, f"Source {name} is added.", "success")
        return RedirectResponse("/admin/sources", status_code=303)
    connector = installed_kinds()[kind]
    values: dict[str, Any] = {"url": url.strip()} if url.strip() else {}
    secret = new_secret() if "secret" in connector.secret_fields else None  # a webhook's, shown once
    if secret is not None:
        values["secret"] = secret
    seconds = every.strip()
    if seconds and not (seconds.isascii() and seconds.isdigit() and len(seconds) <= 7):
        raise InvalidInput("every: a whole number of seconds")
    source = sources.add_source(
        session,
        brand_id=brand.id,
        kind=connector,
        name=name,
        config=values,
        box=app_secret_box(request),
        every_seconds=int(seconds) if seconds else None,
    )
    if secret is None:
        flash(request, f"Source {name} is added; its first poll is due now.", "success")
        return RedirectResponse("/admin/sources", status_code=303)
    session.flush()
    context = _sources_context(session, brand) | {"created": source, "secret": secret}
    return render(request, "admin/sources.html", context, signed_in=signed_in)


@router.post("/admin/sources/{source_id}/pause")
def pause_source(source_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in)
    source = owned(session, Source, source_id, brand=brand, what="source")
    if mentions.set_source_paused(
        session, source=source, paused=True, at=utcnow(), actor_id=signed_in.user.id
    ):
        flash(request, f"Source {source.name} is paused.", "success")
    return RedirectResponse("/admin/sources", status_code=303)


@router.post("/admin/sources/{source_id}/resume")
def resume_source(source_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in)
    source = owned(session, Source, source_id, brand=brand, what="source")
    if mentions.set_source_paused(
        session, source=source, paused=False, at=utcnow(), actor_id=signed_in.user.id
    ):
        flash(request, f"Source {source.name} runs again.", "success")
    return RedirectResponse("/admin/sources", status_code=303)


# --- dead letters ---------------------------------------------------------------------------------


@router.get("/admin/sources/dead-letters")
def dead_letters_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """The records sources brought that could not become mentions, open ones first."""
    brand = admin_brand(signed_in)
    letters = list_dead_letters(session, brand_id=brand.id)
    names = {row.source.id: row.source.name for row in list_health(session, brand_id=brand.id)}
    shown = [
        {
            "letter": letter,
            "source_name": names.get(letter.source_id, str(letter.source_id)),
            "payload": letter.raw[:MAX_SHOWN_PAYLOAD].decode("utf-8", errors="replace"),
            "fields": json.dumps(letter.fields, ensure_ascii=False, indent=2)
            if letter.fields is not None
            else "",
        }
        for letter in letters
    ]
    return render(request, "admin/dead_letters.html", {"brand": brand, "letters": shown}, signed_in=signed_in)


@router.post("/admin/sources/dead-letters/{letter_id}/retry")
def retry_dead_letter(
    letter_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    fields: Annotated[str, AsTyped, Form(max_length=200_000), NoNul] = "",
) -> Response:
    """Try the record again, with its fields as corrected in the form."""
    brand = admin_brand(signed_in)
    letter = owned(session, DeadLetter, letter_id, brand=brand, what="dead letter")
    corrected: dict[str, Any] | None = None
    if fields.strip():
        try:
            parsed = json.loads(fields)
        except RecursionError:
            raise InvalidInput("fields: not JSON that can be read (nested too deeply)") from None
        except ValueError as exc:
            raise InvalidInput(f"fields: not JSON ({exc})") from None
        if not isinstance(parsed, dict):
            raise InvalidInput("fields: a JSON object of the mention's fields")
        corrected = parsed
    result = sources.retry_dead_letter(
        session, letter=letter, actor_id=signed_in.user.id, now=utcnow(), fields=corrected
    )
    words = "is now a mention" if result.imported else "was a mention already"
    flash(request, f"Dead letter {letter_id} {words}.", "success")
    return RedirectResponse("/admin/sources/dead-letters", status_code=303)


@router.post("/admin/sources/dead-letters/{letter_id}/discard")
def discard_dead_letter(
    letter_id: Id, request: Request, signed_in: CurrentUser, session: DbSession
) -> Response:
    """Give up on the record; it stays listed as discarded, with who did it."""
    brand = admin_brand(signed_in)
    letter = owned(session, DeadLetter, letter_id, brand=brand, what="dead letter")
    sources.discard_dead_letter(session, letter=letter, actor_id=signed_in.user.id, now=utcnow())
    flash(request, f"Dead letter {letter_id} is discarded.", "success")
    return RedirectResponse("/admin/sources/dead-letters", status_code=303)
