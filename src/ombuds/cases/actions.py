"""The only writers of customers and cases; callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from ombuds.accounts.models import Team
from ombuds.cases.models import OPEN_STATUSES, REPLY_TABLE, Case, CaseStatus, Customer, Identity, Priority
from ombuds.cases.outcomes import (
    counts_as_handoff,
    is_early_reopen,
    is_first_contact_resolution,
    reply_exchanges,
)
from ombuds.cases.reach import refresh_reach
from ombuds.cases.tasks import list_open_tasks
from ombuds.cases.thread_batch import CaseBook, IdentityKey, KnownIdentity, identity_key, load_identities
from ombuds.cases.threading import ThreadAction, ThreadDecision, case_subject, decide_thread, is_echo
from ombuds.cases.values import NO_SURVEY, ResolvedAs
from ombuds.cases.workflow import status_path
from ombuds.clock import as_utc
from ombuds.db import insert_returning_ids
from ombuds.errors import Conflict
from ombuds.event_payloads import (
    CaseAssigned,
    CaseFirstResponse,
    CaseOpened,
    CaseRouted,
    CaseStatusChanged,
)
from ombuds.events import Event, events_together, record_event
from ombuds.mentions.models import Direction, Mention
from ombuds.surveys.actions import offer_survey, withdraw_case_survey


def _new_case(*, mention: Mention, customer_id: int) -> Case:
    return Case(
        brand_id=mention.brand_id,
        customer_id=customer_id,
        subject=case_subject(mention.text),
        channel=mention.channel,
        status=CaseStatus.NEW,
        opened_at=mention.created_at,
        last_activity_at=mention.created_at,
    )


def _record_opened(session: Session, *, case: Case, mention: Mention) -> None:
    record_event(
        session,
        brand_id=mention.brand_id,
        subject_type="case",
        subject_id=case.id,
        payload=CaseOpened(mention_id=mention.id),
        occurred_at=mention.created_at,
    )


def attach_mention(session: Session, *, case: Case, mention: Mention) -> None:
    mention.case_id = case.id
    if mention.created_at > case.last_activity_at:
        case.last_activity_at = mention.created_at
    if mention.direction is Direction.OUTBOUND:
        case.returned_at = None  # answered: a case a follow-up brought back need not top the inbox now
    if mention.direction is Direction.OUTBOUND and case.first_responded_at is None:
        case.first_responded_at = mention.created_at
        if case.status is CaseStatus.NEW:
            case.status = CaseStatus.OPEN
        record_event(
            session,
            brand_id=case.brand_id,
            subject_type="case",
            subject_id=case.id,
            payload=CaseFirstResponse(mention_id=mention.id),
            occurred_at=mention.created_at,
        )


def thread_mentions(session: Session, *, mentions: Sequence[Mention]) -> list[ThreadDecision]:
    """Put each mention (in time order) into its customer's case.

    Set-based: the batch's identities and its customers' cases are read in a few queries
    (``thread_batch``), every mention is decided in memory in time order, new customers and
    cases are inserted together, then the decisions are written in the order they were made.
    Safe to repeat: a mention threaded before keeps its customer and case, and nothing is written.
    """
    ordered = sorted(mentions, key=lambda m: (m.created_at, m.id))
    with session.no_autoflush, events_together(session):
        todo = [m for m in ordered if not _threaded_before(m)]  # before customers are set on them
        todo_ids = {m.id for m in todo}
        customers = _customers_of(session, todo)
        book = CaseBook.load(session, mentions=todo, customer_ids=set(customers.values()))
        plan: list[tuple[Mention, ThreadDecision, Case | None]] = []
        for mention in ordered:
            if mention.id not in todo_ids:
                plan.append(
                    (mention, ThreadDecision(ThreadAction.KEEP, mention.case_id, "threaded before"), None)
                )
                continue
            decision, case = _decide(book, mention, customers.get(mention.id))
            plan.append((mention, decision, case))
        stored = _store_new_cases(
            session, [case for _, decision, case in plan if decision.action is ThreadAction.OPEN and case]
        )
        refresh_reach(session, customer_ids=customers.values())  # new cases, identities, counts
        for mention, decision, case in plan:
            case = stored.get(case, case) if case is not None else None
            _write_decision(session, mention=mention, decision=decision, case=case)
    return [decision for _, decision, _ in plan]


def _store_new_cases(session: Session, cases: Sequence[Case]) -> dict[Case, Case]:
    """Insert the cases the batch opened, in one statement, and give each as the session now holds
    it (read back in one query). The unit of work would insert them one a row on SQLite, where it
    cannot tie returned ids to rows (``db.insert_returning_ids``)."""
    if not cases:
        return {}
    columns = Case.__table__.columns.keys()
    rows = [{key: value for key, value in vars(case).items() if key in columns} for case in cases]
    ids = insert_returning_ids(session, Case, rows)
    held = {case.id: case for case in session.scalars(select(Case).where(Case.id.in_(ids)))}
    return {new: held[case_id] for new, case_id in zip(cases, ids, strict=True)}


def _threaded_before(mention: Mention) -> bool:
    inbound = mention.direction is Direction.INBOUND
    return mention.case_id is not None or (inbound and mention.customer_id is not None)


def _customers_of(session: Session, mentions: Sequence[Mention]) -> dict[int, int]:
    """Each inbound mention's customer (set on the mention); authors new to the brand become customers.

    New customers are inserted together, with their ``customer.created`` events in time order;
    their identities in one statement, as the batch left them, and the audiences that changed in
    another (rows, not objects: most authors of a busy hour are new, and the unit of work would
    insert them one at a time on SQLite).
    """
    identities = load_identities(session, mentions)
    created: dict[IdentityKey, Mention] = {}
    for mention in mentions:
        key = identity_key(mention)
        if mention.direction is Direction.INBOUND and key not in identities and key not in created:
            created[key] = mention
    if created:
        new_ids = insert_returning_ids(
            session,
            Customer,
            [
                {"brand_id": first.brand_id, "display_name": first.author_name or first.author_handle}
                for first in created.values()
            ],
        )
        for (key, first), customer_id in zip(created.items(), new_ids, strict=True):
            identities[key] = KnownIdentity(None, customer_id, first.author_followers)
            record_event(
                session,
                brand_id=first.brand_id,
                kind="customer.created",
                subject_type="customer",
                subject_id=customer_id,
                data={"channel": first.channel, "handle": first.author_handle},
                occurred_at=first.created_at,
            )
    customer_of: dict[int, int] = {}
    followers: dict[int, int] = {}  # stored identity -> the latest audience its author showed
    for mention in mentions:
        if mention.direction is not Direction.INBOUND:
            continue
        identity = identities[identity_key(mention)]
        if mention.author_followers is not None and mention.author_followers != identity.followers:
            identity.followers = mention.author_followers
            if identity.id is not None:
                followers[identity.id] = mention.author_followers
        mention.customer_id = identity.customer_id
        customer_of[mention.id] = identity.customer_id
    if created:
        session.execute(
            insert(Identity),
            [
                {
                    "brand_id": first.brand_id,
                    "customer_id": identities[key].customer_id,
                    "channel": first.channel,
                    "handle": first.author_handle,
                    "followers": identities[key].followers,
                }
                for key, first in created.items()
            ],
        )
    if followers:
        session.execute(
            update(Identity),
            [{"id": identity_id, "followers": count} for identity_id, count in followers.items()],
        )
    return customer_of


def _decide(book: CaseBook, mention: Mention, customer_id: int | None) -> tuple[ThreadDecision, Case | None]:
    """One mention's decision from the book, which then remembers it; a new case is built, not yet stored."""
    replied = book.case_replied_to(mention)
    open_case = reopenable = None
    if customer_id is not None:
        if replied is not None and replied.customer_id != customer_id:
            replied = None  # someone else joining a thread gets a case of their own
        open_case = book.open_case_of(customer_id)
        if open_case is None and replied is None:
            reopenable = book.reopenable_case_of(mention, customer_id)
    decision = decide_thread(
        is_inbound=customer_id is not None,
        open_case_id=_case_id(open_case),
        replied_case_id=_case_id(replied),
        echo=is_echo(mention.text),
        reopenable_case_id=_case_id(reopenable),
    )
    known = {_case_id(case): case for case in (open_case, replied, reopenable) if case is not None}
    case: Case | None = None
    if decision.action is ThreadAction.OPEN:
        assert customer_id is not None
        case = _new_case(mention=mention, customer_id=customer_id)
    elif decision.action in (ThreadAction.ATTACH, ThreadAction.REOPEN):
        case = known[decision.case_id]
    book.put(mention, case, reopened=decision.action is ThreadAction.REOPEN)
    return decision, case


def _case_id(case: Case | None) -> int | None:
    """A case's id for the pure decision; a case opened earlier in the batch has none yet, so its object's."""
    if case is None:
        return None
    return case.id if case.id is not None else -id(case)


def _write_decision(
    session: Session, *, mention: Mention, decision: ThreadDecision, case: Case | None
) -> None:
    if case is None:
        return
    if decision.action is ThreadAction.OPEN:
        _record_opened(session, case=case, mention=mention)
    elif decision.action is ThreadAction.REOPEN:
        # a message written before the resolution and imported after it reopens the case when
        # it came in, after the resolution, so the case's history and clocks stay in order
        reopened_at = mention.created_at
        if case.resolved_at is not None and as_utc(case.resolved_at) > as_utc(reopened_at):
            reopened_at = case.resolved_at
        set_case_status(session, case=case, status=CaseStatus.OPEN, at=reopened_at, note=decision.reason)
    attach_mention(session, case=case, mention=mention)


def apply_routing(
    session: Session,
    *,
    case: Case,
    mention: Mention,
    priority: Priority,
    team_id: int | None,
    first_response_due_at: datetime,
    resolve_due_at: datetime,
    reasons: Sequence[str],
    assignee_id: int | None,
    assignment_reason: str | None = None,
    returned_to_queue: bool = False,
    at: datetime | None = None,
) -> None:
    """Write routing's decision for a mention to its case: team, person, priority, SLA deadlines.

    One ``case.routed`` event, and ``case.assigned`` when the person changes. A re-route to
    another team is one handoff, whoever gets the case there; the first routing is none. The
    events happen when the mention came, or ``at`` (routing again after a re-read).
    """
    when = at or mention.created_at
    case.priority = priority
    case.first_response_due_at = first_response_due_at
    case.resolve_due_at = resolve_due_at
    # written even when unchanged: every routed case's UPDATE then names the same columns and a
    # batch's go out as one statement (a priority left as it was split them into one a few cases)
    for name in ("priority", "first_response_due_at", "resolve_due_at"):
        flag_modified(case, name)
    record_event(
        session,
        brand_id=case.brand_id,
        subject_type="case",
        subject_id=case.id,
        payload=CaseRouted(
            priority=int(priority), team_id=team_id, reasons=tuple(reasons), mention_id=mention.id
        ),
        occurred_at=when,
    )
    set_case_owner(
        session,
        case=case,
        team_id=team_id,
        assignee_id=assignee_id,
        at=when,
        reason=assignment_reason,
        returned_to_queue=returned_to_queue,
    )


def set_case_owner(
    session: Session,
    *,
    case: Case,
    team_id: int | None,
    assignee_id: int | None,
    at: datetime,
    reason: str | None = None,
    returned_to_queue: bool = False,
    actor_id: int | None = None,
) -> Event | None:
    """The writer of the desk's own moves of a case between teams and people (routing, escalation,
    an owner going away), counting the move as one handoff at most (``outcomes.counts_as_handoff``).

    Records ``case.assigned`` with the reason when the person changes; the caller's own event
    (routed, escalated) tells the team. A person's own changes go through ``lifecycle.assign_case``.
    """
    before_team = case.team_id
    before_assignee = case.assignee_id
    case.team_id = team_id
    case.assignee_id = assignee_id
    if counts_as_handoff(
        previous_team=before_team,
        team=team_id,
        previous_assignee=before_assignee,
        assignee=assignee_id,
        returned_to_queue=returned_to_queue,
    ):
        case.handoffs += 1
    if assignee_id == before_assignee:
        return None
    return record_event(
        session,
        brand_id=case.brand_id,
        subject_type="case",
        subject_id=case.id,
        actor_id=actor_id,
        payload=CaseAssigned(previous=before_assignee, assignee=assignee_id, reason=reason),
        occurred_at=at,
    )


def set_case_status(
    session: Session,
    *,
    case: Case,
    status: CaseStatus,
    at: datetime,
    actor_id: int | None = None,
    note: str | None = None,
    api_token_id: int | None = None,
    is_reminder: bool = False,
    resolved_as: ResolvedAs | None = None,
) -> Event:
    """The one writer of a case's status and its ``case.status_changed`` event.

    ``is_reminder``: the desk reopens the case itself (a planned check-in), so it is not counted
    as a reopen in the outcome facts: the customer did not come back. ``resolved_as`` spam or
    duplicate resolves without offering the customer a survey.

    Resolving stamps ``resolved_at`` (the resolution clock stops); reopening clears it. Callers
    check the move is allowed (``workflow.status_path``) and who may make it. A case with an open
    task cannot be resolved or closed (Conflict naming the task): the promise to the customer is
    kept only once the other team's work is done, or a manager waived it. Nor can a case be
    resolved as solved while one of its replies waits for PR approval or to be posted by hand
    (Conflict naming the reply): the customer has not been answered yet. Spam and duplicates need no answer.

    Reopening withdraws a survey link that has not reached the customer yet, and so does a
    resolution as spam or duplicate: nobody is asked whether an open case, or no problem, was fixed.
    """
    if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        _refuse_while_a_task_is_open(session, case=case, status=status)
    if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and resolved_as not in NO_SURVEY:
        _refuse_while_a_reply_is_held(session, case=case, status=status)
    previous = case.status
    case.status = status
    case.returned_at = None  # someone took the case up; it need not top the inbox any more
    if status in OPEN_STATUSES and previous not in OPEN_STATUSES:
        withdraw_case_survey(session, brand_id=case.brand_id, case_id=case.id)
        if not is_reminder:
            _count_reopen(case, at=at)
    if status is CaseStatus.RESOLVED:
        case.resolved_at = at
        _record_resolution(session, case=case, at=at, offers_survey=resolved_as not in NO_SURVEY)
    elif status is CaseStatus.OPEN:
        case.resolved_at = None
        case.resolution_business_seconds = None  # the next resolution is timed again
    return record_event(
        session,
        brand_id=case.brand_id,
        subject_type="case",
        subject_id=case.id,
        actor_id=actor_id,
        payload=CaseStatusChanged(
            previous=previous.value,
            status=status.value,
            note=note,
            api_token_id=api_token_id,
            resolved_as=resolved_as.value if resolved_as and status is CaseStatus.RESOLVED else None,
        ),
        occurred_at=at,
    )


def _refuse_while_a_task_is_open(session: Session, *, case: Case, status: CaseStatus) -> None:
    open_tasks = list_open_tasks(session, case_id=case.id)
    if not open_tasks:
        return
    task = open_tasks[0]
    team = session.get(Team, task.team_id)
    others = f" (and {len(open_tasks) - 1} more)" if len(open_tasks) > 1 else ""
    raise Conflict(
        f'case #{case.id} cannot be {status.value} while task {task.id} "{task.title}" for '
        f"{team.name if team else f'team {task.team_id}'} is open{others}; "
        "mark it done, or ask a manager to waive it with a reason"
    )


_AWAITING_APPROVAL = "awaiting_approval"  # ``ReplyStatus.AWAITING_APPROVAL``
_TO_POST = "to_post"  # ``ReplyStatus.TO_POST``
#: what someone must do before the customer has the reply, by the reply's status
_BEFORE_IT_IS_OUT = {
    _AWAITING_APPROVAL: (
        "waits for PR approval",
        "have PR, a manager or an admin approve it (it goes out) or reject it",
    ),
    _TO_POST: ("waits to be posted by hand", "post it on its channel and mark it posted, or withdraw it"),
}


def _refuse_while_a_reply_is_held(session: Session, *, case: Case, status: CaseStatus) -> None:
    held = session.execute(
        select(REPLY_TABLE.c.id, REPLY_TABLE.c.status)
        .where(REPLY_TABLE.c.case_id == case.id, REPLY_TABLE.c.status.in_(list(_BEFORE_IT_IS_OUT)))
        .order_by(REPLY_TABLE.c.created_at, REPLY_TABLE.c.id)
    ).all()
    if not held:
        return
    others = f" (and {len(held) - 1} more)" if len(held) > 1 else ""
    waits, todo = _BEFORE_IT_IS_OUT[held[0].status]
    raise Conflict(
        f"case #{case.id} cannot be {status.value} while reply {held[0].id}{others} {waits}: "
        f"the customer has not been answered yet; {todo}, then try again. "
        "A case of spam or a duplicate resolves as such without an answer"
    )


def _count_reopen(case: Case, *, at: datetime) -> None:
    case.reopened += 1
    if case.resolved_at is not None and is_early_reopen(resolved_at=as_utc(case.resolved_at), at=as_utc(at)):
        case.first_contact_resolution = False


def _record_resolution(session: Session, *, case: Case, at: datetime, offers_survey: bool = True) -> None:
    """The outcome facts known when a case is resolved, and the survey its customer is sent.

    First-contact resolution is judged at the first resolution; an early reopen overturns it later.
    """
    if case.first_contact_resolution is None:
        directions = session.scalars(
            select(Mention.direction)
            .where(Mention.case_id == case.id, Mention.brand_id == case.brand_id)
            .order_by(Mention.created_at, Mention.id)
        )
        case.first_contact_resolution = is_first_contact_resolution(
            exchanges=reply_exchanges(d is Direction.INBOUND for d in directions),
            handoffs=case.handoffs,
            reopened=case.reopened,
        )
    if not offers_survey:
        withdraw_case_survey(session, brand_id=case.brand_id, case_id=case.id)
        return
    customer = session.get(Customer, case.customer_id)
    offer_survey(
        session,
        brand_id=case.brand_id,
        case_id=case.id,
        subject=case.subject,
        customer_name=customer.display_name if customer else "",
        at=at,
    )


def move_case(
    session: Session,
    *,
    case: Case,
    status: CaseStatus,
    at: datetime,
    note: str | None = None,
    actor_id: int | None = None,
    api_token_id: int | None = None,
    is_reminder: bool = False,
    resolved_as: ResolvedAs | None = None,
) -> None:
    """Take the case to ``status`` through the statuses on the way (``workflow.status_path``), the
    note on the last move; each move as ``set_case_status`` makes it."""
    path = status_path(case.status, status)
    for target in path:
        set_case_status(
            session,
            case=case,
            status=target,
            at=at,
            actor_id=actor_id,
            note=note if target is path[-1] else None,
            api_token_id=api_token_id,
            is_reminder=is_reminder,
            resolved_as=resolved_as,
        )


def resolve_case(session: Session, *, case: Case, at: datetime, note: str = "") -> None:
    """Resolve an open case as the desk's own past work (the demo); people use ``lifecycle.change_status``."""
    if case.status in OPEN_STATUSES:
        move_case(session, case=case, status=CaseStatus.RESOLVED, at=at, note=note or None)
