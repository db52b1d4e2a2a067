"""Reads for replies: a case's replies, the approval queue, what the checker needs to know of a case."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from cryptography.fernet import Fernet
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import User
from ombuds.cases.models import OPEN_STATUSES, Case, CaseStatus, Customer, Identity
from ombuds.enrichment.findings import SignalsData
from ombuds.enrichment.models import Enrichment
from ombuds.event_payloads import EventKind
from ombuds.events import Event
from ombuds.incidents.models import IncidentStatus
from ombuds.mentions.models import Direction, Mention
from ombuds.mentions.values import names_channel
from ombuds.responses.approval_rules import ApprovalPolicy
from ombuds.responses.models import ANSWERING, Reply, ReplyApprovalPolicy, ReplySink, ReplyStatus
from ombuds.responses.source_sinks import source_sink
from ombuds.responses.values import ReplyDraft, Visibility, case_needs_account_details
from ombuds.responses.wording.queries import linked_incidents, talking_points_for_case
from ombuds.shown_brands import note_shown
from ombuds.surveys.models import Survey
from ombuds.surveys.values import void_link_reason

EMAIL_CHANNEL = "email"


def get_reply(session: Session, reply_id: int, *, brand_ids: Collection[int]) -> Reply | None:
    """The reply, if it belongs to one of these brands (another brand's reply is as good as missing)."""
    reply = session.get(Reply, reply_id)
    return reply if reply is not None and reply.brand_id in brand_ids else None


def list_case_replies(session: Session, *, case: Case) -> list[Reply]:
    return list(
        session.scalars(select(Reply).where(Reply.case_id == case.id).order_by(Reply.created_at, Reply.id))
    )


def list_awaiting_approval(session: Session, *, brand_id: int) -> list[Reply]:
    """The approvers' queue: oldest first, so nobody waits longest."""
    return list(
        session.scalars(
            select(Reply)
            .where(Reply.brand_id == brand_id, Reply.status == ReplyStatus.AWAITING_APPROVAL)
            .order_by(Reply.created_at, Reply.id)
        )
    )


@dataclass(frozen=True)
class QueuedForApproval:
    """A held reply with what an approver weighs it by: the case, the customer, who wrote it."""

    reply: Reply
    case: Case
    customer_name: str | None
    author_name: str | None


def approval_queue(session: Session, *, brand_id: int) -> list[QueuedForApproval]:
    """The approvers' queue with each reply's case, customer and author, oldest first."""
    note_shown(session, [brand_id])
    rows = session.execute(
        select(Reply, Case, Customer.display_name, User.name)
        .join(Case, Case.id == Reply.case_id)
        .outerjoin(Customer, Customer.id == Case.customer_id)
        .outerjoin(User, User.id == Reply.author_id)
        .where(Reply.brand_id == brand_id, Reply.status == ReplyStatus.AWAITING_APPROVAL)
        .order_by(Reply.created_at, Reply.id)
    ).all()
    return [QueuedForApproval(reply, case, customer, author) for reply, case, customer, author in rows]


def people_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Names of the people who wrote or decided replies, by id."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def approval_policy(session: Session, *, brand_id: int) -> ApprovalPolicy:
    row = session.scalar(select(ReplyApprovalPolicy).where(ReplyApprovalPolicy.brand_id == brand_id))
    if row is None:
        return ApprovalPolicy()
    return ApprovalPolicy(
        on_priority_1=row.on_priority_1,
        on_media_author=row.on_media_author,
        on_active_incident=row.on_active_incident,
    )


def case_signals(session: Session, *, case: Case) -> tuple[str | None, str | None, frozenset[str]]:
    """The category and intent of the customer's latest analysed message, and every signal seen."""
    rows = session.execute(
        select(Enrichment.analyzer, Enrichment.label, Enrichment.data, Mention.id)
        .join(Mention, Mention.id == Enrichment.mention_id)
        .where(
            Mention.case_id == case.id,
            Mention.direction == Direction.INBOUND,
            Enrichment.analyzer.in_(("category", "intent", "signals")),
        )
        .order_by(Mention.created_at, Mention.id)
    ).all()
    labels: dict[str, str | None] = {}
    signals: set[str] = set()
    for analyzer, label, data, mention_id in rows:
        if analyzer == "signals":
            signals |= SignalsData.parse(data, where=f"mention {mention_id}").names
        elif label:
            labels[analyzer] = label  # later messages win
    return labels.get("category"), labels.get("intent"), frozenset(signals)


def has_active_incident(session: Session, *, case: Case) -> bool:
    return any(incident.status is IncidentStatus.ACTIVE for incident in linked_incidents(session, case))


def case_reference(case: Case) -> str:
    return f"#{case.id}"


def customer_name(session: Session, *, case: Case) -> str | None:
    customer = session.get(Customer, case.customer_id)
    return customer.display_name if customer else None


def reply_draft(session: Session, *, case: Case, text: str, visibility: Visibility) -> ReplyDraft:
    """The reply with the case facts the checker weighs it against."""
    category, intent, signals = case_signals(session, case=case)
    return ReplyDraft(
        text=text,
        visibility=visibility,
        channel=case.channel,
        needs_account_details=case_needs_account_details(category=category, intent=intent, signals=signals),
        intent=intent,
        customer_name=customer_name(session, case=case),
        case_reference=case_reference(case),
        talking_points=tuple(talking_points_for_case(session, case)),
    )


def began_in_public(session: Session, *, case: Case) -> bool:
    first = session.scalar(
        select(Mention.is_public)
        .where(Mention.case_id == case.id, Mention.direction == Direction.INBOUND)
        .order_by(Mention.created_at, Mention.id)
        .limit(1)
    )
    return bool(first)


def public_closing_sent(session: Session, *, case: Case) -> bool:
    """Whether the case's short public closing reply went out (the record the issue asks for)."""
    found = session.scalar(
        select(Reply.id).where(
            Reply.case_id == case.id, Reply.is_public_closing.is_(True), Reply.status == ReplyStatus.SENT
        )
    )
    return found is not None


def offers_public_closing(session: Session, *, case: Case) -> bool:
    """A case that began in public and was solved in private should be closed in public too."""
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED) or not began_in_public(session, case=case):
        return False
    private_sent = session.scalar(
        select(Reply.id).where(
            Reply.case_id == case.id,
            Reply.visibility == Visibility.PRIVATE,
            Reply.status == ReplyStatus.SENT,
        )
    )
    closing = session.scalar(
        select(Reply.id).where(
            Reply.case_id == case.id,
            Reply.is_public_closing.is_(True),
            Reply.status.in_(ANSWERING),
        )
    )
    return private_sent is not None and closing is None


def sink_for(session: Session, *, brand_id: int, channel: str) -> ReplySink | None:
    """The brand's active sink for this channel (named as the message's source named it first, then
    by another name of the same network: "twitter" for "x"); one that serves "*" when none does."""
    sinks = session.scalars(
        select(ReplySink)
        .where(ReplySink.brand_id == brand_id, ReplySink.is_active.is_(True))
        .order_by(ReplySink.id)
    ).all()
    named = next((sink for sink in sinks if channel in sink.channels), None)
    named = named or next((sink for sink in sinks if names_channel(sink.channels, channel)), None)
    return named or next((sink for sink in sinks if "*" in sink.channels), None)


def recipient_for(session: Session, *, case: Case, channel: str) -> str | None:
    """The customer's handle or address on the channel (for email: where the message goes).

    The handle they last wrote from on this case; else how the customer is known on the channel
    (a survey by email to someone who wrote on X).
    """
    written_from = session.scalar(
        select(Mention.author_handle)
        .where(*_customers_messages(case), Mention.channel == channel)
        .order_by(Mention.created_at.desc(), Mention.id.desc())
        .limit(1)
    )
    if written_from is not None:
        return written_from
    return session.scalar(
        select(Identity.handle)
        .where(
            Identity.brand_id == case.brand_id,
            Identity.customer_id == case.customer_id,
            Identity.channel == channel,
        )
        .order_by(Identity.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class SurveyRoute:
    """Where a survey link goes: the channel whose sink carries it, and whether that is the email fallback."""

    channel: str
    by_email: bool


def survey_route(session: Session, *, case: Case, box: Fernet | None = None) -> SurveyRoute | None:
    """The case's own channel when a sink serves it, else email when the customer has an address and
    a sink serves email; None when neither, so the agent shares the link.

    With ``box`` (the app's secret box), the source the customer wrote from on the channel serves
    it when it can answer privately (a mailbox with SMTP, a Mastodon account): the link is private.
    """

    def served(channel: str) -> bool:
        if sink_for(session, brand_id=case.brand_id, channel=channel) is not None:
            return True
        if box is None:
            return False
        wrote = answered_mention(session, case=case, channel=channel)
        return (
            wrote is not None
            and wrote.channel == channel
            and source_sink(session, mention=wrote, box=box, private=True) is not None
        )

    if served(case.channel) and recipient_for(session, case=case, channel=case.channel):
        return SurveyRoute(channel=case.channel, by_email=False)
    address = recipient_for(session, case=case, channel=EMAIL_CHANNEL)
    if address and "@" in address and served(EMAIL_CHANNEL):
        return SurveyRoute(channel=EMAIL_CHANNEL, by_email=case.channel != EMAIL_CHANNEL)
    return None


def _customers_messages(case: Case) -> tuple[ColumnElement[bool], ...]:
    """The case customer's own messages on it. A case merged with another customer's (the same
    person on two channels, or a mistake) holds theirs too, and a reply must not go to them."""
    return (
        Mention.case_id == case.id,
        Mention.direction == Direction.INBOUND,
        Mention.customer_id == case.customer_id,
    )


def last_inbound_mention(session: Session, *, case: Case) -> Mention | None:
    """The customer's newest message on the case: the one a reply answers."""
    return session.scalar(
        select(Mention)
        .where(*_customers_messages(case))
        .order_by(Mention.created_at.desc(), Mention.id.desc())
        .limit(1)
    )


def answered_mention(session: Session, *, case: Case, channel: str) -> Mention | None:
    """The message a reply on ``channel`` answers: the customer's newest there, else their newest
    anywhere (a survey by email to someone who wrote on X)."""
    return session.scalar(
        select(Mention)
        .where(*_customers_messages(case), Mention.channel == channel)
        .order_by(Mention.created_at.desc(), Mention.id.desc())
        .limit(1)
    ) or last_inbound_mention(session, case=case)


def last_inbound_external_id(session: Session, *, case: Case) -> str | None:
    found = last_inbound_mention(session, case=case)
    return found.external_id if found is not None else None


def resolved_as(session: Session, *, case: Case) -> str | None:
    """How the case's latest status change resolved it: "spam", "duplicate", or None (solved, or
    not a resolution)."""
    data = session.scalar(
        select(Event.data)
        .where(
            Event.subject_type == "case",
            Event.subject_id == case.id,
            Event.kind == EventKind.CASE_STATUS_CHANGED.value,
        )
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(1)
    )
    found = (data or {}).get("resolved_as")
    return str(found) if found else None


def outbound_with_id(session: Session, *, brand_id: int, external_id: str) -> int | None:
    """The id of the brand's outbound message stored with this channel id, if any."""
    return session.scalar(
        select(Mention.id).where(
            Mention.brand_id == brand_id,
            Mention.external_id == external_id,
            Mention.direction == Direction.OUTBOUND,
        )
    )


def brand_cases_with_replies_to_post(session: Session, brand_id: int) -> set[int]:
    """The brand's cases with a reply waiting for someone to post it by hand: the inbox's
    ``?replies=to_post``."""
    return set(
        session.scalars(
            select(Reply.case_id).where(Reply.brand_id == brand_id, Reply.status == ReplyStatus.TO_POST)
        )
    )


def cases_with_replies_to_post(session: Session, *, case_ids: Collection[int]) -> set[int]:
    """Which of these cases have a reply waiting for someone to post it by hand."""
    if not case_ids:
        return set()
    return set(
        session.scalars(
            select(Reply.case_id).where(
                Reply.case_id.in_(list(case_ids)), Reply.status == ReplyStatus.TO_POST
            )
        )
    )


#: a survey link in these states has not reached the customer (waiting, retrying, failed, or to be
#: posted by hand), so it can still be turned down
UNSENT_LINKS = (ReplyStatus.QUEUED, ReplyStatus.FAILED, ReplyStatus.TO_POST)


def void_survey_links(session: Session, *, reply_ids: Collection[int] = ()) -> list[tuple[int, str]]:
    """Survey links not yet out (``UNSENT_LINKS``) whose offer no longer stands, each with why
    (``surveys.values.void_link_reason``); only ``reply_ids`` when given."""
    query = (
        select(Reply.id, Survey.reply_id, Survey.delivery, Survey.answered_at, Case.status)
        .join(Survey, Survey.case_id == Reply.case_id)
        .join(Case, Case.id == Reply.case_id)
        .where(Reply.is_survey.is_(True), Reply.status.in_(UNSENT_LINKS))
        .order_by(Reply.id)
    )
    if reply_ids:
        query = query.where(Reply.id.in_(reply_ids))
    found = []
    for reply_id, standing, delivery, answered_at, status in session.execute(query):
        reason = void_link_reason(
            link_id=reply_id,
            standing_link_id=standing,
            delivery=delivery,
            case_is_open=status in OPEN_STATUSES,
            answered=answered_at is not None,
        )
        if reason is not None:
            found.append((reply_id, reason))
    return found
