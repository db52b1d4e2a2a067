"""The dashboard (/dashboard): care outcomes, experience debt and the voice of the customer, each
number a link to the cases behind it (/dashboard/cases). Every member of the brand may look: the
figures rank no one, and customers' words on it are masked for viewers as everywhere else."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Membership, User
from ombuds.accounts.queries import list_teams
from ombuds.cases.models import Case
from ombuds.clock import utcnow
from ombuds.enrichment.models import Enrichment
from ombuds.fields import NoNul
from ombuds.mentions.values import channel_name
from ombuds.metrics import definitions as d
from ombuds.metrics import queries
from ombuds.metrics.charts import bar_chart, meter
from ombuds.metrics.ops import OpsCollector
from ombuds.metrics.outcome_models import CaseOutcome
from ombuds.metrics.periods import PeriodError, last_days, parse_period
from ombuds.metrics.trends import (
    OpenRead,
    Overview,
    ResolvedRead,
    TrendPoint,
    overview_of,
    read_open,
    read_resolved,
)
from ombuds.metrics.voice import CategoryRead, DebtCaseRead, pay_down, voice_of_the_customer
from ombuds.shown_brands import note_shown
from ombuds.shown_messages import note_shown_messages
from ombuds.timezones import in_zone, local_day
from ombuds.web.deps import CurrentUser, DbSession
from ombuds.web.masking import holds_no_customer_text
from ombuds.web.templating import duration, render

router = APIRouter()

#: the periods the filter offers, in days back from the end of today
PERIODS = {"7": "Last 7 days", "30": "Last 30 days", "90": "Last 90 days", "365": "Last 12 months"}
DEFAULT_PERIOD = "30"
LISTED = 200
Text = Annotated[str, Query(max_length=40), NoNul]  # a filter PostgreSQL can compare with
Category = Annotated[str, Query(max_length=64), NoNul]  # as long as a category label may be
T = TypeVar("T")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    shown = f"{value:,.0f}" if value >= 100 or float(value).is_integer() else f"{value:,.1f}"
    return f"{shown}{unit}"


def span(value: float | None, *, minutes: int) -> str:
    """A duration counted in ``minutes``-long units as people say it: "45 min", "4 h", "2 d 3 h"."""
    return "–" if value is None else duration(round(value * minutes * 60))


def _scope(
    session: Session,
    *,
    brand_id: int,
    timezone: str,
    period: str,
    start: str,
    end: str,
    team: str,
    channel: str,
    agent: str = "",
    category: str = "",
) -> tuple[queries.Scope, str | None]:
    """The cases the filters ask for; filters that mean nothing fall back to the defaults, and say so."""
    problem = None
    begins = ends = None
    if start or end:
        try:
            begins, ends = parse_period(start, end, timezone=timezone)
        except PeriodError as error:
            problem = f"{error}; showing {PERIODS[DEFAULT_PERIOD].lower()} instead"
    if begins is None or ends is None:
        days = int(period) if period in PERIODS else int(DEFAULT_PERIOD)
        begins, ends = last_days(utcnow(), days, timezone=timezone)
    teams = {str(t.id): t.id for t in list_teams(session, brand_id)}
    agents = {str(user_id): user_id for user_id, _ in _agents(session, brand_id)}
    return (
        queries.Scope(
            brand_id=brand_id,
            start=begins,
            end=ends,
            team_id=teams.get(team),
            channel=channel or None,
            agent_id=agents.get(agent),
            category=category or None,
            timezone=timezone,
        ),
        problem,
    )


def _agents(session: Session, brand_id: int) -> list[tuple[int, str]]:
    """The brand's people, by name: the agents a breakdown or a filter may name."""
    rows = session.execute(
        select(User.id, User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.brand_id == brand_id)
        .order_by(User.name, User.id)
    )
    return [(user_id, name) for user_id, name in rows]


def _filters(scope: queries.Scope) -> dict[str, str]:
    """The scope's filters as the dashboard's links carry them."""
    found = {}
    if scope.team_id is not None:
        found["team"] = str(scope.team_id)
    if scope.channel:
        found["channel"] = scope.channel
    if scope.agent_id is not None:
        found["agent"] = str(scope.agent_id)
    if scope.category:
        found["category"] = scope.category
    return found


def cases_link(
    scope: queries.Scope, figure: str, *, start: datetime | None = None, end: datetime | None = None
) -> str:
    params = {"figure": figure, "from": _iso(start or scope.start), "to": _iso(end or scope.end)}
    return "/dashboard/cases?" + urlencode({**params, **_filters(scope)})


def _tiles(found: d.Outcomes, scope: queries.Scope) -> list[dict[str, Any]]:
    """Every figure of the outcomes, as the dashboard shows it, with the cases behind it."""
    debt = found.experience_debt
    recovery = found.sentiment_recovery
    public = found.public_complaints

    def tile(label: str, value: str, figure: str, hint: str, fill: float | None = None) -> dict[str, Any]:
        return {
            "label": label,
            "value": value,
            "href": cases_link(scope, figure),
            "hint": hint,
            "fill": fill,
            "figure": figure,
        }

    return [
        tile(
            "Resolution rate",
            percent(found.resolution_rate),
            "resolved_new",
            f"{found.cases_resolved} resolved, {found.cases_opened} opened",
            meter(found.resolution_rate),
        ),
        tile(
            "First-contact resolution",
            percent(found.first_contact_resolution_rate),
            "first_contact",
            "one exchange, no handoff, no reopen",
            meter(found.first_contact_resolution_rate),
        ),
        tile(
            "Reopen rate",
            percent(found.reopen_rate),
            "reopened",
            "within 7 days of resolution",
            meter(found.reopen_rate),
        ),
        tile(
            "Handoffs per case",
            number(found.handoffs_per_case),
            "handed_off",
            "moves between people or teams",
        ),
        tile(
            "First response",
            span(found.first_response_minutes.median, minutes=1),
            "resolved",
            f"median of the cases resolved; 90% within {span(found.first_response_minutes.p90, minutes=1)} (business time)",
        ),
        tile(
            "Time to resolution",
            span(found.resolution_hours.median, minutes=60),
            "resolved",
            f"median; 90% within {span(found.resolution_hours.p90, minutes=60)} (business time)",
        ),
        tile(
            "SLA attainment",
            percent(found.sla_attainment),
            "sla_missed",
            "of the cases resolved in the period, every target met (open ones count once resolved); click: the misses",
            meter(found.sla_attainment),
        ),
        tile(
            "CSAT",
            number(found.csat.average, " / 5"),
            "surveyed",
            f"{found.csat.responses} answers, {percent(found.csat.response_rate)} of surveys sent",
        ),
        tile(
            "Experience debt",
            "–" if debt.ratio is None else f"{debt.ratio:g} : 1",
            "debt",
            f"{debt.resolved_positive} positive against unresolved negative weighing "
            f"{debt.unresolved_negative:,.0f} (each by its reach and age); {d.POSITIVE_PER_NEGATIVE} : 1 pays it back",
        ),
        tile(
            "Sentiment recovery",
            percent(recovery.recovery_rate),
            "not_recovered",
            f"{recovery.recovered} of {recovery.negative_before} negative customers were no longer negative "
            f"after our first reply; mean change {signed(recovery.mean_change)}; click: those still negative",
            meter(recovery.recovery_rate),
        ),
        tile(
            "Public complaints closed in public",
            percent(public.rate),
            "not_closed_in_public",
            f"{public.closed_in_public} of {public.cases} ended with a public reply; click: the others",
            meter(public.rate),
        ),
        tile("Cases resolved", number(found.cases_resolved), "resolved", "context, not a goal"),
        tile("Cases opened", number(found.cases_opened), "opened", "context, not a goal"),
    ]


def bucket_labels(spans: Sequence[tuple[datetime, datetime]], *, timezone: str) -> list[str]:
    """Each bar's name under a chart, from its (start, end): its first day in the brand's time zone,
    with the year where the bars cross one ("29 Dec 25", "05 Jan 26"; without it twelve months read
    "05 Dec … 30 Nov", a range backwards)."""
    if not spans:
        return []
    starts = [in_zone(start, timezone) for start, _ in spans]
    day = "%d %b %y" if starts[0].year != starts[-1].year else "%d %b"
    return [start.strftime(day) for start in starts]


def _charts(points: list[TrendPoint], scope: queries.Scope) -> list[dict[str, Any]]:
    labels = bucket_labels([(point.start, point.end) for point in points], timezone=scope.timezone)

    def chart(
        title: str, figure: str, values: list[float | None], shown: list[str], target: float | None = None
    ) -> dict[str, Any]:
        hrefs = [cases_link(scope, figure, start=p.start, end=p.end) for p in points]
        titles = [f"{label}: {text}" for label, text in zip(labels, shown, strict=True)]
        return {
            "title": title,
            "chart": bar_chart(
                values,
                labels=labels,
                titles=titles,
                hrefs=hrefs,
                target=target,
                summary=f"{title}, {labels[0]} to {labels[-1]}" if labels else title,
            ),
        }

    resolved = [float(p.outcomes.cases_resolved) for p in points]
    fcr = [p.outcomes.first_contact_resolution_rate for p in points]
    csat = [p.outcomes.csat.average for p in points]
    debt = [p.outcomes.experience_debt.unresolved_negative for p in points]
    return [
        chart("Cases resolved", "resolved", list(resolved), [number(v) for v in resolved]),
        chart("First-contact resolution", "first_contact", list(fcr), [percent(v) for v in fcr]),
        chart("CSAT", "surveyed", list(csat), [number(v, " / 5") for v in csat]),
        chart("Unresolved negative experiences (weighted)", "debt", list(debt), [number(v) for v in debt]),
    ]


#: the breakdown's columns: heading, the figure its cells link to, the value shown, and whether it is
#: context (volume and time) rather than an outcome
BREAKDOWN_COLUMNS: tuple[tuple[str, str, Callable[[d.Outcomes], str], bool], ...] = (
    ("Opened", "opened", lambda o: number(o.cases_opened), True),
    ("Resolved", "resolved", lambda o: number(o.cases_resolved), True),
    ("Resolution rate", "resolved_new", lambda o: percent(o.resolution_rate), False),
    ("First contact", "first_contact", lambda o: percent(o.first_contact_resolution_rate), False),
    ("Reopened", "reopened", lambda o: percent(o.reopen_rate), False),
    ("SLA met", "sla_missed", lambda o: percent(o.sla_attainment), False),
    ("CSAT", "surveyed", lambda o: number(o.csat.average, " / 5"), False),
    ("Sentiment recovery", "not_recovered", lambda o: percent(o.sentiment_recovery.recovery_rate), False),
    ("Closed in public", "not_closed_in_public", lambda o: percent(o.public_complaints.rate), False),
    ("Unresolved negative", "debt", lambda o: number(o.experience_debt.unresolved_negative), False),
    ("Time to resolution", "resolved", lambda o: span(o.resolution_hours.median, minutes=60), True),
)
DEFAULT_BREAKDOWN = "team"


def _narrowed(scope: queries.Scope, by: str, key: d.GroupKey) -> queries.Scope | None:
    """The scope of one group of a breakdown; None for the group without a value (no filter says "none")."""
    if isinstance(key, int) and by in ("team", "agent"):
        return replace(scope, team_id=key) if by == "team" else replace(scope, agent_id=key)
    if isinstance(key, str) and by in ("channel", "category"):
        return replace(scope, channel=key) if by == "channel" else replace(scope, category=key)
    return None


def _breakdown(rows: list[queries.GroupOutcomes], scope: queries.Scope, by: str) -> list[dict[str, Any]]:
    """The breakdown's rows as the dashboard shows them, each cell a link to the group's cases (a
    group without a team, agent or category has no filter to link with)."""
    shown = []
    for row in rows:
        narrowed = _narrowed(scope, by, row.key)
        shown.append(
            {
                "name": channel_name(row.key) if by == "channel" and isinstance(row.key, str) else row.name,
                "key": "" if row.key is None else str(row.key),
                "cells": [
                    {
                        "value": value(row.outcomes),
                        "href": cases_link(narrowed, figure) if narrowed is not None else None,
                        "figure": figure,
                    }
                    for _, figure, value, _ in BREAKDOWN_COLUMNS
                ],
            }
        )
    return shown


def _categories(session: Session, brand_id: int) -> list[str]:
    return sorted(
        label
        for label in session.scalars(
            select(Enrichment.label)
            .where(Enrichment.brand_id == brand_id, Enrichment.analyzer == queries.CATEGORY)
            .distinct()
        )
        if label
    )


def _channels(session: Session, brand_id: int) -> list[str]:
    """The channels the brand's cases came by: from their outcome rows' index (the case rows are
    wide; reading them all took twice as long at 300,000 cases)."""
    query = select(CaseOutcome.channel).where(CaseOutcome.brand_id == brand_id).distinct()
    return sorted(channel for channel in session.scalars(query) if channel)


@dataclass(frozen=True, slots=True)
class PageReads:
    """What the dashboard reads of the period, as plain values (no rows tied to a session)."""

    overview: Overview
    pay_down: list[DebtCaseRead]
    voice: list[CategoryRead]
    breakdown: list[queries.GroupOutcomes]
    channels: list[str]
    categories: list[str]


def _own_session(factory: sessionmaker[Session], read: Callable[[Session], T]) -> T:
    with factory() as session:  # read-only: closing it ends its transaction
        return read(session)


def page_reads(factory: sessionmaker[Session], scope: queries.Scope, by: str) -> PageReads:
    """The dashboard's independent reads at once, each on a session of its own from ``factory``:
    the database works on them side by side (SQLite lets go of the GIL while a query runs), so a
    90-day page costs about its slowest read, not the sum of them (1.0-2.0 s at 300,000 cases).
    Access is the caller's: every read is held to ``scope.brand_id``, and the view notes the brand
    on the request's session, whose caller the answer's masking follows."""

    def resolved_and_breakdown(session: Session) -> tuple[ResolvedRead, list[queries.GroupOutcomes]]:
        # the trend's reads of the resolved cases tally the breakdown's groups too (one scan)
        resolved = read_resolved(session, scope, group=queries.group_column(by))
        return resolved, queries.breakdown(session, scope, by, resolved=resolved.groups)

    def open_and_pay_down(session: Session) -> tuple[OpenRead, list[DebtCaseRead]]:
        found = read_open(session, scope)
        return found, pay_down(session, scope, debt=found.heaviest)

    def lists(session: Session) -> tuple[list[str], list[str]]:
        return _channels(session, scope.brand_id), _categories(session, scope.brand_id)

    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="dashboard") as pool:

        def start(read: Callable[[Session], T]) -> Future[T]:
            return pool.submit(_own_session, factory, read)

        trend = start(resolved_and_breakdown)
        debt = start(open_and_pay_down)
        voice = start(lambda session: voice_of_the_customer(session, scope))
        listed = start(lists)
        (resolved, rows), (open_, heaviest) = trend.result(), debt.result()
        channels, categories = listed.result()
        return PageReads(
            overview=overview_of(scope, resolved, open_),
            pay_down=heaviest,
            voice=voice.result(),
            breakdown=rows,
            channels=channels,
            categories=categories,
        )


@router.get("/dashboard")
def dashboard(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    period: Text = DEFAULT_PERIOD,
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
    team: Text = "",
    channel: Text = "",
    agent: Text = "",
    category: Category = "",
    by: Text = DEFAULT_BREAKDOWN,
) -> Response:
    """Care outcomes of the period, their trend, per team, agent, channel or category, the
    experience debt and what customers write about."""
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    note_shown(session, [brand.id])
    scope, problem = _scope(
        session,
        brand_id=brand.id,
        timezone=signed_in.timezone,
        period=period,
        start=start,
        end=end,
        team=team,
        channel=channel,
        agent=agent,
        category=category,
    )
    by = by if by in queries.BREAKDOWNS else DEFAULT_BREAKDOWN
    reads = page_reads(request.app.state.session_factory, scope, by)
    # read on sessions of their own: the quotes and the cases shown are noted here, so the values
    # found in those customers' other messages are masked on this page too
    note_shown_messages(
        session,
        mention_ids=[i for item in reads.voice for i in item.voice.example_ids],
        case_ids=[case.case_id for case in reads.pay_down],
    )
    found, points = reads.overview.outcomes, reads.overview.points
    voice = reads.voice
    voice_query = {"from": _iso(scope.start), "to": _iso(scope.end)}
    shown_to = scope.end - timedelta(seconds=1)
    if scope.team_id is not None:
        voice_query["team_id"] = str(scope.team_id)
    context = {
        "outcomes": found,
        "tiles": _tiles(found, scope),
        "charts": _charts(points, scope),
        "pay_down": reads.pay_down,
        "voice": voice,
        "voice_bars": {item.voice.category: meter(item.voice.negative_share) for item in voice},
        "voice_csv": "/api/v1/metrics/voice.csv?" + urlencode(voice_query),
        "search_range": f"{local_day(scope.start, timezone=scope.timezone)}..{local_day(shown_to, timezone=scope.timezone)}",
        "debt_link": cases_link(scope, "debt"),
        "scope": scope,
        "periods": PERIODS,
        "filters": {
            "period": period
            if period in PERIODS and not (start or end)
            else ("" if start or end else DEFAULT_PERIOD),
            "team": str(scope.team_id or ""),
            "channel": scope.channel or "",
            "agent": str(scope.agent_id or ""),
            "category": scope.category or "",
        },
        # the filters that narrow to one of a list: (field, label, the option for all, (value, shown))
        "choices": [
            ("team", "Team", "All teams", [(str(t.id), t.name) for t in list_teams(session, brand.id)]),
            ("channel", "Channel", "All channels", [(c, channel_name(c)) for c in reads.channels]),
            ("agent", "Agent", "All agents", [(str(i), name) for i, name in _agents(session, brand.id)]),
            ("category", "Category", "All categories", [(c, c) for c in reads.categories]),
        ],
        "by": by,
        "breakdowns": queries.BREAKDOWNS,
        "breakdown_columns": [(label, is_context) for label, _, _, is_context in BREAKDOWN_COLUMNS],
        "breakdown": _breakdown(reads.breakdown, scope, by),
        "kept": _filters(scope),
        "shown_from": scope.start,
        "shown_to": shown_to,
        "problem": problem,
        "percent": percent,
        "number": number,
    }
    return render(request, "metrics/dashboard.html", context, signed_in=signed_in)


@router.get("/dashboard/cases")
def figure_cases(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    figure: Text = "",
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
    team: Text = "",
    channel: Text = "",
    agent: Text = "",
    category: Category = "",
) -> Response:
    """The cases behind one figure of the dashboard, for the same period and filters."""
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    if figure not in queries.FIGURES:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no figure {figure[:40]!r} on the dashboard")
    note_shown(session, [brand.id])
    scope, problem = _scope(
        session,
        brand_id=brand.id,
        timezone=signed_in.timezone,
        period=DEFAULT_PERIOD,
        start=start,
        end=end,
        team=team,
        channel=channel,
        agent=agent,
        category=category,
    )
    ids = queries.figure_case_ids(session, scope, figure)
    shown = ids[:LISTED]
    cases = (
        list(
            session.scalars(
                select(Case).where(Case.id.in_(shown), Case.brand_id == brand.id).order_by(Case.id.desc())
            )
        )
        if shown
        else []
    )
    teams = {t.id: t.name for t in list_teams(session, brand.id)}
    back = {"from": _iso(scope.start), "to": _iso(scope.end), **_filters(scope)}
    context = {
        "figure": figure,
        "figure_label": queries.FIGURES[figure],
        "cases": cases,
        "total": len(ids),
        "listed": LISTED,
        "teams": teams,
        "agent_name": dict(_agents(session, brand.id)).get(scope.agent_id or 0, ""),
        "scope": scope,
        "shown_from": scope.start,
        "shown_to": scope.end - timedelta(seconds=1),
        "problem": problem,
        "back": "/dashboard?" + urlencode(back),
    }
    return render(request, "metrics/cases.html", context, signed_in=signed_in)


@router.get("/metrics", include_in_schema=False)
def prometheus(request: Request, session: DbSession) -> Response:
    """Operations figures in Prometheus' text format, for a scraper holding ``metrics_token``."""
    token = request.app.state.settings.metrics_token
    if not token:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "set OMBUDS_METRICS_TOKEN to serve /metrics")
    sent = request.headers.get("Authorization", "")
    if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "send 'Authorization: Bearer <OMBUDS_METRICS_TOKEN>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    holds_no_customer_text(request)
    registry = CollectorRegistry(auto_describe=False)
    # the server's runner says how its sidecar is (ombuds.serve); none: no embedded sidecar here
    sidecar = getattr(request.app.state, "sidecar_state", None)
    registry.register(OpsCollector(session, sidecar=sidecar() if sidecar is not None else None))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
