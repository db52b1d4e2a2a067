"""The demo desk's answers: PR's approved words, the replies care sent, held and had turned down,
and the resolutions given. Everything goes through the real actions, as people would have done it.

Runs after the pipeline has made cases of the mentions; each step is its own transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ombuds.accounts.models import Role, User
from ombuds.accounts.queries import get_user_by_email
from ombuds.cases.lifecycle import Actor, change_status
from ombuds.cases.models import OPEN_STATUSES as OPEN_CASE_STATUSES
from ombuds.cases.models import Case, CaseStatus
from ombuds.db import transaction
from ombuds.demo import phrases, wording
from ombuds.demo.outbox import deliver_and_post
from ombuds.demo.seed import PEOPLE
from ombuds.incidents.actions import assign_owner
from ombuds.incidents.actions import change_status as change_incident_status
from ombuds.incidents.models import Incident, IncidentMention, IncidentStatus
from ombuds.mentions.models import Direction, Mention
from ombuds.responses import queries
from ombuds.responses.actions import acknowledge_then_private, approve_reply, reject_reply, submit_reply
from ombuds.responses.approval_rules import approval_reason
from ombuds.responses.resolutions.actions import Requester, request_resolution
from ombuds.responses.resolutions.models import ResolutionOption
from ombuds.responses.resolutions.values import ResolutionKind
from ombuds.responses.values import Visibility
from ombuds.responses.wording.actions import create_talking_point, save_news, save_template

#: How many cases of each kind were answered in public, then in private, and resolved.
ANSWERED_PER_KIND = {"bag": 2, "refund": 2, "disruption": 1, "service": 1}
FIRST_RESPONSES = 4

_KIND_WORDS = (
    ("refund", re.compile(r"\b(refund\w*|charged|fee)\b", re.I)),
    ("bag", re.compile(r"\b(bags?|luggage|suitcase)\b", re.I)),
    ("disruption", re.compile(r"\b(delay\w*|cancel\w*|pushed back|rebook\w*)\b", re.I)),
    ("service", re.compile(r"\b(rude|shouted|rolled their eyes|unacceptable)\b", re.I)),
)


def problem_kind(text: str) -> str | None:
    """Which of the demo's answer sets fits a customer's message (refunds before bags before delays)."""
    return next((kind for kind, words in _KIND_WORDS if words.search(text)), None)


@dataclass
class AnswersSummary:
    incident_id: int
    #: case id → the kind of problem it raised, for cases answered in public, then in private
    answered: dict[int, str] = field(default_factory=dict)
    closed_in_public_case_ids: list[int] = field(default_factory=list)
    first_responses: dict[int, str] = field(default_factory=dict)
    #: (reply id, case id) of the journalist's answer waiting for PR, and of the one PR turned down
    awaiting: tuple[int, int] | None = None
    rejected: tuple[int, int] | None = None
    #: (reply id, case id) of the storm reply PR approved, left for the agent to post by hand
    to_post: tuple[int, int] | None = None


def _people(session: Session) -> dict[Role, User]:
    found = {}
    for email, _, role in PEOPLE:
        user = get_user_by_email(session, email)
        assert user is not None, f"the demo seeds {email} first"
        found[role] = user
    return found


def _storm_incident(session: Session, *, brand_id: int, pr: User, now: datetime) -> Incident:
    """The incident detection opened on the mocked post, made active with PR as owner.

    Detection may have let it cool down to watching; PR takes it on. Nobody opens it by hand:
    a storm the detectors miss is a bug the demo must show, not hide.
    """
    post = session.scalars(
        select(Mention).where(
            Mention.brand_id == brand_id,
            Mention.direction == Direction.OUTBOUND,
            Mention.text == phrases.MARKETING_POST,
        )
    ).one()
    reactions = select(Mention.id).where(
        Mention.brand_id == brand_id, Mention.in_reply_to == post.external_id
    )
    incident = session.scalars(
        select(Incident)
        .join(IncidentMention, IncidentMention.incident_id == Incident.id)
        .where(Incident.brand_id == brand_id, IncidentMention.mention_id.in_(reactions))
        .order_by(Incident.mention_count.desc(), Incident.id)
        .limit(1)
    ).first()
    if incident is None:
        raise LookupError(
            f"demo brand {brand_id}: no incident holds the reactions to the {phrases.MARKETING_POST!r} post; "
            "early warning missed the demo's storm"
        )
    change_incident_status(session, incident=incident, status=IncidentStatus.ACTIVE, actor_id=pr.id, now=now)
    assign_owner(session, incident=incident, owner_id=pr.id, actor_id=pr.id, now=now)
    return incident


def seed_wording(session: Session, *, brand_id: int, incident: Incident, pr: User, now: datetime) -> None:
    """PR's holding statement on the incident, topic statements, reply templates and news."""
    create_talking_point(
        session,
        brand_id=brand_id,
        title=wording.HOLDING_TITLE,
        text=wording.HOLDING_STATEMENT,
        actor_id=pr.id,
        now=now,
        incident_id=incident.id,
    )
    for point in wording.TOPIC_POINTS:
        create_talking_point(
            session,
            brand_id=brand_id,
            title=point.title,
            text=point.text,
            actor_id=pr.id,
            now=now - timedelta(days=20),
            categories=point.categories,
            keywords=point.keywords,
        )
    for template in wording.TEMPLATES:
        save_template(
            session,
            brand_id=brand_id,
            name=template.name,
            body=template.body,
            actor_id=pr.id,
            now=now - timedelta(days=30),
            variants=template.variants,
            categories=template.categories,
            keywords=template.keywords,
        )
    for item in wording.NEWS:
        save_news(
            session,
            brand_id=brand_id,
            kind=item.kind,
            title=item.title,
            body=item.body,
            actor_id=pr.id,
            now=now - timedelta(days=2),
            categories=item.categories,
            keywords=item.keywords,
            may_share=item.may_share,
            valid_until=None if item.hours_left is None else now + timedelta(hours=item.hours_left),
        )


def _first_text(session: Session, case: Case) -> str:
    return (
        session.scalar(
            select(Mention.text)
            .where(Mention.case_id == case.id, Mention.direction == Direction.INBOUND)
            .order_by(Mention.created_at, Mention.id)
            .limit(1)
        )
        or ""
    )


def _answerable(session: Session, *, brand_id: int) -> Iterable[tuple[Case, str]]:
    """Unanswered public cases an agent may answer without PR, with the kind of problem each raises."""
    policy = queries.approval_policy(session, brand_id=brand_id)
    cases = session.scalars(
        select(Case)
        .where(
            Case.brand_id == brand_id,
            Case.status.in_(OPEN_CASE_STATUSES),
            Case.first_responded_at.is_(None),
            Case.channel == "x",
        )
        .order_by(Case.id)
    )
    for case in cases:
        kind = problem_kind(_first_text(session, case))
        if kind is None or not queries.began_in_public(session, case=case):
            continue
        _, _, signals = queries.case_signals(session, case=case)
        held = approval_reason(
            policy=policy,
            visibility=Visibility.PUBLIC,
            priority=case.priority,
            signals=signals,
            has_active_incident=queries.has_active_incident(session, case=case),
        )
        if held is None:
            yield case, kind


def _storm_cases(session: Session, *, incident: Incident) -> list[Case]:
    linked = (
        select(Mention.case_id)
        .join(IncidentMention, IncidentMention.mention_id == Mention.id)
        .where(IncidentMention.incident_id == incident.id, Mention.case_id.is_not(None))
    )
    return list(
        session.scalars(
            select(Case)
            .where(Case.id.in_(linked), Case.status.in_(OPEN_CASE_STATUSES), Case.priority != 1)
            .order_by(Case.id)
            .limit(2)
        )
    )


def _answer_cases(session: Session, *, brand_id: int, agent: Actor, summary: AnswersSummary) -> None:
    """Public-then-private answers on a few cases of each kind; first public answers on a few more."""
    wanted = dict(ANSWERED_PER_KIND)
    first_left = FIRST_RESPONSES
    for case, kind in _answerable(session, brand_id=brand_id):
        if wanted.get(kind, 0) > 0:
            public, private, _ = wording.ANSWERS[kind]
            acknowledge_then_private(
                session, case=case, public_text=public, private_text=private, actor=agent
            )
            wanted[kind] -= 1
            summary.answered[case.id] = kind
        elif first_left > 0:
            text = wording.FIRST_RESPONSES[kind]
            submit_reply(session, case=case, text=text, visibility=Visibility.PUBLIC, actor=agent)
            first_left -= 1
            summary.first_responses[case.id] = kind
        if first_left == 0 and not any(wanted.values()):
            return


def _replies_for_pr(
    session: Session, *, brand_id: int, incident_id: int, agent: Actor, pr: Actor, summary: AnswersSummary
) -> None:
    """The journalist's answer waits for PR; on the storm, one flippant reply turned down, one approved."""
    journalist = session.scalars(
        select(Case)
        .join(Mention, Mention.case_id == Case.id)
        .where(Case.brand_id == brand_id, Mention.author_handle == "dana_reports")
        .limit(1)
    ).one()
    waiting = submit_reply(
        session, case=journalist, text=wording.JOURNALIST_REPLY, visibility=Visibility.PUBLIC, actor=agent
    )
    summary.awaiting = (waiting.id, journalist.id)
    incident = session.get(Incident, incident_id)
    assert incident is not None
    storm = _storm_cases(session, incident=incident)
    flippant = submit_reply(
        session, case=storm[0], text=wording.STORM_REPLY, visibility=Visibility.PUBLIC, actor=agent
    )
    reject_reply(session, reply=flippant, actor=pr, note=wording.STORM_REJECTION)
    summary.rejected = (flippant.id, storm[0].id)
    if len(storm) > 1:
        held = submit_reply(
            session, case=storm[1], text=wording.STORM_ANSWER, visibility=Visibility.PUBLIC, actor=agent
        )
        approve_reply(session, reply=held, actor=pr, note="The holding statement, as written.")
        summary.to_post = (held.id, storm[1].id)


def _resolve_and_close(session: Session, *, agent: Actor, summary: AnswersSummary) -> None:
    """Resolve the cases sorted out in private; every other one gets its short public closing reply."""
    for position, (case_id, kind) in enumerate(summary.answered.items()):
        answered = session.get(Case, case_id)
        assert answered is not None
        change_status(session, case=answered, status=CaseStatus.RESOLVED, actor=agent, note="sorted in DM")
        if position % 2 == 0:  # the others still offer the closing reply in the composer
            _, _, closing = wording.ANSWERS[kind]
            submit_reply(
                session,
                case=answered,
                text=closing,
                visibility=Visibility.PUBLIC,
                actor=agent,
                is_public_closing=True,
            )
            summary.closed_in_public_case_ids.append(case_id)


def seed_replies(factory: sessionmaker[Session], *, brand_id: int, incident_id: int) -> AnswersSummary:
    """Replies in every state the desk shows, delivered through the outbox like any other."""
    summary = AnswersSummary(incident_id=incident_id)
    with transaction(factory) as session:
        people = _people(session)
        agent, pr = Actor(user=people[Role.AGENT]), Actor(user=people[Role.PR])
        _answer_cases(session, brand_id=brand_id, agent=agent, summary=summary)
        _replies_for_pr(
            session, brand_id=brand_id, incident_id=incident_id, agent=agent, pr=pr, summary=summary
        )
    deliver_and_post(factory, keep=[summary.to_post[1]] if summary.to_post else [])
    with transaction(factory) as session:
        _resolve_and_close(session, agent=Actor(user=_people(session)[Role.AGENT]), summary=summary)
    deliver_and_post(factory)
    return summary


def _pick(session: Session, cases: dict[int, str], kind: str, about: tuple[str, ...]) -> int | None:
    """A case whose subject carries one of the words ``about`` (a credit's reason must fit the case
    it is given on), of this kind first; else the first of the kind, else the first."""
    of_kind = [case_id for case_id, of in cases.items() if of == kind]
    subjects = dict(session.execute(select(Case.id, Case.subject).where(Case.id.in_(list(cases)))).all())
    fitting = (
        case_id for case_id in [*of_kind, *cases] if any(word in subjects[case_id].lower() for word in about)
    )
    return next(fitting, next(iter(of_kind), next(iter(cases), None)))


def _stranded(session: Session, brand_id: int) -> int | None:
    """An open case of a customer left without a hotel after a cancellation: the one a credit for a
    missed connection and a paid hotel night is asked on."""
    return session.scalar(
        select(Case.id)
        .where(Case.brand_id == brand_id, Case.status.in_(OPEN_CASE_STATUSES), Case.subject.ilike("%hotel%"))
        .order_by(Case.opened_at, Case.id)
        .limit(1)
    )


def seed_resolutions(
    factory: sessionmaker[Session], *, brand_id: int, summary: AnswersSummary, now: datetime
) -> None:
    """A credit within the agent's limit (given at once) and one above it (waiting for a manager)."""
    with transaction(factory) as session:
        agent = _people(session)[Role.AGENT]
        requester = Requester(user=agent, role=Role.AGENT)
        credit = session.scalars(
            select(ResolutionOption).where(
                ResolutionOption.brand_id == brand_id, ResolutionOption.kind == ResolutionKind.CREDIT
            )
        ).one()
        given = [
            (
                _pick(session, summary.answered, "refund", ("refund",)),
                Decimal("60.00"),
                wording.CREDIT_REASON,
            ),
            (
                _stranded(session, brand_id)
                or _pick(session, summary.first_responses, "disruption", ("hotel",)),
                Decimal("250.00"),
                wording.BIG_CREDIT_REASON,
            ),
        ]
        for case_id, amount, reason in given:
            if case_id is None:
                continue
            case = session.get(Case, case_id)
            assert case is not None
            request_resolution(
                session,
                case=case,
                option=credit,
                amount=amount,
                currency="USD",
                reason=reason,
                requester=requester,
                now=now,
            )


def seed_answers(factory: sessionmaker[Session], *, brand_id: int, now: datetime) -> AnswersSummary:
    """Approved words first (agents answer with them), then replies, then resolutions."""
    with transaction(factory) as session:
        pr = _people(session)[Role.PR]
        incident = _storm_incident(session, brand_id=brand_id, pr=pr, now=now)
        seed_wording(session, brand_id=brand_id, incident=incident, pr=pr, now=now)
        incident_id = incident.id
    summary = seed_replies(factory, brand_id=brand_id, incident_id=incident_id)
    seed_resolutions(factory, brand_id=brand_id, summary=summary, now=now)
    return summary
