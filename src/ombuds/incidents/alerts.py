"""Which alerts an incident change raises, where they go and when: thresholds and quiet hours.

Decisions only: ``incidents.actions`` writes the alerts these plans describe. Alerts are
written to an outbox in the same transaction as the incident change; delivery
(``incidents.delivery``) sends them after commit, so a rolled-back batch never alerts and a
crash after commit loses nothing. Every change raises one in-app alert; each of the brand's
channels gets its own if the severity reaches the channel's threshold. Inside a channel's
quiet hours only critical alerts go out; the others are held until the quiet hours end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ombuds.cases.privacy import mask_found
from ombuds.errors import InvalidInput
from ombuds.incidents.detectors import Severity
from ombuds.incidents.models import AlertChannel, AlertKind, AlertStatus, Incident
from ombuds.timezones import is_time_zone, unknown_zone_message

SEVERITY_MARK = {"low": "⚪", "medium": "🟡", "high": "🟠", "critical": "🔴"}


def in_quiet_hours(
    moment: datetime, *, quiet_from: int | None, quiet_until: int | None, timezone: str
) -> bool:
    """Is ``moment`` inside the local hours [quiet_from, quiet_until)? The range may wrap midnight."""
    if quiet_from is None or quiet_until is None or quiet_from == quiet_until:
        return False
    hour = moment.astimezone(_zone(timezone)).hour
    if quiet_from < quiet_until:
        return quiet_from <= hour < quiet_until
    return hour >= quiet_from or hour < quiet_until


def quiet_hours_end(moment: datetime, *, quiet_until: int, timezone: str) -> datetime:
    """The next local ``quiet_until`` o'clock after ``moment``."""
    zone = _zone(timezone)
    local = moment.astimezone(zone)
    end = datetime.combine(local.date(), time(hour=quiet_until), tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), time(hour=quiet_until), tzinfo=zone)
    return end.astimezone(moment.tzinfo)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def alert_payload(
    incident: Incident, *, reason: str, path: str, mask: Callable[[str], str] = mask_found
) -> dict[str, Any]:
    """What every channel says: Slack-compatible ``text`` and ``blocks``, plus plain fields.

    Personal data in the title and the quoted message is masked (``mask``: what the analyzer finds,
    and the caller may add the values known from the customer's other messages): a chat room or a
    mailbox is read by whoever is in it, with no role to check (as the weekly digest masks it)."""
    verb = "New incident" if reason == "opened" else f"Incident now {incident.severity.value}"
    mark = SEVERITY_MARK.get(incident.severity.value, "")
    # the two strings that can hold a customer's words, masked once, before anything is cut
    title, representative = mask(incident.title), mask(incident.representative_text)
    headline = f"{mark} {verb}: {title}".strip()
    quote = representative.strip().replace("\n", " ")[:280]
    counts = (
        f"{incident.mention_count} mentions from {incident.author_count} people · "
        f"signal: {incident.signal} · severity: {incident.severity.value}"
    )
    return {
        "text": f"{headline}\n> {quote}\n{counts}\n{path}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": f"> {quote}"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": counts}]},
            {"type": "section", "text": {"type": "mrkdwn", "text": f"<{path}|Open the incident>"}},
        ],
        "incident": {
            "id": incident.id,
            "title": title,
            "severity": incident.severity.value,
            "signal": incident.signal,
            "status": incident.status.value,
            "mention_count": incident.mention_count,
            "representative_text": representative,
            "opened_at": incident.opened_at.isoformat(),
            "path": path,
        },
        "reason": reason,
    }


@dataclass(frozen=True, slots=True)
class AlertPlan:
    """One alert an incident change raises: its channel (None: in the app), status and when it is due."""

    channel_id: int | None
    kind: AlertKind
    status: AlertStatus
    due_at: datetime


def plan_alerts(severity: Severity, *, at: datetime, channels: Iterable[AlertChannel]) -> list[AlertPlan]:
    """The alerts one change raises: always one in the app, and one per active outside channel."""
    plans = [AlertPlan(None, AlertKind.IN_APP, AlertStatus.SENT, at)]
    for channel in channels:
        if channel.kind is AlertKind.IN_APP or not channel.is_active:
            continue
        status, due = AlertStatus.PENDING, at
        if severity.rank < channel.min_severity.rank:
            status = AlertStatus.SKIPPED
        elif severity is not Severity.CRITICAL and in_quiet_hours(
            at,
            quiet_from=channel.quiet_from_hour,
            quiet_until=channel.quiet_until_hour,
            timezone=channel.timezone,
        ):
            assert channel.quiet_until_hour is not None
            status = AlertStatus.HELD
            due = quiet_hours_end(at, quiet_until=channel.quiet_until_hour, timezone=channel.timezone)
        plans.append(AlertPlan(channel.id, channel.kind, status, due))
    return plans


def check_channel(
    kind: AlertKind,
    *,
    target: str,
    quiet_from_hour: int | None,
    quiet_until_hour: int | None,
    timezone: str = "UTC",
) -> None:
    """Refuse a channel that could never deliver: a webhook without a URL, hours outside 0–23,
    quiet hours in a zone that is not a real IANA zone (they would silently fall back to UTC)."""
    if kind is AlertKind.WEBHOOK and not target.startswith(("http://", "https://")):
        raise InvalidInput("target: a webhook needs an http(s) URL")
    if kind is AlertKind.EMAIL and "@" not in target:
        raise InvalidInput("target: an email channel needs an address")
    for hour in (quiet_from_hour, quiet_until_hour):
        if hour is not None and not 0 <= hour <= 23:
            raise InvalidInput("quiet hours: hours run from 0 to 23")
    if not is_time_zone(timezone):
        raise InvalidInput(f"timezone: {unknown_zone_message(timezone)}")
