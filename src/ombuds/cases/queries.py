"""Reads of cases. Every read takes the brands its caller may see and never looks outside them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Membership, Team, User
from ombuds.cases import privacy
from ombuds.cases.models import OPEN_STATUSES, Case, CaseStatus, Customer, Identity, Priority
from ombuds.cases.schemas import (
    CaseDetailRead,
    CaseList,
    CaseMentionRead,
    CaseRead,
    CaseSummaryRead,
    CustomerRead,
    CustomerRef,
    EnrichmentRead,
    IdentityRead,
    LatestMentionRead,
    TaskRead,
)
from ombuds.cases.tasks import Task
from ombuds.cases.values import InboxSort
from ombuds.cases.workflow import READ_ONLY_ROLES
from ombuds.enrichment.case_mood import CASE_MOOD_VERSION, MessageMood, case_mood
from ombuds.enrichment.findings import PII
from ombuds.enrichment.models import Enrichment, LabeledExample
from ombuds.mentions.models import Direction, Mention
from ombuds.shown_brands import note_shown
from ombuds.surveys.queries import get_case_survey
from ombuds.surveys.schemas import CsatRead
from ombuds.surveys.values import survey_path

SENTIMENT = "sentiment"
#: How findings are ordered on a mention: the ones people read first come first; others by name.
ANALYZER_ORDER = ("sentiment", "intent", "category", "signals", "reach", "language", "pii")


def get_case(session: Session, case_id: int, *, brand_ids: Collection[int]) -> Case | None:
    """The case, if it belongs to one of ``brand_ids``; another brand's case is as good as missing."""
    case = session.scalar(select(Case).where(Case.id == case_id, Case.brand_id.in_(brand_ids)))
    if case is not None:
        note_shown(session, [case.brand_id])
    return case


def _open_filter(
    *, brand_id: int, team_id: int | None, without_team: bool, assignee_id: int | None, without_assignee: bool
) -> list[ColumnElement[bool]]:
    conditions = [Case.brand_id == brand_id, Case.status.in_(OPEN_STATUSES)]
    if without_team:
        conditions.append(Case.team_id.is_(None))
    elif team_id is not None:
        conditions.append(Case.team_id == team_id)
    if without_assignee:
        conditions.append(Case.assignee_id.is_(None))
    elif assignee_id is not None:
        conditions.append(Case.assignee_id == assignee_id)
    return conditions


def _sla_due() -> ColumnElement[Any]:
    """The next deadline, as ``CaseRead.sla_due_at`` says: the first response until answered, then
    the next response while one is owed and due before the resolution, else the resolution.
    ``ix_case_deadline_order`` indexes this very expression (its migration holds it as compiled)."""
    return case(
        (
            Case.first_responded_at.is_(None) & Case.first_response_due_at.is_not(None),
            Case.first_response_due_at,
        ),
        (
            Case.next_response_due_at.is_not(None)
            & (Case.resolve_due_at.is_(None) | (Case.next_response_due_at < Case.resolve_due_at)),
            Case.next_response_due_at,
        ),
        else_=Case.resolve_due_at,
    )


def inbox_order(sort: InboxSort) -> list[ColumnElement[Any]]:
    """The ORDER BY of each inbox sort; the id comes last, so equal cases keep their places page to page."""
    if sort is InboxSort.AGE:
        return [Case.opened_at.asc(), Case.id.asc()]
    if sort is InboxSort.SLA:
        due = _sla_due()
        return [due.is_(None), due.asc(), Case.priority.asc(), Case.id.asc()]
    if sort is InboxSort.REACH:
        return [Case.reach.desc(), Case.priority.asc(), Case.opened_at.asc(), Case.id.asc()]
    # a case a follow-up brought back tops the list: its date has come and its owner promised
    return [
        Case.returned_at.is_(None),
        Case.returned_at.desc(),
        Case.priority.asc(),
        Case.opened_at.asc(),
        Case.id.asc(),
    ]


def _case_rows(conditions: Sequence[ColumnElement[bool]]) -> Select[Case, str, str | None, str | None]:
    return (
        select(Case, Customer.display_name, Team.name, User.name)
        .join(Customer, Customer.id == Case.customer_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .outerjoin(User, User.id == Case.assignee_id)
        .where(*conditions)
    )


def list_open_cases(
    session: Session,
    *,
    brand_id: int,
    brand_slug: str,
    status: CaseStatus | None = None,
    team_id: int | None = None,
    without_team: bool = False,
    assignee_id: int | None = None,
    without_assignee: bool = False,
    only_case_ids: Collection[int] | None = None,
    priority: Priority | None = None,
    sort: InboxSort = InboxSort.PRIORITY,
    mask_pii: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> CaseList:
    """The brand's open cases (new, open, pending) in the ``sort`` order; by default those a
    follow-up brought back first (latest on top), then most urgent, then the longest waiting.

    ``brand_id`` must come from the caller's scope (their selected brand or token's brand).
    """
    note_shown(session, [brand_id])
    conditions = _open_filter(
        brand_id=brand_id,
        team_id=team_id,
        without_team=without_team,
        assignee_id=assignee_id,
        without_assignee=without_assignee,
    )
    if only_case_ids is not None:  # a narrowing another package computed (the inbox's "SLA at risk")
        conditions.append(Case.id.in_(list(only_case_ids)))
    if priority is not None:
        conditions.append(Case.priority == int(priority))
    status_counts = {state.value: 0 for state in OPEN_STATUSES}
    for state, count in session.execute(
        select(Case.status, func.count()).where(*conditions).group_by(Case.status)
    ):
        status_counts[CaseStatus(state).value] = count
    if status is not None:
        conditions.append(Case.status == status)
    total = session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0
    # The page's ids first, from the case table alone, then their rows: joined before the sort,
    # every open case's customer, team and assignee were read to keep 50 (a million messages,
    # 240,000 open cases: 0.19 s a page, 0.09 s so).
    order = inbox_order(sort)
    page = select(Case.id).where(*conditions).order_by(*order).limit(limit).offset(offset)
    rows = session.execute(_case_rows([Case.id.in_(page)]).order_by(*order)).all()
    case_ids = [row[0].id for row in rows]
    latest = _latest_inbound_mentions(session, brand_id=brand_id, case_ids=case_ids)
    moods = _case_moods(session, brand_id=brand_id, case_ids=case_ids)
    counts = _mention_counts(session, brand_id=brand_id, case_ids=case_ids)
    items = [
        CaseRead(
            **_case_fields(
                case,
                team_name=team_name,
                assignee_name=assignee_name,
                mention_count=counts.get(case.id, 0),
                latest=latest.get(case.id),
                sentiment=moods.get(case.id),
            ),
            customer=CustomerRef(id=case.customer_id, display_name=customer_name),
        )
        for case, customer_name, team_name, assignee_name in rows
    ]
    listed = CaseList(
        brand=brand_slug, total=total, limit=limit, offset=offset, status_counts=status_counts, items=items
    )
    if not mask_pii:
        return listed
    return privacy.mask_case_list(listed, _personal_values(session, brand_id=brand_id, case_ids=case_ids))


def get_case_detail(
    session: Session, case_id: int, *, brand_ids: Collection[int], mask_pii: bool = False
) -> CaseDetailRead | None:
    """Everything the case page shows, or None if the case is not in ``brand_ids``.

    Signal evidence comes marked in each message's segments; with ``mask_pii`` (for viewers)
    personal data is masked in every text the result holds.
    """
    row = session.execute(_case_rows([Case.id == case_id, Case.brand_id.in_(brand_ids)])).first()
    if row is None:
        return None
    case, customer_name, team_name, assignee_name = row
    note_shown(session, [case.brand_id])
    mentions = list(
        session.scalars(
            select(Mention)
            .where(Mention.case_id == case.id, Mention.brand_id == case.brand_id)
            .order_by(Mention.created_at, Mention.id)
        )
    )
    findings = _enrichments_by_mention(session, brand_id=case.brand_id, mention_ids=[m.id for m in mentions])
    identities = session.scalars(
        select(Identity)
        .where(Identity.customer_id == case.customer_id, Identity.brand_id == case.brand_id)
        .order_by(Identity.followers.desc().nulls_last(), Identity.channel, Identity.handle)
    )
    other_cases = session.scalars(
        select(Case)
        .where(Case.customer_id == case.customer_id, Case.brand_id == case.brand_id, Case.id != case.id)
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(10)
    )
    latest = next((m for m in reversed(mentions) if m.direction is Direction.INBOUND), None)
    detail = CaseDetailRead(
        **_case_fields(
            case,
            team_name=team_name,
            assignee_name=assignee_name,
            mention_count=len(mentions),
            latest=_latest_read(latest, findings.get(latest.id, [])) if latest else None,
            sentiment=_mood_read(
                [
                    MessageMood.from_finding(found.label, found.score, found.data, where=f"mention {m.id}")
                    for m in mentions
                    if m.direction is Direction.INBOUND
                    for found in findings.get(m.id, [])
                    if found.analyzer == SENTIMENT
                ]
            ),
        ),
        customer=CustomerRead(
            id=case.customer_id,
            display_name=customer_name,
            identities=[IdentityRead.model_validate(identity) for identity in identities],
        ),
        mentions=[_mention_read(mention, findings.get(mention.id, [])) for mention in mentions],
        other_cases=[CaseSummaryRead.model_validate(other) for other in other_cases],
        **_outcome_fields(session, case),
        tasks=[
            TaskRead.model_validate(task)
            for task in session.scalars(
                select(Task).where(Task.case_id == case.id).order_by(Task.created_at, Task.id)
            )
        ],
    )
    return privacy.present_case(detail, mask=mask_pii)


def _outcome_fields(session: Session, case: Case) -> dict[str, Any]:
    """The case's survey and outcome facts; the survey link is a path on the app's address."""
    survey = get_case_survey(session, case_id=case.id, brand_id=case.brand_id)
    answered = survey is not None and survey.answered_at is not None
    return {
        # a reopened case asks nothing: its link answers "nothing to rate yet" until it is resolved again
        "survey_url": survey_path(survey.token)
        if survey is not None and case.status not in OPEN_STATUSES
        else None,
        "csat": CsatRead.model_validate(survey) if answered else None,
        "first_contact_resolution": case.first_contact_resolution,
        "handoffs": case.handoffs or 0,
        "reopened": case.reopened or 0,
        "first_response_business_seconds": case.first_response_business_seconds,
        "resolution_business_seconds": case.resolution_business_seconds,
    }


def list_case_workers(session: Session, *, brand_id: int) -> list[User]:
    """The active people of a brand who may be given cases (every role but viewer), by name."""
    return list(
        session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.brand_id == brand_id,
                Membership.role.not_in(READ_ONLY_ROLES),
                User.is_active.is_(True),
            )
            .order_by(User.name, User.id)
        )
    )


def list_category_labels(session: Session, *, brand_id: int) -> list[str]:
    """The brand's categories so far: those people taught and those analysis gave, for suggestions."""
    taught = select(LabeledExample.label).where(
        LabeledExample.brand_id == brand_id, LabeledExample.analyzer == "category"
    )
    given = select(Enrichment.label).where(
        Enrichment.brand_id == brand_id, Enrichment.analyzer == "category", Enrichment.label.is_not(None)
    )
    return sorted({label for label in session.scalars(taught.union(given)) if label}, key=str.lower)


# --- helpers --------------------------------------------------------------------------------------


def _case_fields(
    case: Case,
    *,
    team_name: str | None,
    assignee_name: str | None,
    mention_count: int,
    latest: LatestMentionRead | None,
    sentiment: EnrichmentRead | None = None,
) -> dict[str, Any]:
    """What every shape of a case shares (all but the customer, which each shape shows its way)."""
    return {
        "id": case.id,
        "brand_id": case.brand_id,
        "subject": case.subject,
        "channel": case.channel,
        "status": case.status,
        "priority": case.priority,
        "team_id": case.team_id,
        "team_name": team_name,
        "assignee_id": case.assignee_id,
        "assignee_name": assignee_name,
        "opened_at": case.opened_at,
        "last_activity_at": case.last_activity_at,
        "first_response_due_at": case.first_response_due_at,
        "first_responded_at": case.first_responded_at,
        "resolve_due_at": case.resolve_due_at,
        "next_response_due_at": case.next_response_due_at,
        "resolved_at": case.resolved_at,
        "returned_at": case.returned_at,
        "mention_count": mention_count,
        "latest_mention": latest,
        "sentiment": sentiment,
    }


def _mention_read(mention: Mention, enrichments: list[EnrichmentRead]) -> CaseMentionRead:
    return CaseMentionRead(
        id=mention.id,
        external_id=mention.external_id,
        channel=mention.channel,
        direction=mention.direction,
        is_public=mention.is_public,
        author_handle=mention.author_handle,
        author_name=mention.author_name,
        author_followers=mention.author_followers,
        author_bio=mention.author_bio,
        text=mention.text,
        url=mention.url,
        created_at=mention.created_at,
        enrichments=enrichments,
    )


def _latest_read(mention: Mention, enrichments: list[EnrichmentRead]) -> LatestMentionRead:
    sentiment = next((e for e in enrichments if e.analyzer == SENTIMENT), None)
    return LatestMentionRead(
        id=mention.id, text=mention.text, created_at=mention.created_at, sentiment=sentiment
    )


def _analyzer_rank(analyzer: str) -> tuple[int, str]:
    rank = ANALYZER_ORDER.index(analyzer) if analyzer in ANALYZER_ORDER else len(ANALYZER_ORDER)
    return rank, analyzer


def _enrichments_by_mention(
    session: Session, *, brand_id: int, mention_ids: Sequence[int], analyzer: str | None = None
) -> dict[int, list[EnrichmentRead]]:
    if not mention_ids:
        return {}
    query = select(Enrichment).where(Enrichment.brand_id == brand_id, Enrichment.mention_id.in_(mention_ids))
    if analyzer is not None:
        query = query.where(Enrichment.analyzer == analyzer)
    found: dict[int, list[EnrichmentRead]] = defaultdict(list)
    for enrichment in session.scalars(query):
        found[enrichment.mention_id].append(EnrichmentRead.model_validate(enrichment))
    for findings in found.values():
        findings.sort(key=lambda e: _analyzer_rank(e.analyzer))
    return found


def _latest_inbound_mentions(
    session: Session, *, brand_id: int, case_ids: Sequence[int]
) -> dict[int, LatestMentionRead]:
    """Each case's newest customer message, found in one query with a window function."""
    if not case_ids:
        return {}
    ranked = (
        select(
            Mention.id,
            Mention.case_id,
            Mention.text,
            Mention.created_at,
            func.row_number()
            .over(partition_by=Mention.case_id, order_by=(Mention.created_at.desc(), Mention.id.desc()))
            .label("rank"),
        )
        .where(
            Mention.brand_id == brand_id,
            Mention.case_id.in_(case_ids),
            Mention.direction == Direction.INBOUND,
        )
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.id, ranked.c.case_id, ranked.c.text, ranked.c.created_at).where(ranked.c.rank == 1)
    ).all()
    sentiments = _enrichments_by_mention(
        session, brand_id=brand_id, mention_ids=[row.id for row in rows], analyzer=SENTIMENT
    )
    return {
        row.case_id: LatestMentionRead(
            id=row.id,
            text=row.text,
            created_at=row.created_at,
            sentiment=next(iter(sentiments.get(row.id, [])), None),
        )
        for row in rows
    }


def _mood_read(moods: Sequence[MessageMood]) -> EnrichmentRead | None:
    """The case's mood shaped like a finding, so the pages show it with the same chip."""
    mood = case_mood(moods)
    if mood is None:
        return None
    return EnrichmentRead(
        analyzer=SENTIMENT,
        model_version=CASE_MOOD_VERSION,
        label=mood.label,
        score=mood.score,
        data={"probabilities": dict(mood.probabilities), "messages": mood.messages},
    )


def _case_moods(session: Session, *, brand_id: int, case_ids: Sequence[int]) -> dict[int, EnrichmentRead]:
    """Each case's mood over its customer's messages, oldest first, in one query."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(Mention.case_id, Mention.id, Enrichment.label, Enrichment.score, Enrichment.data)
        .join(Enrichment, Enrichment.mention_id == Mention.id)
        .where(
            Mention.brand_id == brand_id,
            Mention.case_id.in_(case_ids),
            Mention.direction == Direction.INBOUND,
            Enrichment.analyzer == SENTIMENT,
        )
        .order_by(Mention.case_id, Mention.created_at, Mention.id)
    )
    said: dict[int, list[MessageMood]] = defaultdict(list)
    for case_id, mention_id, label, score, data in rows:
        if case_id is not None:
            said[case_id].append(MessageMood.from_finding(label, score, data, where=f"mention {mention_id}"))
    return {case_id: read for case_id, moods in said.items() if (read := _mood_read(moods)) is not None}


def _mention_counts(session: Session, *, brand_id: int, case_ids: Sequence[int]) -> dict[int, int]:
    if not case_ids:
        return {}
    rows = session.execute(
        select(Mention.case_id, func.count())
        .where(Mention.brand_id == brand_id, Mention.case_id.in_(case_ids))
        .group_by(Mention.case_id)
    )
    return {case_id: count for case_id, count in rows if case_id is not None}


def _personal_values(
    session: Session, *, brand_id: int, case_ids: Sequence[int]
) -> dict[int, list[tuple[str, str]]]:
    """The personal values (with their kinds) in each case's messages, from the stored PII spans."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(Mention.case_id, Mention.id, Mention.text, Enrichment.data)
        .join(Enrichment, Enrichment.mention_id == Mention.id)
        .where(
            Mention.brand_id == brand_id,
            Mention.case_id.in_(case_ids),
            Enrichment.analyzer == PII,
            Enrichment.label.is_not(None),
        )
    )
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for case_id, mention_id, text, data in rows:
        if case_id is not None:
            found[case_id] += privacy.values(
                text, privacy.pii_marks(data, text=text, where=f"mention {mention_id}")
            )
    return found
