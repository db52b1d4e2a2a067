"""Reads: the facts each outcome is computed from, out of the event log and the case rows.

Read-only. Resolutions and reopens come from ``case.status_changed`` events, so a reopen or a late
survey answer changes the figures of the period the case was resolved in. The readers of a case's
facts here (status moves, sentiments, surveys, replies) fill the per-case outcome rows
(``metrics.rollup``); the figures of a period read those rows (``metrics.outcome_reads``). The
arithmetic is in ``metrics.definitions``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds import db
from ombuds.accounts.models import Team, User
from ombuds.cases.models import CaseStatus
from ombuds.clock import as_utc
from ombuds.enrichment.models import Enrichment, finding_of
from ombuds.event_payloads import EventKind
from ombuds.events import Event
from ombuds.mentions.models import Mention
from ombuds.mentions.values import Direction
from ombuds.metrics import daily_reads, outcome_reads
from ombuds.metrics import definitions as d
from ombuds.metrics.outcome_models import CaseOutcome
from ombuds.responses.models import Reply
from ombuds.surveys.models import Survey

SENTIMENT = "sentiment"
CATEGORY = "category"
INTENT = "intent"
CHUNK = db.IN_LIST
#: the follow-up kind whose return reopens a case without the customer coming back
CHECK_IN = "check_in"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Scope:
    """Which cases a figure covers: a brand, optionally one team, channel, agent and category, and a
    period [start, end); ``outcome_reads.outcome_conditions`` turns it into a WHERE on outcome rows."""

    brand_id: int
    start: datetime
    end: datetime
    team_id: int | None = None
    channel: str | None = None
    agent_id: int | None = None  # the person the case is assigned to now
    category: str | None = None  # the case's category (``message_facts``)
    timezone: str = "UTC"  # the brand's: where the days of a trend's buckets begin


def chunks(ids: Collection[T]) -> Iterator[list[T]]:
    """``db.chunks`` in ascending order."""
    return db.chunks(sorted(ids))  # type: ignore[type-var]


def _status(value: object) -> CaseStatus | None:
    try:
        return CaseStatus(str(value))
    except ValueError:
        return None


def status_moves(session: Session, case_ids: Collection[int]) -> dict[int, list[d.StatusMove]]:
    """Every status change of the cases, each reopen by a desk check-in marked as such."""
    moves: dict[int, list[d.StatusMove]] = defaultdict(list)
    for chunk in chunks(case_ids):
        rows = session.execute(
            select(Event.subject_id, Event.kind, Event.occurred_at, Event.data).where(
                Event.subject_type == "case",
                Event.subject_id.in_(chunk),
                Event.kind.in_((EventKind.CASE_STATUS_CHANGED, EventKind.CASE_FOLLOW_UP_RETURNED)),
            )
        ).all()
        check_ins = {
            (case_id, as_utc(at))
            for case_id, kind, at, data in rows
            if kind == EventKind.CASE_FOLLOW_UP_RETURNED and (data or {}).get("follow_up") == CHECK_IN
        }
        for case_id, kind, at, data in rows:
            status = _status((data or {}).get("to"))
            if kind != EventKind.CASE_STATUS_CHANGED or status is None:
                continue
            moves[case_id].append(
                d.StatusMove(
                    at=as_utc(at),
                    previous=_status(data.get("from")),
                    status=status,
                    resolved_as=data.get("resolved_as"),
                    is_check_in=(case_id, as_utc(at)) in check_ins,
                )
            )
    return moves


def count_opened(session: Session, scope: Scope) -> int:
    """Cases opened in the period, spam and duplicates left out (from the outcome rows)."""
    return outcome_reads.count_opened(session, scope)


def opened_case_ids(session: Session, scope: Scope) -> list[int]:
    return outcome_reads.opened_case_ids(session, scope)


def opened_times(session: Session, scope: Scope) -> list[datetime]:
    return outcome_reads.opened_times(session, scope)


def _surveys(session: Session, case_ids: Collection[int]) -> dict[int, int | None]:
    """Each case's survey, if one was sent: its score when answered, else None."""
    found: dict[int, int | None] = {}
    for chunk in chunks(case_ids):
        rows = session.execute(
            select(Survey.case_id, Survey.score, Survey.answered_at).where(Survey.case_id.in_(chunk))
        )
        found.update({case_id: score if answered is not None else None for case_id, score, answered in rows})
    return found


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What the cases' messages say, per case: their customer's sentiment labels (oldest first),
    the largest audience the customer wrote to, what the desk's replies changed
    (``definitions.reply_outcome``) and the case's category (its customer's latest message with
    one, as routing reads a case)."""

    sentiments: dict[int, list[str | None]]
    followers: dict[int, int]
    replied: dict[int, d.ReplyOutcome]
    categories: dict[int, str | None]


def message_facts(session: Session, first_responded: Mapping[int, datetime | None]) -> MessageFacts:
    """The facts of these cases' messages (case id -> when the desk first responded, as the case
    row holds it): one read of the messages with their sentiment, intent and category per 900
    cases (four reads of them, one per fact, took a third of a pipeline batch's refresh), one row
    a message (``finding_of``: a row per label tripled the rows to read).

    The brand's own messages count as replies, public or not (a reply sent from the desk or one
    the brand posted itself; survey links left out), never for how they sounded. ``sentiments``
    holds None for a message no analysis gave a sentiment.
    """
    sentiments: dict[int, list[str | None]] = {}
    followers: dict[int, int] = {}
    categories: dict[int, str | None] = dict.fromkeys(first_responded)
    said: dict[int, list[d.CustomerSaid]] = defaultdict(list)
    sent: dict[int, list[d.SentReply]] = defaultdict(list)
    for chunk in chunks(first_responded):
        surveys = set(
            session.scalars(
                select(Reply.mention_id).where(Reply.case_id.in_(chunk), Reply.is_survey.is_(True))
            )
        )
        rows = session.execute(
            select(
                Mention.id,
                Mention.case_id,
                Mention.direction,
                Mention.created_at,
                Mention.is_public,
                Mention.author_followers,
                finding_of(SENTIMENT, Enrichment.label, Mention.id),
                finding_of(INTENT, Enrichment.label, Mention.id),
                finding_of(CATEGORY, Enrichment.label, Mention.id),
            )
            .where(Mention.case_id.in_(chunk))
            .order_by(Mention.id)  # by message id within a case: the order the case's messages index gives
        ).all()
        inbound: list[tuple[datetime, int, int, str | None, str | None]] = []
        for mention_id, case_id, direction, created_at, is_public, reach, sentiment, intent, category in rows:
            if case_id is None:
                continue
            at = as_utc(created_at)
            if direction is Direction.OUTBOUND:
                if mention_id not in surveys:
                    sent[case_id].append(d.SentReply(at=at, is_public=bool(is_public)))
                continue
            said[case_id].append(
                d.CustomerSaid(at=at, is_public=bool(is_public), sentiment=sentiment, intent=intent)
            )
            held = followers.get(case_id)
            followers[case_id] = (reach or 0) if held is None else max(held, reach or 0)
            inbound.append((at, mention_id, case_id, sentiment, category))
        for _, _, case_id, sentiment, category in sorted(inbound):  # oldest first; the latest category wins
            sentiments.setdefault(case_id, []).append(sentiment)
            if category is not None:
                categories[case_id] = category
    replied = {
        case_id: d.reply_outcome(said.get(case_id, []), sent.get(case_id, []), first_responded_at=_utc(first))
        for case_id, first in first_responded.items()
    }
    return MessageFacts(sentiments=sentiments, followers=followers, replied=replied, categories=categories)


def resolved_cases(session: Session, scope: Scope) -> list[d.ResolvedCase]:
    """The cases whose first resolution falls in the period (spam and duplicates left out), from
    the outcome rows."""
    return outcome_reads.resolved_cases(session, scope)


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def experience_debt(session: Session, scope: Scope) -> list[d.DebtCase]:
    """The cases unresolved at the end of the period with a negative experience, heaviest first."""
    return debt_at(session, scope, [scope.end])[scope.end]


def debt_at(session: Session, scope: Scope, moments: Sequence[datetime]) -> dict[datetime, list[d.DebtCase]]:
    """The debt at each moment: the cases opened before it, in an open status at it, whose customer
    had a negative experience (as the case reads now), heaviest first."""
    return outcome_reads.debt_at(session, scope, moments)


def outcomes(session: Session, scope: Scope) -> d.Outcomes:
    """Every care outcome of the period (docs/metrics.md), added up by the database."""
    whole, _ = daily_reads.tallies(session, scope, [(scope.start, scope.end)])
    debt = daily_reads.debt_totals(session, scope, [scope.end])[scope.end]
    return d.outcomes_of(whole, opened=daily_reads.opened_in(session, scope), unresolved=debt)


def case_ids_resolved(session: Session, scope: Scope) -> Sequence[int]:
    return [case.case_id for case in resolved_cases(session, scope)]


#: The cases behind each figure of the dashboard, by the name its links carry, as their page's heading.
FIGURES = {
    "opened": "Cases opened in the period",
    "resolved": "Cases first resolved in the period",
    "resolved_new": "Cases opened and resolved in the period",
    "first_contact": "Cases resolved at first contact",
    "not_first_contact": "Cases resolved, but not at first contact",
    "reopened": "Cases reopened within 7 days of resolution",
    "handed_off": "Cases handed off at least once",
    "sla_met": "Cases that met every SLA target",
    "sla_missed": "Cases that missed an SLA target",
    "surveyed": "Cases with an answered survey",
    "positive": "Cases resolved with a positive experience",
    "debt": "Unresolved negative experiences at the end of the period",
    "recovered": "Cases whose customer was negative before our first reply and not after it",
    "not_recovered": "Cases whose customer was negative before our first reply and still after it",
    "public_complaint": "Cases that began as a complaint in public",
    "closed_in_public": "Cases that began as a complaint in public and were closed in public",
    "not_closed_in_public": "Cases that began as a complaint in public but were not closed in public",
}


def figure_case_ids(session: Session, scope: Scope, figure: str) -> list[int]:
    """The ids of the cases a figure counts (``FIGURES``); KeyError for an unknown figure."""
    if figure not in FIGURES:
        raise KeyError(figure)
    if figure == "opened":
        return opened_case_ids(session, scope)
    if figure == "debt":
        return [item.case_id for item in experience_debt(session, scope)]
    picks: dict[str, Callable[[d.ResolvedCase], bool]] = {
        "resolved": lambda c: True,
        "resolved_new": lambda c: c.opened_in_period,
        "first_contact": lambda c: c.first_contact_resolution is True,
        "not_first_contact": lambda c: c.first_contact_resolution is not True,
        "reopened": lambda c: c.reopened_within_window,
        "handed_off": lambda c: c.handoffs > 0,
        "sla_met": lambda c: c.met_sla is True,
        "sla_missed": lambda c: c.met_sla is False,
        "surveyed": lambda c: c.survey_score is not None,
        "positive": lambda c: c.experience is d.Experience.POSITIVE,
        "recovered": lambda c: _was_negative_before(c) and (c.sentiment_after or 0) > d.NEGATIVE_SENTIMENT,
        "not_recovered": lambda c: _was_negative_before(c) and c.sentiment_after == d.NEGATIVE_SENTIMENT,
        "public_complaint": lambda c: c.public_complaint,
        "closed_in_public": lambda c: c.public_complaint and c.closed_in_public,
        "not_closed_in_public": lambda c: c.public_complaint and not c.closed_in_public,
    }
    if figure in outcome_reads.FIGURE_CONDITIONS:  # the same picks, asked of the outcome rows
        return outcome_reads.figure_case_ids(session, scope, figure)
    pick = picks[figure]
    return [case.case_id for case in resolved_cases(session, scope) if pick(case)]


def _was_negative_before(case: d.ResolvedCase) -> bool:
    """Counted by sentiment recovery as negative before our reply: a reading on both sides."""
    return case.sentiment_before == d.NEGATIVE_SENTIMENT and case.sentiment_after is not None


# --- breakdowns: the outcomes per team, agent, channel or category ----------------------------------

#: what a breakdown can group by, and what its group without a value is called
BREAKDOWNS = {"team": "No team", "agent": "Unassigned", "channel": "No channel", "category": "No category"}


@dataclass(frozen=True, slots=True)
class GroupOutcomes:
    """One row of a breakdown: the group (a team's or agent's id, a channel, a category) and its figures."""

    key: d.GroupKey
    name: str
    outcomes: d.Outcomes


#: the outcome row's column each breakdown groups by (the column the scope's filter reads too, so
#: a row's cases are its filter's)
_GROUP_COLUMNS = {
    "team": CaseOutcome.team_id,
    "agent": CaseOutcome.assignee_id,
    "channel": CaseOutcome.channel,
    "category": CaseOutcome.category,
}


def _group_names(
    session: Session, brand_id: int, by: str, keys: Collection[d.GroupKey]
) -> dict[d.GroupKey, str]:
    ids = [key for key in keys if isinstance(key, int)]
    names: dict[d.GroupKey, str] = {}
    if by == "team" and ids:
        rows = session.execute(select(Team.id, Team.name).where(Team.id.in_(ids), Team.brand_id == brand_id))
        names.update((team_id, name) for team_id, name in rows)
    elif by == "agent" and ids:
        people = session.execute(select(User.id, User.name).where(User.id.in_(ids)))
        names.update((user_id, name) for user_id, name in people)
    return {key: names.get(key) or (BREAKDOWNS[by] if key is None else str(key)) for key in keys}


def group_column(by: str) -> Any:
    """The outcome row's column a breakdown by ``by`` groups on; KeyError for an unknown ``by``."""
    return _GROUP_COLUMNS[by]


def breakdown(
    session: Session, scope: Scope, by: str, *, resolved: dict[d.GroupKey, d.Tally] | None = None
) -> list[GroupOutcomes]:
    """The period's outcomes per group (``BREAKDOWNS``), by name: volume is context, so nobody is
    ranked by it. The same cases as the whole period's figures, each in one group, added up by the
    database per group (``definitions.breakdown`` case by case); KeyError for an unknown ``by``.
    ``resolved``: the resolved cases' tally per group, when the caller read it already (the
    dashboard's trend reads do, ``trends.overview``)."""
    if by not in BREAKDOWNS:
        raise KeyError(by)
    column = _GROUP_COLUMNS[by]
    opened = daily_reads.opened_by_group(session, scope, column)
    if resolved is None:
        resolved = daily_reads.group_tallies(session, scope, column)
    debt = outcome_reads.debt_per_group(session, scope, column)
    found = {
        group: d.outcomes_of(
            resolved.get(group, d.Tally()), opened=opened.get(group, 0), unresolved=debt.get(group, 0.0)
        )
        for group in opened.keys() | resolved.keys() | debt.keys()
    }
    names = _group_names(session, scope.brand_id, by, found.keys())
    rows = [GroupOutcomes(key=key, name=names[key], outcomes=figures) for key, figures in found.items()]
    return sorted(rows, key=lambda row: (row.key is None, row.name.casefold(), str(row.key)))
