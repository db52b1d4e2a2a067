"""Alert channels (add, send a test through the real delivery path) and data sources (add, pause,
resume, health as far as it is recorded today: cursor, mentions brought, latest arrival)."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ombuds.admin.access import admin_brand, owned, required
from ombuds.clock import utcnow
from ombuds.errors import Conflict, InvalidInput
from ombuds.fields import Id, NoNul
from ombuds.incidents import actions as incidents
from ombuds.incidents.channel_trial import send_test_alert
from ombuds.incidents.detectors.types import Severity
from ombuds.incidents.models import AlertChannel, AlertKind, AlertStatus
from ombuds.mentions import actions as mentions
from ombuds.mentions.models import Source
from ombuds.mentions.queries import get_source_by_name, list_source_health
from ombuds.web.deps import CurrentUser, DbSession
from ombuds.web.templating import flash, render

router = APIRouter()

Text = Annotated[str, Form(max_length=1000), NoNul]

KIND_WORDS = {
    AlertKind.WEBHOOK: "Webhook (Slack-compatible JSON POST)",
    AlertKind.EMAIL: "Email",
    AlertKind.IN_APP: "In the app (Notifications)",
}
#: The kinds of source that exist today; the connectors add theirs here.
SOURCE_KINDS = {
    "api": "Pushed to the mentions API",
    "file": "Files imported with `ombuds import`",
    "webhook": "Posted by another system's webhook",
}


def _hour(value: str, *, field: str) -> int | None:
    text = value.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > 23:
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
    zone = timezone.strip() or "UTC"
    if zone not in available_timezones():
        raise InvalidInput(f"timezone: {zone[:60]!r} is not a time zone such as Europe/London")
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


@router.get("/admin/sources")
def sources_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in)
    return render(
        request,
        "admin/sources.html",
        {"brand": brand, "sources": list_source_health(session, brand_id=brand.id), "kinds": SOURCE_KINDS},
        signed_in=signed_in,
    )


@router.post("/admin/sources")
def add_source(
    request: Request, signed_in: CurrentUser, session: DbSession, name: Text = "", kind: Text = ""
) -> Response:
    brand = admin_brand(signed_in)
    name = required(name, field="name")
    if kind not in SOURCE_KINDS:
        raise InvalidInput(f"kind: one of {', '.join(SOURCE_KINDS)}")
    if get_source_by_name(session, brand_id=brand.id, name=name) is not None:
        raise Conflict(f"name: {brand.name} has a source called {name!r} already")
    mentions.get_or_create_source(session, brand_id=brand.id, kind=kind, name=name)
    flash(request, f"Source {name} is added.", "success")
    return RedirectResponse("/admin/sources", status_code=303)


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
