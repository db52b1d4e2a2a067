"""The ombudsman's report: for executives, each week, what keeps hurting the brand's customers.

* the five problems costing customers most (cases, reach, days open, who owns them), from the
  problems' own cost query (``problems.queries.list_problems``, the owning teams' queues use it);
* what was fixed in the last four weeks and whether customers noticed: the share of negative
  messages about the problem before and after the fix (its category, brand-wide, from the
  dashboard's voice-of-the-customer query; without a category, its own customers' messages), and
  how many customers were told, answered and came back (``problems.queries.tally``);
* the promises customers contradict most, from the scorecard, with three customer voices each.

A read: nothing is written. Customers' words stay as stored; the page masks them per reader and
the email masks them for everyone (``reports.mail``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.clock import as_utc, utcnow
from ombuds.mentions.models import Direction, Mention
from ombuds.metrics.queries import Scope
from ombuds.metrics.voice import voice_of_the_customer
from ombuds.problems import queries as problems
from ombuds.problems.models import Problem, ProblemCase
from ombuds.problems.values import DONE_STATUSES, OPEN_PROBLEM_STATUSES, STATUS_LABELS
from ombuds.promises.models import Stance
from ombuds.promises.queries import list_experiences
from ombuds.promises.scorecard import scorecard
from ombuds.routing.queries import brand_timezone
from ombuds.shown_brands import note_shown
from ombuds.timezones import local_day, local_midnight

COSTLIEST = 5
#: Fixes this recent are reported, so a fix shows up again once customers have had time to notice.
FIXED_WITHIN = timedelta(days=28)
#: Sentiment is compared over this long before the fix and as long after it (up to now).
SENTIMENT_SPAN = timedelta(days=14)
#: Fewer messages than this after the fix and the report says it is too early to tell.
NOTICED_MIN = 3
#: The negative share must fall by this much for customers to have noticed.
NOTICED_DROP = 0.10
PROMISES = 3
VOICES = 3


@dataclass(frozen=True, slots=True)
class ProblemLine:
    problem_id: int
    title: str
    status: str
    team: str | None
    owner: str | None
    cases: int
    open_cases: int
    reach: int
    days_open: int
    debt: float
    expected_fix_at: datetime | None


@dataclass(frozen=True, slots=True)
class Mood:
    """Customers' messages about one thing over a span, and the share of them that were negative."""

    messages: int
    negative_share: float | None


@dataclass(frozen=True, slots=True)
class FixLine:
    problem_id: int
    title: str
    team: str | None
    fixed_at: datetime
    status: str
    customers_to_tell: int
    customers_told: int
    answered: int
    came_back: int
    before: Mood
    after: Mood
    measured_on: str  # what the moods were read from, in words

    @property
    def verdict(self) -> str:
        """Whether customers noticed, in a few words an executive reads at a glance."""
        if self.came_back:
            return f"{self.came_back} customer{'s' if self.came_back != 1 else ''} came back with it"
        before, after = self.before.negative_share, self.after.negative_share
        if after is None or before is None or self.after.messages < NOTICED_MIN:
            return "too early to tell"
        if after <= before - NOTICED_DROP:
            return "customers noticed"
        return "not noticed yet"


@dataclass(frozen=True, slots=True)
class Voice:
    text: str
    case_id: int | None


@dataclass(frozen=True, slots=True)
class PromiseLine:
    promise_id: int
    text: str
    alignment: float | None
    low: float | None
    high: float | None
    contradicting: int
    confirming: int
    voices: list[Voice] = field(default_factory=list)


@dataclass(frozen=True)
class OmbudsmanReport:
    brand_name: str
    brand_slug: str
    start: datetime
    end: datetime
    costliest: list[ProblemLine]
    open_problems: int
    fixed: list[FixLine]
    promises: list[PromiseLine]
    timezone: str = "UTC"  # the brand's: whose seven days these are

    @property
    def first_day(self) -> date:
        return local_day(self.start, timezone=self.timezone)

    @property
    def last_day(self) -> date:
        return local_day(self.end - timedelta(seconds=1), timezone=self.timezone)

    @property
    def subject(self) -> str:
        return f"{self.brand_name}: the ombudsman's report for {self.first_day:%d %b} to {self.last_day:%d %b %Y}"

    @property
    def is_empty(self) -> bool:
        return not (self.costliest or self.fixed or self.promises)


def _mood_of_category(session: Session, brand_id: int, category: str, start: datetime, end: datetime) -> Mood:
    """The category's messages and negative share over [start, end), as the dashboard counts them."""
    if end <= start:
        return Mood(0, None)
    scope = Scope(brand_id=brand_id, start=start, end=end)
    for item in voice_of_the_customer(session, scope, limit=1000):
        if item.voice.category == category:
            return Mood(item.voice.messages, item.voice.negative_share)
    return Mood(0, None)


def _mood_of_cases(session: Session, problem: Problem, start: datetime, end: datetime) -> Mood:
    """The problem's own customers' messages over [start, end) and how many were negative."""
    ids = list(
        session.scalars(
            select(Mention.id)
            .join(ProblemCase, ProblemCase.case_id == Mention.case_id)
            .where(
                ProblemCase.problem_id == problem.id,
                Mention.direction == Direction.INBOUND,
                Mention.created_at >= start,
                Mention.created_at < end,
            )
        )
    )
    if not ids:
        return Mood(0, None)
    labels = problems.labels_of(session, ids)
    negative = sum(1 for mention_id in ids if labels.get(mention_id, {}).get("sentiment") == "negative")
    return Mood(len(ids), round(negative / len(ids), 3))


def _fix_line(session: Session, row: problems.ProblemRow, *, now: datetime) -> FixLine:
    problem = row.problem
    assert problem.fixed_at is not None
    fixed_at = as_utc(problem.fixed_at)
    span = min(SENTIMENT_SPAN, max(now - fixed_at, timedelta(0)))
    span_before = SENTIMENT_SPAN
    if problem.category:
        before = _mood_of_category(
            session, problem.brand_id, problem.category, fixed_at - span_before, fixed_at
        )
        after = _mood_of_category(session, problem.brand_id, problem.category, fixed_at, fixed_at + span)
        measured = f"customers' messages about {problem.category.replace('_', ' ')}"
    else:
        before = _mood_of_cases(session, problem, fixed_at - span_before, fixed_at)
        after = _mood_of_cases(session, problem, fixed_at, fixed_at + span)
        measured = "the linked customers' messages"
    told = problems.tally(session, problem)
    return FixLine(
        problem_id=problem.id,
        title=problem.title,
        team=row.team_name,
        fixed_at=fixed_at,
        status=STATUS_LABELS[problem.status],
        customers_to_tell=told.customers_to_tell,
        customers_told=told.customers_told,
        answered=told.answered,
        came_back=told.came_back,
        before=before,
        after=after,
        measured_on=measured,
    )


def _voices(session: Session, brand_id: int, promise_id: int) -> list[Voice]:
    """Three customers contradicting the promise, the best-matching first, an echo or the same words once."""
    found = list_experiences(
        session, brand_id, promise_ids=[promise_id], stance=Stance.CONTRADICTS, limit=500
    )
    found.sort(key=lambda item: -item.match.score)
    voices: list[Voice] = []
    groups: set[str] = set()
    said: set[str] = set()
    for item in found:
        group = (item.match.data or {}).get("echo_group")
        words = " ".join(item.mention.text.lower().split())
        if (group is not None and group in groups) or words in said:
            continue
        if group is not None:
            groups.add(group)
        said.add(words)
        voices.append(Voice(item.mention.text, item.case.id if item.case else None))
        if len(voices) == VOICES:
            break
    return voices


def ombudsman_report(session: Session, *, brand: Brand, now: datetime | None = None) -> OmbudsmanReport:
    """The report for the brand's seven whole days before ``now``'s day there, problems as they stand
    now."""
    moment = now or utcnow()
    timezone = brand_timezone(session, brand.id)
    today = local_day(moment, timezone=timezone)
    start, end = (local_midnight(today - timedelta(days=days), timezone=timezone) for days in (7, 0))
    note_shown(session, [brand.id])
    rows = problems.list_problems(session, brand_id=brand.id, now=moment)
    still_open = [row for row in rows if row.problem.status in OPEN_PROBLEM_STATUSES]
    costliest = [
        ProblemLine(
            problem_id=row.problem.id,
            title=row.problem.title,
            status=STATUS_LABELS[row.problem.status],
            team=row.team_name,
            owner=row.owner_name,
            cases=row.cost.cases,
            open_cases=row.cost.open_cases,
            reach=row.cost.reach,
            days_open=row.cost.days_open,
            debt=row.cost.debt,
            expected_fix_at=as_utc(row.problem.expected_fix_at) if row.problem.expected_fix_at else None,
        )
        for row in still_open[:COSTLIEST]
    ]
    fixed = sorted(
        (
            _fix_line(session, row, now=moment)
            for row in rows
            if row.problem.status in DONE_STATUSES
            and row.problem.fixed_at is not None
            and as_utc(row.problem.fixed_at) >= moment - FIXED_WITHIN
        ),
        key=lambda line: line.fixed_at,
        reverse=True,
    )
    cards = [card for card in scorecard(session, brand.id, now=moment) if card.contradicting]
    cards.sort(key=lambda card: (-card.contradicting, card.overall.score or 0.0))
    promises = [
        PromiseLine(
            promise_id=card.promise.id,
            text=card.promise.text,
            alignment=card.overall.score,
            low=card.overall.low,
            high=card.overall.high,
            contradicting=card.contradicting,
            confirming=card.confirming,
            voices=_voices(session, brand.id, card.promise.id),
        )
        for card in cards[:PROMISES]
    ]
    return OmbudsmanReport(
        brand_name=brand.name,
        brand_slug=brand.slug,
        start=start,
        end=end,
        costliest=costliest,
        open_problems=len(still_open),
        fixed=fixed,
        promises=promises,
        timezone=timezone,
    )
