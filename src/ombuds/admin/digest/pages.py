"""The weekly digest's schedule in the app (admins and managers): the day and hour in the brand's
time zone, who gets it, a send now to one address through the real delivery path, and how the
last sends went (the week last sent, the last error and the next attempt)."""

from __future__ import annotations

import smtplib
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ombuds.admin.access import admin_brand, required
from ombuds.clock import as_utc
from ombuds.errors import InvalidInput
from ombuds.fields import AsTyped, NoNul
from ombuds.metrics.digest import weekly_digest
from ombuds.metrics.mail import digest_readers, send_digest, smtp_failure
from ombuds.metrics.schedule import DAYS, WEEK, check_recipients, parse_day, parse_recipients
from ombuds.metrics.scheduling import get_digest_schedule, remove_digest_schedule, set_digest_schedule
from ombuds.routing.queries import brand_timezone
from ombuds.web.admin_sections import KEEPERS
from ombuds.web.deps import CurrentUser, DbSession
from ombuds.web.templating import flash, render, zone_words

router = APIRouter()

Text = Annotated[str, AsTyped, Form(max_length=1000), NoNul]
Recipients = Annotated[str, Form(max_length=20_000), NoNul]


def _hour(value: str) -> int:
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 2 and int(text) <= 23):
        raise InvalidInput(f"hour: a whole hour from 0 to 23, not {text[:20]!r}")
    return int(text)


def _local(moment: datetime | None, timezone: str) -> str | None:
    if moment is None:
        return None
    return f"{as_utc(moment).astimezone(ZoneInfo(timezone)):%a %d %b %Y %H:%M} ({timezone})"


@router.get("/admin/digest")
def digest_page(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in, KEEPERS)
    schedule = get_digest_schedule(session, brand.id)
    timezone = brand_timezone(session, brand.id)
    context: dict[str, Any] = {
        "brand": brand,
        "schedule": schedule,
        "timezone": timezone,
        "days": DAYS,
        "readers": digest_readers(session, brand),
        "told_of": None,
        "last_sent": None,
        "last_failed": None,
        "next_attempt": None,
    }
    if schedule is not None:
        context |= {
            # the week a digest is sent in tells of the week before it; a new schedule's last_week
            # only marks a send moment already past when it was saved, nothing sent
            "told_of": (
                schedule.last_week - WEEK
                if schedule.last_week is not None and schedule.last_sent_at is not None
                else None
            ),
            "last_sent": _local(schedule.last_sent_at, timezone),
            "last_failed": _local(schedule.last_failed_at, timezone),
            "next_attempt": _local(schedule.next_attempt_at, timezone),
        }
    return render(request, "admin/digest.html", context, signed_in=signed_in)


@router.post("/admin/digest")
def save_schedule(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    day: Text = "",
    hour: Text = "",
    recipients: Recipients = "",
) -> Response:
    """Send the digest every week at this day and hour of the brand's time zone."""
    brand = admin_brand(signed_in, KEEPERS)
    try:
        weekday = parse_day(required(day, field="day"))
        addresses = parse_recipients(recipients)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    at = _hour(hour)
    set_digest_schedule(
        session, brand=brand, weekday=weekday, hour=at, recipients=addresses, actor_id=signed_in.user.id
    )
    readers = ", ".join(addresses) if addresses else "the brand's admins and managers"
    timezone = brand_timezone(session, brand.id)
    flash(
        request,
        f"The digest goes out every {DAYS[weekday].title()} at {at:02d}:00 {zone_words(timezone)} time to {readers}.",
        "success",
    )
    return RedirectResponse("/admin/digest", status_code=303)


@router.post("/admin/digest/stop")
def stop_schedule(request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    brand = admin_brand(signed_in, KEEPERS)
    if remove_digest_schedule(session, brand=brand, actor_id=signed_in.user.id):
        flash(request, "The weekly digest is no longer sent.", "success")
    return RedirectResponse("/admin/digest", status_code=303)


@router.post("/admin/digest/send")
def send_now(request: Request, signed_in: CurrentUser, session: DbSession, to: Text = "") -> Response:
    """Send last week's digest now to one address, the way the schedule sends it, and say how it went."""
    brand = admin_brand(signed_in, KEEPERS)
    try:
        address = check_recipients([required(to, field="to", most=320)], field="to")[0]
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    settings = request.app.state.settings
    digest = weekly_digest(session, brand=brand)
    session.commit()  # the send can take seconds; this request holds nothing meanwhile
    try:
        send_digest(digest, to=[address], settings=settings)
    except (smtplib.SMTPException, OSError) as exc:
        flash(
            request, f"The digest was not sent to {address}: {smtp_failure(exc, settings=settings)}.", "error"
        )
    else:
        flash(request, f"The digest of the week of {digest.week:%d %b %Y} went out to {address}.", "success")
    return RedirectResponse("/admin/digest", status_code=303)
