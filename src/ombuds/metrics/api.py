"""Care outcomes over JSON: GET /api/v1/metrics/outcomes. Any member of the brand may read them,
viewers too: they carry no customer's words."""

from __future__ import annotations

import io
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response, status

from ombuds.accounts.models import Team
from ombuds.fields import parse_id
from ombuds.metrics import queries
from ombuds.metrics.definitions import EXAMPLES, POSITIVE_PER_NEGATIVE
from ombuds.metrics.periods import PeriodError, parse_period
from ombuds.metrics.schemas import (
    BreakdownRead,
    CategoryVoiceRead,
    DebtCaseOut,
    DebtPointRead,
    ExampleRead,
    ExperienceDebtReport,
    GroupOutcomesRead,
    OutcomesRead,
    VoiceRead,
)
from ombuds.metrics.trends import overview
from ombuds.metrics.voice import pay_down, voice_of_the_customer
from ombuds.routing.queries import brand_timezone
from ombuds.web.deps import ApiReader, DbSession
from ombuds.web.spreadsheets import SpreadsheetWriter

router = APIRouter(prefix="/metrics", tags=["metrics"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "from, to, team_id or by cannot be used; the message names the field."},
    401: {"description": "Neither a bearer token nor a signed-in session."},
    404: {"description": "No such brand visible to the caller."},
}


From = Annotated[
    str | None,
    Query(alias="from", description="ISO date or time; a date is the brand's whole day (its time zone)"),
]
To = Annotated[
    str | None, Query(alias="to", description="ISO date or time, exclusive; a date includes the day")
]
TeamId = Annotated[str | None, Query(description="only the cases this team holds")]
BrandSlug = Annotated[str | None, Query(description="Slug of the brand; default: the caller's brand.")]


def bad_request(message: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, message)


def read_scope(
    session: DbSession,
    *,
    brand_id: int,
    start: str | None,
    end: str | None,
    team_id: str | None,
    channel: str | None = None,
) -> queries.Scope:
    """The brand's cases a request asks about, its dates the brand's days; 400 naming the field it
    cannot use."""
    timezone = brand_timezone(session, brand_id)
    try:
        begins, ends = parse_period(start, end, timezone=timezone)
    except PeriodError as error:
        raise bad_request(str(error)) from None
    team = None
    if team_id is not None and team_id.strip():
        number = parse_id(team_id)
        found = session.get(Team, number) if number is not None else None
        if found is None or found.brand_id != brand_id:
            raise bad_request(f"team_id: no team {team_id[:20]!r} in this brand")
        team = found.id
    return queries.Scope(
        brand_id=brand_id, start=begins, end=ends, team_id=team, channel=channel or None, timezone=timezone
    )


@router.get("/outcomes", response_model=OutcomesRead, responses=_ERRORS)
def get_outcomes(
    scope: ApiReader,
    session: DbSession,
    start: From = None,
    end: To = None,
    team_id: TeamId = None,
    brand: BrandSlug = None,
) -> OutcomesRead:
    """Resolution, first-contact resolution, reopens, handoffs, response and resolution times (business
    time), SLA attainment, CSAT and experience debt of the cases resolved in the period (docs/metrics.md)."""
    chosen = scope.brand_by_slug(brand)
    cases = read_scope(session, brand_id=chosen.id, start=start, end=end, team_id=team_id)
    return OutcomesRead.of(queries.outcomes(session, cases))


@router.get("/breakdown", response_model=BreakdownRead, responses=_ERRORS)
def get_breakdown(
    scope: ApiReader,
    session: DbSession,
    by: Annotated[str | None, Query(max_length=40, description="team, agent, channel or category")] = None,
    start: From = None,
    end: To = None,
    team_id: TeamId = None,
    brand: BrandSlug = None,
) -> BreakdownRead:
    """The care outcomes of the period per team, agent, channel or category, one row a group in the
    order of their names: volume and handle time are context, never a ranking of people."""
    chosen = scope.brand_by_slug(brand)
    if by not in queries.BREAKDOWNS:
        raise bad_request(f"by: {(by or '')[:40]!r} is not one of {', '.join(queries.BREAKDOWNS)}")
    cases = read_scope(session, brand_id=chosen.id, start=start, end=end, team_id=team_id)
    return BreakdownRead(
        by=by,
        rows=[
            GroupOutcomesRead(id=row.key, name=row.name, outcomes=OutcomesRead.of(row.outcomes))
            for row in queries.breakdown(session, cases, by)
        ],
    )


def debt_report(session: DbSession, cases: queries.Scope) -> ExperienceDebtReport:
    read = overview(session, cases)
    whole = read.outcomes.experience_debt
    return ExperienceDebtReport(
        unresolved_negative=whole.unresolved_negative,
        resolved_positive=whole.resolved_positive,
        ratio=whole.ratio,
        target=POSITIVE_PER_NEGATIVE,
        trend=[
            DebtPointRead(
                start=point.start,
                end=point.end,
                unresolved_negative=point.outcomes.experience_debt.unresolved_negative,
                resolved_positive=point.outcomes.experience_debt.resolved_positive,
                ratio=point.outcomes.experience_debt.ratio,
            )
            for point in read.points
        ],
        pay_down=[DebtCaseOut(**asdict(item)) for item in pay_down(session, cases, debt=read.debt)],
    )


def voice_read(session: DbSession, cases: queries.Scope) -> VoiceRead:
    return VoiceRead(
        categories=[
            CategoryVoiceRead(
                category=item.voice.category,
                messages=item.voice.messages,
                negative_share=item.voice.negative_share,
                previous_messages=item.voice.previous_messages,
                change=item.voice.change,
                is_emerging=item.voice.is_emerging,
                examples=[ExampleRead(case_id=e.case_id, at=e.at, text=e.text) for e in item.examples],
            )
            for item in voice_of_the_customer(session, cases)
        ]
    )


@router.get("/experience-debt", response_model=ExperienceDebtReport, responses=_ERRORS)
def get_experience_debt(
    scope: ApiReader,
    session: DbSession,
    start: From = None,
    end: To = None,
    team_id: TeamId = None,
    brand: BrandSlug = None,
) -> ExperienceDebtReport:
    """Unresolved negative experiences weighted by reach and age against resolved positive ones, the
    12-to-1 figure, its trend over the period, and the open cases that would pay it down fastest."""
    chosen = scope.brand_by_slug(brand)
    return debt_report(
        session, read_scope(session, brand_id=chosen.id, start=start, end=end, team_id=team_id)
    )


@router.get("/voice", response_model=VoiceRead, responses=_ERRORS)
def get_voice(
    scope: ApiReader,
    session: DbSession,
    start: From = None,
    end: To = None,
    team_id: TeamId = None,
    brand: BrandSlug = None,
) -> VoiceRead:
    """Voice of the customer: the top categories by customer messages, negative share, change against
    the period before, emerging themes, and example messages."""
    chosen = scope.brand_by_slug(brand)
    return voice_read(session, read_scope(session, brand_id=chosen.id, start=start, end=end, team_id=team_id))


VOICE_COLUMNS = ("category", "messages", "negative_share", "previous_messages", "change", "is_emerging")


def voice_csv(found: VoiceRead) -> str:
    """The voice as a spreadsheet for the owning team: one row a category, its example messages last."""
    out = io.StringIO()
    writer = SpreadsheetWriter(out)
    writer.writerow([*VOICE_COLUMNS, *(f"example_{n}" for n in range(1, EXAMPLES + 1))])
    for item in found.categories:
        row = [getattr(item, column) for column in VOICE_COLUMNS]
        writer.writerow(["" if v is None else v for v in row] + [e.text for e in item.examples])
    return out.getvalue()


@router.get("/voice.csv", response_class=Response, responses=_ERRORS)
def get_voice_csv(
    scope: ApiReader,
    session: DbSession,
    start: From = None,
    end: To = None,
    team_id: TeamId = None,
    brand: BrandSlug = None,
) -> Response:
    """The voice of the customer as CSV (``?team_id=`` for one team's own cases)."""
    chosen = scope.brand_by_slug(brand)
    found = voice_read(
        session, read_scope(session, brand_id=chosen.id, start=start, end=end, team_id=team_id)
    )
    return Response(
        voice_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{chosen.slug}-voice.csv"'},
    )
