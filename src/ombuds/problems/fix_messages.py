"""The fix message: "it is fixed" drafted to every customer of a problem when it is fixed, sent by
the agents (one by one or all at once), and stopped wherever it stops being true.

Each message is a reply on the customer's case and takes the path any reply takes
(``responses.actions``): checked, held for PR when the brand's policy says so. Registered with
``responses`` as a draft guard, so a reply of this kind is never sent or approved once its problem
reopened or its case was unlinked. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import OPEN_STATUSES, Case
from ombuds.errors import Conflict
from ombuds.problems import queries, rules
from ombuds.problems.models import Problem, ProblemNotice
from ombuds.problems.values import DONE_STATUSES
from ombuds.responses import actions as replies
from ombuds.responses import queries as reply_queries
from ombuds.responses.approval_actions import withdraw_replies
from ombuds.responses.models import STOPPABLE, Reply, ReplyStatus
from ombuds.responses.reply_checks import ReplyBlocked, register_draft_guard
from ombuds.responses.values import Visibility
from ombuds.responses.wording.queries import current_versions


def fix_message(session: Session, problem: Problem) -> str:
    """The words each customer is told: the problem's own, else its talking point's approved ones,
    else the default (which names no internal detail)."""
    if problem.fix_message:
        return problem.fix_message
    if problem.talking_point_id is not None:
        version = current_versions(session, [problem.talking_point_id]).get(problem.talking_point_id)
        if version is not None:
            return version.text
    return rules.DEFAULT_FIX_MESSAGE


def _cases_to_draft(cases: Sequence[Case]) -> list[Case]:
    """One case per customer (a customer with two linked cases hears of the fix once): the newest
    open one, else the newest recently resolved; in the order given."""
    chosen: dict[int, Case] = {}
    for case in cases:  # oldest first: a later one is newer
        current = chosen.get(case.customer_id)
        if current is None or case.status in OPEN_STATUSES or current.status not in OPEN_STATUSES:
            chosen[case.customer_id] = case
    return [case for case in cases if chosen[case.customer_id] is case]


def tell_customers(session: Session, *, problem: Problem, actor: Actor, now: datetime) -> list[ProblemNotice]:
    """Draft the fix message to each customer of an open or recently resolved linked case, once per fix.

    A customer with several such cases is told once, on the newest open one.

    Each reply takes the path an agent's reply takes (``responses.actions.submit_reply``): the
    checker reads it against the case, and the brand's approval policy holds it for PR when it
    says so; otherwise it waits on the case as a draft for the agent to send. Public when the
    customer wrote in public, private otherwise. A case told about this fix already is left
    alone; one the checker refuses keeps the reason, for the agent to answer by hand.
    """
    text = fix_message(session, problem)
    done = session.execute(
        select(ProblemNotice.case_id, ProblemNotice.customer_id).where(
            ProblemNotice.problem_id == problem.id, ProblemNotice.fix_round == problem.fix_round
        )
    ).all()
    done_cases = {case_id for case_id, _ in done}
    done_customers = {customer_id for _, customer_id in done}
    written = []
    for case in _cases_to_draft(queries.cases_to_tell(session, problem, now=now)):
        if case.id in done_cases or case.customer_id in done_customers:
            continue
        visibility = (
            Visibility.PUBLIC if reply_queries.began_in_public(session, case=case) else Visibility.PRIVATE
        )
        notice = ProblemNotice(
            brand_id=problem.brand_id,
            problem_id=problem.id,
            case_id=case.id,
            customer_id=case.customer_id,
            fix_round=problem.fix_round,
            created_at=now,
        )
        try:
            reply = replies.submit_reply(
                session, case=case, text=text, visibility=visibility, actor=actor, as_draft=True
            )
            notice.reply_id = reply.id
        except ReplyBlocked as exc:  # nothing was stored for this case
            notice.refused = str(exc)
        session.add(notice)
        written.append(notice)
    session.flush()
    return written


def reopened_note(problem: Problem) -> str:
    """What the agent reads on a case whose fix message was stopped because the problem reopened."""
    return (
        f"Not sent: the problem “{problem.title}” was reopened (back to investigating) "
        "before this message went out; a new one is drafted when it is fixed again."
    )


def withdraw_fix_messages(
    session: Session, *, problem: Problem, actor: Actor | None, note: str, case_id: int | None = None
) -> list[int]:
    """Stop the problem's fix messages still waiting (drafts, or held for PR), of every fix round;
    only those on ``case_id`` when given. Each stopped reply gets ``note`` and an event on its case."""
    query = (
        select(ProblemNotice.reply_id)
        .join(Reply, Reply.id == ProblemNotice.reply_id)
        .where(ProblemNotice.problem_id == problem.id, Reply.status.in_(STOPPABLE))
        .order_by(ProblemNotice.id)
    )
    if case_id is not None:
        query = query.where(ProblemNotice.case_id == case_id)
    reply_ids = [reply_id for reply_id in session.scalars(query) if reply_id is not None]
    return withdraw_replies(
        session, reply_ids=reply_ids, note=note, actor_id=actor.user_id if actor else None
    )


def fix_message_refusal(session: Session, reply: Reply) -> str | None:
    """Why a drafted fix message must not go out now, or None (also for a reply that is none).

    Registered with ``responses`` (``register_draft_guard``): sending or approving a fix
    message asks here, so "it is fixed" is never said of a problem that is not, nor twice.
    """
    row = session.execute(
        select(ProblemNotice.case_id, ProblemNotice.fix_round, Problem)
        .join(Problem, Problem.id == ProblemNotice.problem_id)
        .where(ProblemNotice.reply_id == reply.id)
    ).first()
    if row is None:
        return None
    case_id, fix_round, problem = row
    if problem.status not in DONE_STATUSES:
        return (
            f"reply {reply.id} tells the customer that the problem “{problem.title}” is fixed, "
            f"but the problem is {problem.status.value.replace('_', ' ')}: it is sent only once the "
            "problem is fixed or verified"
        )
    if fix_round != problem.fix_round:
        return (
            f"reply {reply.id} is the message of an earlier fix of the problem “{problem.title}”; "
            "the latest fix has its own"
        )
    if queries.problem_id_of_case(session, case_id) != problem.id:
        return (
            f"reply {reply.id} tells of the fix of the problem “{problem.title}”, "
            f"which case #{case_id} is no longer linked to"
        )
    return None


register_draft_guard(fix_message_refusal)


def drafts_to_send(session: Session, *, problem: Problem) -> list[int]:
    """The reply ids of the latest fix still waiting as drafts on cases the problem still explains;
    none while the problem is not fixed or verified."""
    if problem.status not in DONE_STATUSES:
        return []
    linked = set(queries.case_ids(session, problem.id))
    return [
        row.reply_id
        for row in queries.notices(session, problem)
        if row.reply_id is not None and row.reply_status is ReplyStatus.DRAFT and row.case_id in linked
    ]


@dataclass(frozen=True, slots=True)
class BlockedDraft:
    """A draft that could not go now: it stays a draft on its case, for the agent to change or answer."""

    reply_id: int
    case_id: int
    reason: str


@dataclass(slots=True)
class FixMessagesOutcome:
    """What sending a problem's drafted fix messages came to, by reply id."""

    #: in the outbox: they go out shortly
    sent: list[int] = field(default_factory=list)
    #: waiting for PR, by why the brand's policy holds them (None: no reason recorded)
    held: dict[int, str | None] = field(default_factory=dict)
    #: refused now by the reply checker, or no longer true for their case
    blocked: list[BlockedDraft] = field(default_factory=list)


def send_fix_messages(session: Session, *, problem: Problem, actor: Actor) -> FixMessagesOutcome:
    """Send every drafted fix message of the latest fix, each as the actor's reply (``send_draft``).

    Each draft is checked and put to the approval policy again: one the policy holds now waits
    for PR, and one the checker (or the problem) refuses now stays a draft with the reason, while
    the others go out. A draft sent by someone else meanwhile is left out.
    """
    outcome = FixMessagesOutcome()
    for reply_id in drafts_to_send(session, problem=problem):
        reply = session.get(Reply, reply_id)
        case = session.get(Case, reply.case_id) if reply else None
        if reply is None or case is None:
            continue
        try:
            moved = replies.send_draft(session, reply=reply, case=case, actor=actor)
        except (ReplyBlocked, Conflict) as exc:  # refused before anything was written
            outcome.blocked.append(BlockedDraft(reply_id=reply.id, case_id=case.id, reason=str(exc)))
            continue
        if not moved:
            continue
        if reply.status is ReplyStatus.AWAITING_APPROVAL:
            outcome.held[reply.id] = reply.needs_approval
        else:
            outcome.sent.append(reply.id)
    return outcome
