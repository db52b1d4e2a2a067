"""The executive digest: the week's few numbers that matter against the week before, the promise
scorecard, the week's incidents and three customer voices, as an HTML email.

Read from the same queries as the API and the dashboard. It leaves the desk by email, so every
customer's word in it is masked, whoever reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.cases.privacy import mask_found
from ombuds.clock import as_utc, utcnow
from ombuds.incidents.models import Incident
from ombuds.metrics import definitions as d
from ombuds.metrics import queries
from ombuds.metrics.voice import voice_of_the_customer
from ombuds.promises.scorecard import scorecard

TEMPLATES = Path(__file__).with_name("templates")
WEEK = timedelta(days=7)
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
    opened_at: datetime


@dataclass(frozen=True, slots=True)
class Voice:
    category: str
    text: str


@dataclass(frozen=True, slots=True)
class Digest:
    brand_name: str
    start: datetime
    end: datetime
    outcomes: d.Outcomes
    previous: d.Outcomes
    figures: list[Figure]
    promises: list[PromiseLine]
    incidents: list[IncidentLine]
    voices: list[Voice]

    @property
    def subject(self) -> str:
        last = self.end - timedelta(seconds=1)
        return f"{self.brand_name}: the week of {self.start:%d %b} to {last:%d %b %Y} in customer care"


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


def weekly_digest(session: Session, *, brand: Brand, now: datetime | None = None) -> Digest:
    """The seven whole days (UTC) before ``now``'s day, against the seven before them."""
    today = (now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
    scope = queries.Scope(brand_id=brand.id, start=today - WEEK, end=today)
    earlier = queries.Scope(brand_id=brand.id, start=today - 2 * WEEK, end=today - WEEK)
    found, before = queries.outcomes(session, scope), queries.outcomes(session, earlier)
    incidents = session.scalars(
        select(Incident)
        .where(
            Incident.brand_id == brand.id, Incident.opened_at >= scope.start, Incident.opened_at < scope.end
        )
        .order_by(Incident.opened_at)
    )
    voices = [
        Voice(item.voice.category, mask_found(item.examples[0].text))
        for item in voice_of_the_customer(session, scope)
        if item.examples
    ][:VOICES]
    return Digest(
        brand_name=brand.name,
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
                title=mask_found(incident.title),
                status=incident.status.value,
                severity=incident.severity.value,
                opened_at=as_utc(incident.opened_at),
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
    lines = [digest.subject, ""]
    lines += [f"{f.label}: {f.value} (the week before: {f.before})" for f in digest.figures]
    if digest.incidents:
        lines += ["", "Incidents:"] + [f"- {i.title} ({i.severity}, {i.status})" for i in digest.incidents]
    if digest.voices:
        lines += ["", "Customers said:"] + [f'- {v.category}: "{v.text}"' for v in digest.voices]
    lines += ["", f"The dashboard: {dashboard_url}"]
    return "\n".join(lines) + "\n"
