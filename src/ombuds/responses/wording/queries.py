"""Reads of approved wording: what applies to a case, the current version of a statement, the lists."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.accounts.models import User
from ombuds.cases.models import Case, CaseStatus, Customer
from ombuds.clock import as_utc, utcnow
from ombuds.enrichment.models import Enrichment
from ombuds.incidents.models import OPEN_STATUSES, Incident, IncidentCase, IncidentMention, IncidentStatus
from ombuds.mentions.models import Direction, Mention
from ombuds.responses import values
from ombuds.responses.models import Reply, ReplyStatus
from ombuds.responses.wording.models import (
    NewsItem,
    NewsKind,
    ReplyTemplate,
    TalkingPoint,
    TalkingPointVersion,
)
from ombuds.responses.wording.schemas import (
    SuggestedNews,
    SuggestedPastReply,
    SuggestedTalkingPoint,
    SuggestedTemplate,
    Suggestions,
)
from ombuds.responses.wording.suggest import (
    Candidate,
    CaseTopic,
    PastReply,
    adapted_past_reply,
    fill_template,
    is_valid,
    matched_terms,
    rank,
    similar_past_replies,
    template_wording,
)
from ombuds.shown_brands import note_shown


@dataclass(frozen=True)
class CurrentStatement:
    """A talking point with its current (newest approved) version, as it applies to one case."""

    point: TalkingPoint
    version: TalkingPointVersion
    incident: Incident | None = None
    matched: tuple[str, ...] = ()

    @property
    def incident_active(self) -> bool:
        return self.incident is not None and self.incident.status is IncidentStatus.ACTIVE

    def as_value(self) -> values.TalkingPoint:
        return values.TalkingPoint(
            id=self.point.id,
            version=self.version.version,
            text=self.version.text,
            is_incident_active=self.incident_active,
            title=self.point.title,
        )


def current_versions(session: Session, point_ids: Collection[int]) -> dict[int, TalkingPointVersion]:
    """Each talking point's newest approved version (points with none approved are left out)."""
    if not point_ids:
        return {}
    rows = session.scalars(
        select(TalkingPointVersion)
        .where(
            TalkingPointVersion.talking_point_id.in_(point_ids),
            TalkingPointVersion.approved_at.is_not(None),
        )
        .order_by(TalkingPointVersion.talking_point_id, TalkingPointVersion.version)
    )
    return {row.talking_point_id: row for row in rows}  # the last (newest) per point wins


def linked_incidents(session: Session, case: Case) -> list[Incident]:
    """Open incidents the case belongs to, through its messages or linked by hand; active ones first."""
    through_mentions = (
        select(IncidentMention.incident_id)
        .join(Mention, Mention.id == IncidentMention.mention_id)
        .where(Mention.case_id == case.id)
    )
    by_hand = select(IncidentCase.incident_id).where(IncidentCase.case_id == case.id)
    incidents = session.scalars(
        select(Incident).where(
            Incident.brand_id == case.brand_id,
            Incident.status.in_(OPEN_STATUSES),
            Incident.id.in_(through_mentions.union(by_hand).scalar_subquery()),
        )
    ).all()
    return sorted(incidents, key=lambda i: (i.status is not IncidentStatus.ACTIVE, -i.id))


def case_topic(session: Session, case: Case) -> CaseTopic:
    """The case's categories (as analysis or agents labelled its messages) and its customer's words."""
    texts = session.scalars(
        select(Mention.text).where(Mention.case_id == case.id).order_by(Mention.created_at)
    ).all()
    categories = session.scalars(
        select(Enrichment.label)
        .join(Mention, Mention.id == Enrichment.mention_id)
        .where(Mention.case_id == case.id, Enrichment.analyzer == "category")
    ).all()
    return CaseTopic.of(categories, texts, channel=case.channel)


def _valid(point: TalkingPoint, now: datetime) -> bool:
    return is_valid(
        now,
        as_utc(point.valid_from) if point.valid_from else None,
        as_utc(point.valid_until) if point.valid_until else None,
    )


def statements_for_case(
    session: Session, case: Case, *, topic: CaseTopic | None = None, now: datetime | None = None
) -> list[CurrentStatement]:
    """Current statements that apply to the case: its open incidents' holding statements (active
    incident first), then statements on its topic, most specific match first."""
    now = now or utcnow()
    note_shown(session, [case.brand_id])
    incidents = linked_incidents(session, case)
    by_incident = {incident.id: incident for incident in incidents}
    incident_points = (
        session.scalars(
            select(TalkingPoint).where(
                TalkingPoint.brand_id == case.brand_id, TalkingPoint.incident_id.in_(by_incident)
            )
        ).all()
        if by_incident
        else []
    )
    topic_points = session.scalars(
        select(TalkingPoint).where(TalkingPoint.brand_id == case.brand_id, TalkingPoint.incident_id.is_(None))
    ).all()
    points = [p for p in (*incident_points, *topic_points) if _valid(p, now)]
    versions = current_versions(session, [p.id for p in points])
    topic = topic if topic is not None else case_topic(session, case)

    found: list[CurrentStatement] = []
    for point in points:
        version = versions.get(point.id)
        if version is None:
            continue
        if point.incident_id is not None:
            found.append(CurrentStatement(point, version, incident=by_incident[point.incident_id]))
            continue
        matched = matched_terms(topic, categories=point.categories, keywords=point.keywords)
        if matched:
            found.append(CurrentStatement(point, version, matched=tuple(matched)))
    order = {incident.id: rank for rank, incident in enumerate(incidents)}
    return sorted(
        found,
        key=lambda s: (
            order[s.point.incident_id] if s.point.incident_id is not None else len(order),
            -len(s.matched),
            -s.version.created_at.timestamp(),
        ),
    )


def talking_points_for_case(session: Session, case: Case) -> list[values.TalkingPoint]:
    """The statements a reply on this case is checked against, in the order suggestions show them."""
    return [statement.as_value() for statement in statements_for_case(session, case)]


def holding_statements(
    session: Session, incident_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, CurrentStatement]:
    """The current holding statement of each of these incidents that has one in force."""
    now = now or utcnow()
    wanted = set(incident_ids)
    if not wanted:
        return {}
    points = [
        p
        for p in session.scalars(
            select(TalkingPoint).where(TalkingPoint.incident_id.in_(wanted)).order_by(TalkingPoint.id)
        )
        if _valid(p, now)
    ]
    versions = current_versions(session, [p.id for p in points])
    incidents = {i.id: i for i in session.scalars(select(Incident).where(Incident.id.in_(wanted)))}
    found: dict[int, CurrentStatement] = {}
    for point in points:
        version = versions.get(point.id)
        if version is not None and point.incident_id is not None:
            # the newest statement of an incident wins when it has several
            found[point.incident_id] = CurrentStatement(point, version, incident=incidents[point.incident_id])
    return found


def get_talking_point(session: Session, point_id: int, *, brand_ids: Collection[int]) -> TalkingPoint | None:
    point = session.get(TalkingPoint, point_id)
    if point is None or point.brand_id not in brand_ids:
        return None
    note_shown(session, [point.brand_id])
    return point


def list_talking_points(
    session: Session,
    *,
    brand_id: int,
    incident_id: int | None = None,
    include_expired: bool = False,
    now: datetime | None = None,
) -> list[tuple[TalkingPoint, TalkingPointVersion]]:
    """The brand's statements with their current versions, newest change first."""
    now = now or utcnow()
    note_shown(session, [brand_id])
    query = select(TalkingPoint).where(TalkingPoint.brand_id == brand_id)
    if incident_id is not None:
        query = query.where(TalkingPoint.incident_id == incident_id)
    points = [
        p
        for p in session.scalars(query.order_by(TalkingPoint.updated_at.desc(), TalkingPoint.id.desc()))
        if include_expired or _valid(p, now) or as_utc(p.valid_from) > now
    ]
    versions = current_versions(session, [p.id for p in points])
    return [(p, versions[p.id]) for p in points if p.id in versions]


def versions_of(session: Session, point: TalkingPoint) -> list[TalkingPointVersion]:
    """Every version, newest first."""
    return list(
        session.scalars(
            select(TalkingPointVersion)
            .where(TalkingPointVersion.talking_point_id == point.id)
            .order_by(TalkingPointVersion.version.desc())
        )
    )


def is_in_force(point: TalkingPoint, now: datetime | None = None) -> bool:
    return _valid(point, now or utcnow())


def user_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def get_template(session: Session, template_id: int, *, brand_ids: Collection[int]) -> ReplyTemplate | None:
    template = session.get(ReplyTemplate, template_id)
    if template is None or template.brand_id not in brand_ids or not template.is_active:
        return None
    note_shown(session, [template.brand_id])
    return template


def list_templates(session: Session, *, brand_id: int) -> list[ReplyTemplate]:
    note_shown(session, [brand_id])
    return list(
        session.scalars(
            select(ReplyTemplate)
            .where(ReplyTemplate.brand_id == brand_id, ReplyTemplate.is_active.is_(True))
            .order_by(ReplyTemplate.usage_count.desc(), ReplyTemplate.name)
        )
    )


def get_news(session: Session, item_id: int, *, brand_ids: Collection[int]) -> NewsItem | None:
    item = session.get(NewsItem, item_id)
    if item is None or item.brand_id not in brand_ids:
        return None
    note_shown(session, [item.brand_id])
    return item


def list_news(
    session: Session, *, brand_id: int, include_expired: bool = False, now: datetime | None = None
) -> list[NewsItem]:
    now = now or utcnow()
    note_shown(session, [brand_id])
    items = session.scalars(
        select(NewsItem)
        .where(NewsItem.brand_id == brand_id)
        .order_by(NewsItem.valid_from.desc(), NewsItem.id.desc())
    )
    return [
        item
        for item in items
        if include_expired or item.valid_until is None or as_utc(item.valid_until) > now
    ]


def customer_name(session: Session, case: Case) -> str | None:
    customer = session.get(Customer, case.customer_id)
    return customer.display_name if customer is not None else None


def suggestions_for_case(
    session: Session, case: Case, *, agent_name: str | None, now: datetime | None = None
) -> Suggestions:
    """Talking points, templates and news for the case, each list best first."""
    now = now or utcnow()
    topic = case_topic(session, case)
    statements = statements_for_case(session, case, topic=topic, now=now)
    talking_points = [
        SuggestedTalkingPoint(
            id=s.point.id,
            version=s.version.version,
            title=s.point.title,
            text=s.version.text,
            incident_id=s.point.incident_id,
            is_incident_active=s.incident_active,
            matched=list(s.matched),
            valid_until=s.point.valid_until,
        )
        for s in statements
    ]
    name = customer_name(session, case)
    by_id: dict[int, ReplyTemplate] = {}
    candidates: list[Candidate] = []
    for template in list_templates(session, brand_id=case.brand_id):
        by_id[template.id] = template
        _, own = template_wording(template.body, template.variants, topic.channel)
        matched = matched_terms(topic, categories=template.categories, keywords=template.keywords)
        candidates.append(
            Candidate(
                kind="template",
                id=template.id,
                matched=tuple(matched),
                has_channel_variant=own,
                usage_count=template.usage_count,
                updated_at=template.updated_at,
            )
        )
    templates = []
    for candidate in rank(candidates):
        template = by_id[candidate.id]
        wording, _ = template_wording(template.body, template.variants, topic.channel)
        templates.append(
            SuggestedTemplate(
                id=template.id,
                name=template.name,
                text=fill_template(
                    wording, customer_name=name, case_ref=f"#{case.id}", agent_name=agent_name
                ),
                usage_count=template.usage_count,
                matched=list(candidate.matched),
            )
        )
    news_matches = []
    for item in list_news(session, brand_id=case.brand_id, now=now):
        if not is_valid(now, as_utc(item.valid_from), as_utc(item.valid_until) if item.valid_until else None):
            continue
        matched = matched_terms(topic, categories=item.categories, keywords=item.keywords)
        if matched:
            news_matches.append((item, matched))
    # outages first (the customer may be writing about one), then the best match, then the newest
    news_matches.sort(key=lambda pair: (pair[0].kind is not NewsKind.OUTAGE, -len(pair[1])))
    news = [
        SuggestedNews(
            id=item.id,
            kind=item.kind,
            title=item.title,
            body=item.body,
            may_share=item.may_share,
            matched=matched,
        )
        for item, matched in news_matches
    ]
    return Suggestions(
        talking_points=talking_points,
        templates=templates,
        news=news,
        past_replies=past_replies_for_case(session, case, topic=topic, customer=name, agent_name=agent_name),
    )


#: How many of the brand's latest sent replies are weighed; older answers rarely fit today's facts.
PAST_REPLIES_WEIGHED = 300


def past_replies_for_case(
    session: Session, case: Case, *, topic: CaseTopic, customer: str | None, agent_name: str | None = None
) -> list[SuggestedPastReply]:
    """Replies sent on the brand's other resolved cases about the same thing, newest first, at most 3.

    Made for this case (``adapted_past_reply``): no one is greeted as someone else, given another
    case's number or signed off by another agent.
    """
    rows = session.execute(
        select(Reply.id, Reply.case_id, Reply.text, Reply.visibility, Reply.sent_at, Customer.display_name)
        .join(Case, Case.id == Reply.case_id)
        .outerjoin(Customer, Customer.id == Case.customer_id)
        .where(
            Reply.brand_id == case.brand_id,
            Case.brand_id == case.brand_id,
            Reply.case_id != case.id,
            Reply.status == ReplyStatus.SENT,
            Reply.is_public_closing.is_(False),
            Case.status.in_((CaseStatus.RESOLVED, CaseStatus.CLOSED)),
        )
        .order_by(Reply.sent_at.desc(), Reply.id.desc())
        .limit(PAST_REPLIES_WEIGHED)
    ).all()
    if not rows:
        return []
    case_ids = {row.case_id for row in rows}
    categories: dict[int, set[str]] = {}
    for case_id, label in session.execute(
        select(Mention.case_id, Enrichment.label)
        .join(Mention, Mention.id == Enrichment.mention_id)
        .where(
            Mention.case_id.in_(case_ids), Enrichment.analyzer == "category", Enrichment.label.is_not(None)
        )
    ):
        if case_id is not None and label:
            categories.setdefault(case_id, set()).add(label)
    texts: dict[int, list[str]] = {}
    for case_id, text in session.execute(
        select(Mention.case_id, Mention.text).where(
            Mention.case_id.in_(case_ids), Mention.direction == Direction.INBOUND
        )
    ):
        if case_id is not None:
            texts.setdefault(case_id, []).append(text)
    names = {row.case_id: row.display_name for row in rows}
    past = [
        PastReply(
            reply_id=row.id,
            case_id=row.case_id,
            text=row.text,
            visibility=row.visibility.value,
            sent_at=as_utc(row.sent_at),
            categories=frozenset(categories.get(row.case_id, ())),
            case_text="\n".join(texts.get(row.case_id, ())),
        )
        for row in rows
        if row.sent_at is not None
    ]
    found = []
    for reply, matched in similar_past_replies(topic, past):
        text = adapted_past_reply(
            reply.text,
            past_case_id=reply.case_id,
            case_ref=f"#{case.id}",
            past_customer=names.get(reply.case_id),
            customer=customer,
            agent_name=agent_name,
        )
        found.append(
            SuggestedPastReply(
                id=reply.reply_id,
                case_id=reply.case_id,
                visibility=reply.visibility,
                text=text,
                sent_at=reply.sent_at,
                matched=matched,
            )
        )
    return found


def statements_for_cases(session: Session, case_ids: Collection[int]) -> dict[int, CurrentStatement]:
    """For each of these cases that belongs to an active incident with a holding statement in force,
    that statement (the inbox marks those rows)."""
    if not case_ids:
        return {}
    pairs = session.execute(
        select(Mention.case_id, IncidentMention.incident_id)
        .join(IncidentMention, IncidentMention.mention_id == Mention.id)
        .join(Incident, Incident.id == IncidentMention.incident_id)
        .where(Mention.case_id.in_(case_ids), Incident.status == IncidentStatus.ACTIVE)
        .union(
            select(IncidentCase.case_id, IncidentCase.incident_id)
            .join(Incident, Incident.id == IncidentCase.incident_id)
            .where(IncidentCase.case_id.in_(case_ids), Incident.status == IncidentStatus.ACTIVE)
        )
    ).all()
    statements = holding_statements(session, {incident_id for _, incident_id in pairs})
    found: dict[int, CurrentStatement] = {}
    for case_id, incident_id in sorted(pairs, key=lambda pair: (pair[0] or 0, -pair[1])):
        if case_id is not None and incident_id in statements:
            found.setdefault(case_id, statements[incident_id])
    return found
