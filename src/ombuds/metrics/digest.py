"""The executive digest: the week's few numbers that matter against the week before, the promise
scorecard, the week's incidents and three customer voices, as an HTML email.

Read from the same queries as the API and the dashboard. It leaves the desk by email, so every
customer's word in it is masked, whoever reads it. Its week is the brand's: Monday 00:00 to the
next Monday 00:00 in the brand's time zone (its SLA policy's), named by the brand's dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.cases.privacy import mask_found
from ombuds.clock import as_utc, utcnow
from ombuds.incidents.models import Incident
from ombuds.known_values import KnownValues
from ombuds.metrics import definitions as d
from ombuds.metrics import queries
from ombuds.metrics.schedule import WEEK, last_whole_week, week_bounds
from ombuds.metrics.voice import voice_of_the_customer
from ombuds.personal_values import values_around
from ombuds.promises.scorecard import scorecard
from ombuds.routing.queries import brand_timezone

TEMPLATES = Path(__file__).with_name("templates")
VOICES = 3


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    value: str
    before: str  # the same figure the week before


@dataclass(frozen=True, slots=True)
class PromiseLine:
    text: str
    alignment: str
    volume: int
    contradicting: int


@dataclass(frozen=True, slots=True)
class IncidentLine:
    title: str
    status: str
    severity: str
    opened_at: datetime  # in the brand's time zone


@dataclass(frozen=True, slots=True)
class Voice:
    category: str
    text: str


@dataclass(frozen=True, slots=True)
class Digest:
    brand_name: str
    timezone: str
    week: date  # the local Monday the week starts on
    start: datetime  # that Monday 00:00 local time, in UTC
    end: datetime  # the next Monday 00:00 local time, in UTC
    outcomes: d.Outcomes
    previous: d.Outcomes
    figures: list[Figure]
    promises: list[PromiseLine]
    incidents: list[IncidentLine]
    voices: list[Voice]

    @property
    def last_day(self) -> date:
        return self.week + timedelta(days=6)

    @property
    def subject(self) -> str:
        return (
            f"{self.brand_name}: the week of Monday {self.week:%d %b} to Sunday {self.last_day:%d %b %Y}"
            " in customer care"
        )

    @property
    def hours(self) -> int:
        """168, or 167 and 169 in the weeks the clocks change."""
        return round((self.end - self.start).total_seconds() / 3600)

    @property
    def period(self) -> str:
        """The week in the brand's dates and time zone, said in full."""
        return (
            f"Monday {self.week:%d %b %Y} 00:00 to Monday {self.week + WEEK:%d %b %Y} 00:00, "
            f"{self.timezone} time ({self.hours} hours)"
        )


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _figures(now: d.Outcomes, before: d.Outcomes) -> list[Figure]:
    def debt(o: d.Outcomes) -> str:
        return "–" if o.experience_debt.ratio is None else f"{o.experience_debt.ratio:g} : 1"

    def csat(o: d.Outcomes) -> str:
        return "–" if o.csat.average is None else f"{o.csat.average:g} / 5"

    return [
        Figure("Resolution rate", percent(now.resolution_rate), percent(before.resolution_rate)),
        Figure(
            "First-contact resolution",
            percent(now.first_contact_resolution_rate),
            percent(before.first_contact_resolution_rate),
        ),
        Figure("Reopen rate", percent(now.reopen_rate), percent(before.reopen_rate)),
        Figure("SLA attainment", percent(now.sla_attainment), percent(before.sla_attainment)),
        Figure("CSAT", csat(now), csat(before)),
        Figure("Experience debt (positive : negative, 12 : 1 pays it back)", debt(now), debt(before)),
        Figure("Cases resolved (context)", str(now.cases_resolved), str(before.cases_resolved)),
    ]


def weekly_digest(
    session: Session, *, brand: Brand, now: datetime | None = None, week: date | None = None
) -> Digest:
    """The brand's local week starting on Monday ``week`` (by default the last whole week before
    ``now``), against the week before it."""
    timezone = brand_timezone(session, brand.id)
    monday = week or last_whole_week(now or utcnow(), timezone=timezone)
    start, end = week_bounds(monday, timezone=timezone)
    scope = queries.Scope(brand_id=brand.id, start=start, end=end)
    earlier = queries.Scope(
        brand_id=brand.id, start=week_bounds(monday - WEEK, timezone=timezone)[0], end=start
    )
    found, before = queries.outcomes(session, scope), queries.outcomes(session, earlier)
    incidents = session.scalars(
        select(Incident)
        .where(
            Incident.brand_id == brand.id, Incident.opened_at >= scope.start, Incident.opened_at < scope.end
        )
        .order_by(Incident.opened_at)
    ).all()
    quoted = [item for item in voice_of_the_customer(session, scope) if item.examples][:VOICES]
    # a mailbox has no roles: what the analyzer finds is masked, and the values the quoted
    # customers gave in their other messages (a booking reference repeated bare)
    known = KnownValues(
        values_around(
            session,
            [mention_id for item in quoted for mention_id in item.voice.example_ids]
            + [i.representative_mention_id for i in incidents if i.representative_mention_id is not None],
        )
    )

    def mask(text: str) -> str:
        return known.mask(mask_found(text))

    voices = [Voice(item.voice.category, mask(item.examples[0].text)) for item in quoted]
    return Digest(
        brand_name=brand.name,
        timezone=timezone,
        week=monday,
        start=scope.start,
        end=scope.end,
        outcomes=found,
        previous=before,
        figures=_figures(found, before),
        promises=[
            PromiseLine(
                text=card.promise.text,
                alignment=percent(card.overall.score),
                volume=card.volume,
                contradicting=card.contradicting,
            )
            for card in scorecard(session, brand.id, now=scope.end)
        ],
        incidents=[
            IncidentLine(
                title=mask(incident.title),
                status=incident.status.value,
                severity=incident.severity.value,
                opened_at=as_utc(incident.opened_at).astimezone(ZoneInfo(timezone)),
            )
            for incident in incidents
        ],
        voices=voices,
    )


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(digest: Digest, *, dashboard_url: str) -> str:
    return _environment().get_template("digest.html").render(digest=digest, dashboard_url=dashboard_url)


def render_text(digest: Digest, *, dashboard_url: str) -> str:
    """The plain-text part of the email, for readers that show no HTML."""
    lines = [digest.subject, digest.period, ""]
    lines += [f"{f.label}: {f.value} (the week before: {f.before})" for f in digest.figures]
    if digest.incidents:
        lines += ["", "Incidents:"] + [f"- {i.title} ({i.severity}, {i.status})" for i in digest.incidents]
    if digest.voices:
        lines += ["", "Customers said:"] + [f'- {v.category}: "{v.text}"' for v in digest.voices]
    lines += ["", f"The dashboard: {dashboard_url}"]
    return "\n".join(lines) + "\n"
