"""What each care outcome means, as arithmetic on plain values. Pure: no I/O.

Every figure is written out in docs/metrics.md; ``metrics.queries`` reads the facts from the
event log and the case rows and hands them here. A figure with nothing to measure is None, never
0: "no survey answered" and "every survey scored 0" must not look alike on a dashboard.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ombuds.cases.outcomes import FCR_REOPEN_WINDOW
from ombuds.cases.values import OPEN_STATUSES, CaseStatus, ResolvedAs

#: Resolutions that fixed no customer's problem: left out of every count.
NOT_A_PROBLEM = frozenset({ResolvedAs.SPAM.value, ResolvedAs.DUPLICATE.value})
#: "It takes 12 positive customer experiences to make up for one unresolved negative one."
POSITIVE_PER_NEGATIVE = 12
#: A survey answer at or above this is a positive experience; at or below NEGATIVE_SCORE a negative one.
POSITIVE_SCORE = 4
NEGATIVE_SCORE = 2
#: The age over which an unresolved negative experience weighs one more (a week open: twice).
DEBT_AGE_UNIT = timedelta(days=7)
RATE_DIGITS = 4
DURATION_DIGITS = 2


class Experience(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


@dataclass(frozen=True, slots=True)
class StatusMove:
    """One ``case.status_changed`` event. ``is_check_in``: the desk reopened the case itself."""

    at: datetime
    previous: CaseStatus | None
    status: CaseStatus
    resolved_as: str | None = None
    is_check_in: bool = False


@dataclass(frozen=True, slots=True)
class Resolution:
    at: datetime
    is_problem: bool  # False: resolved as spam or a duplicate


def first_resolution(moves: Iterable[StatusMove]) -> Resolution | None:
    """The case's first move to resolved: the period a case is counted in, once, whatever came after."""
    for move in sorted(moves, key=lambda m: m.at):
        if move.status is CaseStatus.RESOLVED:
            return Resolution(at=move.at, is_problem=move.resolved_as not in NOT_A_PROBLEM)
    return None


def is_reopen(move: StatusMove) -> bool:
    """The customer came back: a resolved or closed case moved to an open status (not a desk check-in)."""
    was_done = move.previous is not None and move.previous not in OPEN_STATUSES
    return was_done and move.status in OPEN_STATUSES and not move.is_check_in


def reopened_within(
    moves: Iterable[StatusMove], *, resolved_at: datetime, window: timedelta = FCR_REOPEN_WINDOW
) -> bool:
    """Reopened within ``window`` after the resolution at ``resolved_at``."""
    return any(is_reopen(m) and resolved_at < m.at <= resolved_at + window for m in moves)


def status_at(moves: Iterable[StatusMove], *, at: datetime) -> CaseStatus:
    """The case's status at ``at`` (a case with no move yet is new)."""
    status = CaseStatus.NEW
    for move in sorted(moves, key=lambda m: m.at):
        if move.at > at:
            break
        status = move.status
    return status


def open_spans(moves: Iterable[StatusMove], *, opened_at: datetime) -> list[tuple[datetime, datetime | None]]:
    """The times the case stood in an open status, [start, end), as ``status_at`` reads them (a
    move counts from its own moment; before any move a case is new, so open); None: open still."""
    spans: list[tuple[datetime, datetime | None]] = []
    start: datetime | None = opened_at
    for move in sorted(moves, key=lambda m: m.at):
        is_open = move.status in OPEN_STATUSES
        if start is not None and not is_open:
            if move.at > start:
                spans.append((start, move.at))
            start = None
        elif start is None and is_open:
            start = move.at
    if start is not None:
        spans.append((start, None))
    return spans


def met_sla(
    *,
    first_response_due_at: datetime | None,
    first_responded_at: datetime | None,
    resolve_due_at: datetime | None,
    resolved_at: datetime,
) -> bool | None:
    """Every target the case had was met; None when it had none. Paused time is already in the
    deadlines (the SLA round moves them when a pending case resumes)."""
    checks = []
    if first_response_due_at is not None:
        checks.append(first_responded_at is not None and first_responded_at <= first_response_due_at)
    if resolve_due_at is not None:
        checks.append(resolved_at <= resolve_due_at)
    return all(checks) if checks else None


def experience(*, survey_score: int | None, sentiments: Sequence[str | None]) -> Experience | None:
    """How the customer came out of it. An answered survey says it; otherwise the latest of the
    customer's messages that leans either way (``sentiments`` oldest first); None: nothing to go on."""
    if survey_score is not None:
        if survey_score >= POSITIVE_SCORE:
            return Experience.POSITIVE
        if survey_score <= NEGATIVE_SCORE:
            return Experience.NEGATIVE
        return None
    for label in reversed(sentiments):
        if label in (Experience.POSITIVE, Experience.NEGATIVE):
            return Experience(label)
    return None


def was_negative(*, survey_score: int | None, sentiments: Iterable[str | None]) -> bool:
    """A negative experience to pay back: any complaint from the customer, or a poor survey answer."""
    scored_poor = survey_score is not None and survey_score <= NEGATIVE_SCORE
    return scored_poor or any(label == Experience.NEGATIVE for label in sentiments)


def debt_weight(*, followers: int | None, opened_at: datetime, at: datetime) -> float:
    """How much one unresolved negative experience weighs: its reach times its age.

    Reach: 1 + log10(1 + followers), so 999 followers weigh 4 and nobody's audience weighs 1.
    Age: 1 + the weeks it has been open at ``at``, so a week-old complaint weighs twice a new one.
    """
    age = 1 + max((at - opened_at) / DEBT_AGE_UNIT, 0.0)
    return reach(followers) * age


def reach(followers: int | None) -> float:
    """How far one unresolved negative experience carries: 1 + log10(1 + followers)."""
    return 1 + math.log10(1 + max(followers or 0, 0))


def debt_total(*, reach_sum: float, reach_opened_sum: float, at: datetime) -> float:
    """The summed ``debt_weight`` at ``at`` of cases opened before it, from two sums over them:
    Σ reach and Σ reach × opened (seconds since the epoch). Σ reach × (1 + (at − opened) / unit)
    = Σ reach × (1 + at / unit) − Σ reach × opened / unit, so a database can add them up."""
    unit = DEBT_AGE_UNIT.total_seconds()
    return reach_sum * (1 + at.timestamp() / unit) - reach_opened_sum / unit


# --- what our replies changed: the customer's sentiment, a public complaint closed in public -------

#: sentiment labels on one scale: a change from negative to positive is +2
SENTIMENT_SCALE = {"negative": -1, "neutral": 0, "positive": 1}
NEGATIVE_SENTIMENT = SENTIMENT_SCALE["negative"]
COMPLAINT = "complaint"


@dataclass(frozen=True, slots=True)
class CustomerSaid:
    """One of the customer's own messages on a case, with its sentiment and intent labels."""

    at: datetime
    is_public: bool
    sentiment: str | None
    intent: str | None


@dataclass(frozen=True, slots=True)
class SentReply:
    """A message the brand sent on the case, from the desk or posted itself (a survey link is not
    one): when, and whether in public."""

    at: datetime
    is_public: bool


@dataclass(frozen=True, slots=True)
class ReplyOutcome:
    sentiment_before: int | None
    sentiment_after: int | None
    public_complaint: bool
    closed_in_public: bool


def reply_outcome(
    said: Sequence[CustomerSaid], replies: Sequence[SentReply], *, first_responded_at: datetime | None
) -> ReplyOutcome:
    """What the desk's replies changed on one case (docs/metrics.md, "Sentiment recovery" and
    "Public complaints closed in public").

    Sentiment before: the customer's latest message with a sentiment at or before our first reply;
    after: their latest one after it (None without a reply, or without such a message). Only the
    customer's messages are read, never the brand's own. A public complaint: the customer's first
    message was public and a complaint (its intent) or negative. Closed in public: a public reply
    was sent and no private one after the last public one (a public acknowledgement followed by a
    private fix is not closed in public until the public closing reply goes out).
    """
    ordered = sorted(said, key=lambda item: item.at)
    scored = [
        (item.at, SENTIMENT_SCALE[item.sentiment]) for item in ordered if item.sentiment in SENTIMENT_SCALE
    ]
    before = after = None
    if first_responded_at is not None:
        before = next((value for at, value in reversed(scored) if at <= first_responded_at), None)
        after = next((value for at, value in reversed(scored) if at > first_responded_at), None)
    first = ordered[0] if ordered else None
    complaint = (
        first is not None
        and first.is_public
        and (first.intent == COMPLAINT or first.sentiment == Experience.NEGATIVE.value)
    )
    public = [reply.at for reply in replies if reply.is_public]
    closed = bool(public) and not any(not reply.is_public and reply.at > max(public) for reply in replies)
    return ReplyOutcome(
        sentiment_before=before, sentiment_after=after, public_complaint=complaint, closed_in_public=closed
    )


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    low, high, weight = percentile_ranks(len(ordered), fraction)
    return ordered[low] + (ordered[high] - ordered[low]) * weight


def percentile_ranks(count: int, fraction: float) -> tuple[int, int, float]:
    """The two ranks (0-based, ascending) a percentile of ``count`` values lies between, and how
    far past the lower one it lies."""
    position = fraction * (count - 1)
    low = math.floor(position)
    return low, min(low + 1, count - 1), position - low


def share(part: int | float, whole: int | float) -> float | None:
    return round(part / whole, RATE_DIGITS) if whole else None


def _rounded(value: float | None, digits: int = DURATION_DIGITS) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True, slots=True)
class ResolvedCase:
    """The facts of one case counted as resolved in the period (its first resolution falls in it)."""

    case_id: int
    resolved_at: datetime
    opened_in_period: bool
    reopened_within_window: bool
    first_contact_resolution: bool | None
    handoffs: int
    first_response_seconds: int | None
    resolution_seconds: int | None
    met_sla: bool | None
    survey_sent: bool
    survey_score: int | None
    experience: Experience | None
    # the customer's sentiment (-1/0/+1) before and after our first reply, and whether a public
    # complaint was closed in public (``reply_outcome``)
    sentiment_before: int | None = None
    sentiment_after: int | None = None
    public_complaint: bool = False
    closed_in_public: bool = False


@dataclass(frozen=True, slots=True)
class DebtCase:
    """One case unresolved at the end of the period with a negative experience, and its weight."""

    case_id: int
    weight: float


@dataclass(frozen=True, slots=True)
class Spread:
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(_rounded(percentile(values, 0.5)), _rounded(percentile(values, 0.9)))


@dataclass(frozen=True, slots=True)
class Csat:
    average: float | None
    responses: int
    response_rate: float | None


@dataclass(frozen=True, slots=True)
class ExperienceDebt:
    unresolved_negative: float
    resolved_positive: int
    ratio: float | None  # resolved positive per unit of unresolved negative; 12 pays it back


@dataclass(frozen=True, slots=True)
class SentimentRecovery:
    """The customer's sentiment after our first reply against before it, over the resolved cases
    with a reading on both sides (``measured``)."""

    measured: int
    negative_before: int
    recovered: int  # of negative_before: not negative after
    recovery_rate: float | None  # recovered ÷ negative_before
    mean_change: float | None  # mean of after − before, each on -1/0/+1 (so from -2 to +2)


@dataclass(frozen=True, slots=True)
class PublicComplaints:
    """The resolved cases that began as a complaint in public, and those closed in public too."""

    cases: int
    closed_in_public: int
    rate: float | None  # closed_in_public ÷ cases


NO_RECOVERY = SentimentRecovery(0, 0, 0, None, None)
NO_PUBLIC_COMPLAINTS = PublicComplaints(0, 0, None)


def sentiment_recovery(resolved: Sequence[ResolvedCase]) -> SentimentRecovery:
    return _recovery(tally(resolved))


def _recovery(counts: Tally) -> SentimentRecovery:
    return SentimentRecovery(
        measured=counts.recovery_measured,
        negative_before=counts.negative_before,
        recovered=counts.recovered,
        recovery_rate=share(counts.recovered, counts.negative_before),
        mean_change=_rounded(
            counts.sentiment_change_sum / counts.recovery_measured if counts.recovery_measured else None
        ),
    )


def public_complaints(resolved: Sequence[ResolvedCase]) -> PublicComplaints:
    return _public(tally(resolved))


def _public(counts: Tally) -> PublicComplaints:
    return PublicComplaints(
        cases=counts.public_complaints,
        closed_in_public=counts.closed_in_public,
        rate=share(counts.closed_in_public, counts.public_complaints),
    )


@dataclass(frozen=True, slots=True)
class Tally:
    """What the figures of a set of resolved cases are made of: counts, sums and the spreads of
    their durations. ``tally`` adds them up from the cases; a database can add up the same
    (``metrics.outcome_reads``), and ``outcomes_of`` turns either into the figures."""

    resolved: int = 0
    opened_in_period: int = 0
    first_contact: int = 0
    reopened: int = 0
    handoffs: int = 0
    sla_timed: int = 0
    sla_met: int = 0
    surveys_sent: int = 0
    survey_responses: int = 0
    survey_score_sum: int = 0
    positive: int = 0
    recovery_measured: int = 0  # a sentiment reading before our first reply and after it
    negative_before: int = 0  # of those, negative before
    recovered: int = 0  # of those, not negative after
    sentiment_change_sum: int = 0  # Σ after − before over the measured
    public_complaints: int = 0
    closed_in_public: int = 0
    first_response_minutes: Spread = field(default_factory=lambda: Spread(None, None))
    resolution_hours: Spread = field(default_factory=lambda: Spread(None, None))


def tally(resolved: Sequence[ResolvedCase]) -> Tally:
    measured = [
        (case.sentiment_before, case.sentiment_after)
        for case in resolved
        if case.sentiment_before is not None and case.sentiment_after is not None
    ]
    negative = [after for before, after in measured if before == NEGATIVE_SENTIMENT]
    public = [case for case in resolved if case.public_complaint]
    sent = [case for case in resolved if case.survey_sent]
    scores = [case.survey_score for case in sent if case.survey_score is not None]
    timed_sla = [case.met_sla for case in resolved if case.met_sla is not None]
    return Tally(
        resolved=len(resolved),
        opened_in_period=sum(1 for case in resolved if case.opened_in_period),
        first_contact=sum(1 for case in resolved if case.first_contact_resolution),
        reopened=sum(1 for case in resolved if case.reopened_within_window),
        handoffs=sum(case.handoffs for case in resolved),
        sla_timed=len(timed_sla),
        sla_met=sum(1 for met in timed_sla if met),
        surveys_sent=len(sent),
        survey_responses=len(scores),
        survey_score_sum=sum(scores),
        positive=sum(1 for case in resolved if case.experience is Experience.POSITIVE),
        recovery_measured=len(measured),
        negative_before=len(negative),
        recovered=sum(1 for after in negative if after > NEGATIVE_SENTIMENT),
        sentiment_change_sum=sum(after - before for before, after in measured),
        public_complaints=len(public),
        closed_in_public=sum(1 for case in public if case.closed_in_public),
        first_response_minutes=Spread.of(
            [case.first_response_seconds / 60 for case in resolved if case.first_response_seconds is not None]
        ),
        resolution_hours=Spread.of(
            [case.resolution_seconds / 3600 for case in resolved if case.resolution_seconds is not None]
        ),
    )


@dataclass(frozen=True, slots=True)
class Outcomes:
    cases_opened: int
    cases_resolved: int
    resolution_rate: float | None
    first_contact_resolution_rate: float | None
    reopen_rate: float | None
    handoffs_per_case: float | None
    first_response_minutes: Spread
    resolution_hours: Spread
    sla_attainment: float | None
    csat: Csat
    experience_debt: ExperienceDebt
    sentiment_recovery: SentimentRecovery = NO_RECOVERY
    public_complaints: PublicComplaints = NO_PUBLIC_COMPLAINTS
    resolved_case_ids: tuple[int, ...] = field(default=(), repr=False)


def outcomes(*, opened: int, resolved: Sequence[ResolvedCase], debt: Sequence[DebtCase]) -> Outcomes:
    """The period's figures from the cases opened in it, those resolved in it, and the debt at its end."""
    found = outcomes_of(tally(resolved), opened=opened, unresolved=sum(item.weight for item in debt))
    return replace(found, resolved_case_ids=tuple(case.case_id for case in resolved))


def outcomes_of(counts: Tally, *, opened: int, unresolved: float) -> Outcomes:
    """The figures from a period's tally, its opened cases and its summed debt at the end."""
    count = counts.resolved
    unresolved = round(unresolved, DURATION_DIGITS)
    responses = counts.survey_responses
    return Outcomes(
        cases_opened=opened,
        cases_resolved=count,
        # the share of the period's new cases it also resolved: a fraction even when a backlog is cleared
        resolution_rate=share(counts.opened_in_period, opened),
        first_contact_resolution_rate=share(counts.first_contact, count),
        reopen_rate=share(counts.reopened, count),
        handoffs_per_case=_rounded(counts.handoffs / count if count else None),
        first_response_minutes=counts.first_response_minutes,
        resolution_hours=counts.resolution_hours,
        sla_attainment=share(counts.sla_met, counts.sla_timed),
        csat=Csat(
            average=_rounded(counts.survey_score_sum / responses if responses else None),
            responses=responses,
            response_rate=share(responses, counts.surveys_sent),
        ),
        experience_debt=ExperienceDebt(
            unresolved_negative=unresolved,
            resolved_positive=counts.positive,
            ratio=_rounded(counts.positive / unresolved if unresolved else None),
        ),
        sentiment_recovery=_recovery(counts),
        public_complaints=_public(counts),
    )


# --- breakdowns: the same figures per team, agent, channel or category ------------------------------

#: a group's key: a team's or an agent's id, a channel, a category; None: no team, agent or category
GroupKey = int | str | None


def breakdown(
    keys: Mapping[int, GroupKey],
    *,
    opened: Iterable[int],
    resolved: Sequence[ResolvedCase],
    debt: Sequence[DebtCase],
) -> dict[GroupKey, Outcomes]:
    """Each group's outcomes: the period's arithmetic over the group's own cases (``keys``: case id
    to group; a case missing from it falls in the None group). Groups with no case are left out."""
    opened_by: dict[GroupKey, int] = defaultdict(int)
    resolved_by: dict[GroupKey, list[ResolvedCase]] = defaultdict(list)
    debt_by: dict[GroupKey, list[DebtCase]] = defaultdict(list)
    for case_id in opened:
        opened_by[keys.get(case_id)] += 1
    for case in resolved:
        resolved_by[keys.get(case.case_id)].append(case)
    for item in debt:
        debt_by[keys.get(item.case_id)].append(item)
    groups = opened_by.keys() | resolved_by.keys() | debt_by.keys()
    return {
        group: outcomes(opened=opened_by[group], resolved=resolved_by[group], debt=debt_by[group])
        for group in groups
    }


# --- periods cut into buckets, for trends -----------------------------------------------------------

#: at most this many points on a trend line
MAX_BUCKETS = 26


def buckets(start: datetime, end: datetime, *, timezone: str = "UTC") -> list[tuple[datetime, datetime]]:
    """[start, end) cut into days (two weeks or less), weeks (half a year or less) or 30-day spans
    of ``timezone``'s calendar (the brand's: a day the clocks change on is 23 or 25 hours long);
    the last bucket ends at ``end``."""
    span = end - start
    days = 1 if span <= timedelta(days=14) else 7
    if span > timedelta(days=days) * MAX_BUCKETS:
        days = 30
    if span > timedelta(days=days) * MAX_BUCKETS:
        step = span / MAX_BUCKETS
        ends = [start + step * k for k in range(1, MAX_BUCKETS)] + [end]
    else:
        zone = ZoneInfo(timezone)
        wall = start.astimezone(zone).replace(tzinfo=None)
        ends, at = [], start
        while at < end:
            at = (wall + timedelta(days=days * (len(ends) + 1))).replace(tzinfo=zone).astimezone(UTC)
            ends.append(at)
    cuts, at = [], start
    for cut_end in ends:
        if at >= end:
            break
        cuts.append((at, min(cut_end, end)))
        at = cut_end
    return cuts


def bucket_of(moment: datetime, cuts: Sequence[tuple[datetime, datetime]]) -> int | None:
    for index, (begins, ends) in enumerate(cuts):
        if begins <= moment < ends:
            return index
    return None


# --- voice of the customer --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Said:
    """One customer message with a category: its case, when, and whether it read negative."""

    mention_id: int
    case_id: int | None
    at: datetime
    category: str
    is_negative: bool


@dataclass(frozen=True, slots=True)
class CategoryVoice:
    category: str
    messages: int
    negative_share: float | None
    previous_messages: int
    change: float | None  # messages against the period before, as a fraction (+1.0: twice as many)
    is_emerging: bool  # at least EMERGING_MIN messages and at least twice the period before
    example_ids: tuple[int, ...]  # mention ids: negative ones first, newest first


#: how many messages make a new or doubled category an emerging theme, not noise
EMERGING_MIN = 3
EXAMPLES = 3


def voice(said: Sequence[Said], *, previous: dict[str, int], limit: int = 10) -> list[CategoryVoice]:
    """The categories customers wrote about most in the period, with their tone and trend."""
    by_category: dict[str, list[Said]] = {}
    for item in said:
        by_category.setdefault(item.category, []).append(item)
    counts = {
        category: (len(items), sum(1 for item in items if item.is_negative))
        for category, items in by_category.items()
    }
    found = top_categories(counts, previous=previous, limit=limit)
    return [
        replace(
            item,
            example_ids=tuple(
                said.mention_id for said in sorted(by_category[item.category], key=example_order)[:EXAMPLES]
            ),
        )
        for item in found
    ]


def example_order(item: Said) -> tuple[bool, float, int]:
    """Which messages show a category: negative ones first, newest first."""
    return (not item.is_negative, -item.at.timestamp(), -item.mention_id)


def top_categories(
    counts: Mapping[str, tuple[int, int]], *, previous: Mapping[str, int], limit: int = 10
) -> list[CategoryVoice]:
    """The ``limit`` categories with the most messages, from each one's (messages, negative) count
    in the period and its count in the period before; their examples are left to the caller."""
    found = []
    for category, (messages, negative) in counts.items():
        before = previous.get(category, 0)
        found.append(
            CategoryVoice(
                category=category,
                messages=messages,
                negative_share=share(negative, messages),
                previous_messages=before,
                change=share(messages - before, before),
                is_emerging=messages >= EMERGING_MIN and messages >= 2 * before,
                example_ids=(),
            )
        )
    found.sort(key=lambda v: (-v.messages, v.category))
    return found[:limit]
