"""The writers of problems: create one, link and unlink cases, change its words and dates, move the
status (fixed tells its customers), reopen it when a customer comes back.

Every change records an event on the problem (``subject_type="problem"``). Who may do what is in
``access``: PR, managers and admins create problems (they speak for the customers); anyone who
may work a case links it to a problem from the case page; the owning team's members (whatever
team they are, care or not) and PR, managers and admins move the status. The fix message's own
writers are in ``fix_messages`` (``drafts_to_send`` may still be imported from here, as the demo
does), proposals' in ``proposal_actions``. Callers own the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team, User
from ombuds.accounts.queries import get_role
from ombuds.cases.lifecycle import Actor, ensure_may_work
from ombuds.cases.models import Case
from ombuds.errors import Conflict, Forbidden, InvalidInput, NotFound
from ombuds.event_payloads import EventKind, EventPayload, ProblemReopened, ProblemStatusChanged
from ombuds.events import record_event
from ombuds.incidents.models import Incident
from ombuds.problems import queries, rules
from ombuds.problems.access import ensure_may_manage, may_manage, may_move_status, role_of
from ombuds.problems.fix_messages import drafts_to_send as drafts_to_send
from ombuds.problems.fix_messages import reopened_note, tell_customers, withdraw_fix_messages
from ombuds.problems.models import Problem, ProblemCase, ProblemIncident, ProblemPromise
from ombuds.problems.values import DONE_STATUSES, ProblemStatus, move_refusal
from ombuds.promises.models import Promise
from ombuds.responses.wording.models import TalkingPoint

TITLE_MAX_CHARS = 300
MESSAGE_MAX_CHARS = 5000
NOTE_MAX_CHARS = 2000


def _event(
    session: Session,
    *,
    problem: Problem,
    actor: Actor | None,
    now: datetime,
    kind: EventKind | None = None,
    payload: EventPayload | None = None,
    **data: Any,
) -> None:
    """One event on the problem: a typed ``payload`` (read back on its page), or a kind with data."""
    record_event(
        session,
        brand_id=problem.brand_id,
        kind=kind,
        payload=payload,
        subject_type="problem",
        subject_id=problem.id,
        actor_id=actor.user_id if actor else None,
        data=None if payload is not None else {k: v for k, v in data.items() if v is not None},
        occurred_at=now,
    )
    problem.updated_at = now


def clean_text(value: str | None, *, field: str, limit: int, required: bool = False) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(f"{field}: required (it was empty)")
    if len(text) > limit:
        raise InvalidInput(f"{field}: at most {limit} characters (got {len(text)})")
    if "\x00" in text:
        raise InvalidInput(f"{field}: contains a NUL character, which cannot be stored")
    return text or None


def _team(session: Session, *, team_id: int, brand_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None or team.brand_id != brand_id:
        raise InvalidInput(f"owner_team_id: no team {team_id} in this brand")
    if team.archived_at is not None:
        raise InvalidInput(f"owner_team_id: team {team.name} is archived")
    return team


def _cases(session: Session, *, case_ids: Sequence[int], brand_id: int) -> list[Case]:
    wanted = list(dict.fromkeys(case_ids))
    found = {
        case.id: case
        for case in session.scalars(select(Case).where(Case.id.in_(wanted), Case.brand_id == brand_id))
    }
    missing = [case_id for case_id in wanted if case_id not in found]
    if missing:
        raise InvalidInput(f"case_ids: no case {missing[0]} in this brand")
    taken = queries.problems_of_cases(session, wanted)
    if taken:
        case_id, problem_id = next(iter(taken.items()))
        raise Conflict(
            f"case_ids: case #{case_id} is already linked to problem {problem_id}; unlink it there first"
        )
    return [found[case_id] for case_id in wanted]


def create_problem(
    session: Session,
    *,
    brand_id: int,
    title: str,
    owner_team_id: int,
    case_ids: Sequence[int],
    actor: Actor,
    now: datetime,
    owner_id: int | None = None,
    expected_fix_at: datetime | None = None,
    fix_message: str | None = None,
    talking_point_id: int | None = None,
    category: str | None = None,
    incident_ids: Sequence[int] = (),
    promise_ids: Sequence[int] = (),
    proposal_key: str | None = None,
) -> Problem:
    """A confirmed problem, owned by a team of the brand, explaining the cases (and incidents, promises).

    Its category is the linked cases' most common one unless given. Raises InvalidInput naming
    the field for a team, case, owner or wording not of the brand; Conflict for a case that
    another problem explains already.
    """
    ensure_may_manage(session, actor=actor, brand_id=brand_id)
    clean_title = clean_text(title, field="title", limit=TITLE_MAX_CHARS, required=True)
    assert clean_title is not None
    _team(session, team_id=owner_team_id, brand_id=brand_id)
    if owner_id is not None and get_role(session, user=_user(session, owner_id), brand_id=brand_id) is None:
        raise InvalidInput(f"owner_id: no member {owner_id} of this brand")
    _check_wording(session, talking_point_id=talking_point_id, brand_id=brand_id)
    cases = _cases(session, case_ids=case_ids, brand_id=brand_id)
    problem = Problem(
        brand_id=brand_id,
        title=clean_title,
        status=ProblemStatus.INVESTIGATING,
        owner_team_id=owner_team_id,
        owner_id=owner_id,
        category=clean_text(category, field="category", limit=64)
        or rules.main_category(queries.category_labels(session, [c.id for c in cases])),
        expected_fix_at=expected_fix_at,
        fix_message=clean_text(fix_message, field="fix_message", limit=MESSAGE_MAX_CHARS),
        talking_point_id=talking_point_id,
        proposal_key=proposal_key,
        created_by_id=actor.user_id,
        created_at=now,
        confirmed_at=now,
        confirmed_by_id=actor.user_id,
        updated_at=now,
    )
    session.add(problem)
    session.flush()
    for case in cases:
        session.add(
            ProblemCase(
                problem_id=problem.id,
                case_id=case.id,
                brand_id=brand_id,
                linked_at=now,
                linked_by_id=actor.user_id,
            )
        )
    for incident_id in dict.fromkeys(incident_ids):
        incident = session.get(Incident, incident_id)
        if incident is None or incident.brand_id != brand_id:
            raise InvalidInput(f"incident_ids: no incident {incident_id} in this brand")
        session.add(
            ProblemIncident(problem_id=problem.id, incident_id=incident_id, brand_id=brand_id, linked_at=now)
        )
    for promise_id in dict.fromkeys(promise_ids):
        promise = session.get(Promise, promise_id)
        if promise is None or promise.brand_id != brand_id:
            raise InvalidInput(f"promise_ids: no promise {promise_id} in this brand")
        session.add(
            ProblemPromise(problem_id=problem.id, promise_id=promise_id, brand_id=brand_id, linked_at=now)
        )
    session.flush()
    _event(
        session,
        problem=problem,
        kind=EventKind.PROBLEM_CREATED,
        actor=actor,
        now=now,
        title=problem.title,
        owner_team_id=owner_team_id,
        case_ids=[c.id for c in cases],
        proposal_key=proposal_key,
    )
    return problem


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise InvalidInput(f"owner_id: no user {user_id}")
    return user


def _check_wording(session: Session, *, talking_point_id: int | None, brand_id: int) -> None:
    if talking_point_id is None:
        return
    point = session.get(TalkingPoint, talking_point_id)
    if point is None or point.brand_id != brand_id:
        raise InvalidInput(f"talking_point_id: no talking point {talking_point_id} in this brand")


def link_case(session: Session, *, problem: Problem, case: Case, actor: Actor, now: datetime) -> bool:
    """Say the case is one the problem explains; False when it was linked already.

    Anyone who may work the case may link it. Conflict when another problem explains it.
    """
    if case.brand_id != problem.brand_id:
        raise NotFound(f"no case {case.id}")
    ensure_may_work(session, case=case, actor=actor)
    current = queries.problem_id_of_case(session, case.id)
    if current == problem.id:
        return False
    if current is not None:
        raise Conflict(f"case #{case.id} is already linked to problem {current}; unlink it there first")
    session.add(
        ProblemCase(
            problem_id=problem.id,
            case_id=case.id,
            brand_id=problem.brand_id,
            linked_at=now,
            linked_by_id=actor.user_id,
        )
    )
    session.flush()
    _event(
        session, problem=problem, kind=EventKind.PROBLEM_CASE_LINKED, actor=actor, now=now, case_id=case.id
    )
    return True


def unlink_case(session: Session, *, problem: Problem, case: Case, actor: Actor, now: datetime) -> bool:
    """The problem does not explain the case after all; False when it was not linked."""
    ensure_may_work(session, case=case, actor=actor)
    removed = session.execute(
        delete(ProblemCase)
        .where(ProblemCase.problem_id == problem.id, ProblemCase.case_id == case.id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not removed:
        return False
    _event(
        session, problem=problem, kind=EventKind.PROBLEM_CASE_UNLINKED, actor=actor, now=now, case_id=case.id
    )
    # the problem does not explain this case: its "we fixed it" would be wrong there
    withdraw_fix_messages(
        session,
        problem=problem,
        actor=actor,
        case_id=case.id,
        note=f"Not sent: the case was unlinked from the problem “{problem.title}”.",
    )
    return True


def update_problem(
    session: Session,
    *,
    problem: Problem,
    actor: Actor,
    now: datetime,
    title: str | None = None,
    fix_message: str | None = None,
    expected_fix_at: datetime | None = None,
) -> list[str]:
    """Change the title and the words customers are told (PR, managers, admins) or the expected fix
    date (also the owning team); the names of the fields that changed. An empty fix message goes
    back to the talking point's or the default wording."""
    role = role_of(session, actor=actor, brand_id=problem.brand_id)
    if role is None:
        raise NotFound(f"no problem {problem.id}")
    if (title is not None or fix_message is not None) and not may_manage(role):
        raise Forbidden(
            "the title and the words customers are told are PR's, a manager's or an admin's to change"
        )
    if not may_move_status(session, problem=problem, user=actor.user, role=role):
        raise Forbidden("this problem is changed by its owning team, PR, managers and admins")
    changed: list[str] = []
    if title is not None:
        clean = clean_text(title, field="title", limit=TITLE_MAX_CHARS, required=True)
        if clean != problem.title:
            problem.title = clean or problem.title
            changed.append("title")
    if fix_message is not None:
        clean = clean_text(fix_message, field="fix_message", limit=MESSAGE_MAX_CHARS)
        if clean != problem.fix_message:
            problem.fix_message = clean
            changed.append("fix_message")
    if expected_fix_at is not None and expected_fix_at != problem.expected_fix_at:
        problem.expected_fix_at = expected_fix_at
        changed.append("expected_fix_at")
    if changed:
        _event(session, problem=problem, kind=EventKind.PROBLEM_UPDATED, actor=actor, now=now, fields=changed)
    return changed


def set_status(
    session: Session,
    *,
    problem: Problem,
    status: ProblemStatus,
    note: str | None,
    actor: Actor,
    now: datetime,
) -> bool:
    """Move the problem on; marking it fixed tells its customers (``tell_customers``). False when unchanged.

    Raises Forbidden for someone neither of the owning team nor PR, a manager or an admin, and
    Conflict for a move the lifecycle does not have (the message names the ones it has).
    """
    role = role_of(session, actor=actor, brand_id=problem.brand_id)
    if role is None:
        raise NotFound(f"no problem {problem.id}")
    if not may_move_status(session, problem=problem, user=actor.user, role=role):
        who = actor.user.name if actor.user else "an integration token"
        raise Forbidden(
            f"{who} may not change this problem's status: its owning team, PR, managers and admins do"
        )
    clean_note = clean_text(note, field="note", limit=NOTE_MAX_CHARS)
    if status == problem.status:
        return False
    refusal = move_refusal(problem.status, status)
    if refusal:
        raise Conflict(refusal)
    before = problem.status
    problem.status = status
    if status is ProblemStatus.FIXED:
        problem.fix_round += 1
        problem.fixed_at = now
        problem.verified_at = None
    elif status is ProblemStatus.VERIFIED:
        problem.verified_at = now
    elif before in DONE_STATUSES:
        problem.reopened_at = now
    _event(
        session,
        problem=problem,
        actor=actor,
        now=now,
        payload=ProblemStatusChanged(
            previous=before.value, status=status.value, note=clean_note, api_token_id=actor.api_token_id
        ),
    )
    if status is ProblemStatus.FIXED:
        tell_customers(session, problem=problem, actor=actor, now=now)
    elif before in DONE_STATUSES and status not in DONE_STATUSES:
        withdraw_fix_messages(session, problem=problem, actor=actor, note=reopened_note(problem))
    return True


def reopen_for_return(
    session: Session,
    *,
    problem: Problem,
    reason: str,
    mention_id: int | None,
    case_id: int | None,
    now: datetime,
) -> bool:
    """A fix that did not work: back to investigating, with an event that says why. False when it was open."""
    if problem.status not in DONE_STATUSES:
        return False
    before = problem.status
    problem.status = ProblemStatus.INVESTIGATING
    problem.reopened_at = now
    _event(
        session,
        problem=problem,
        actor=None,
        now=now,
        payload=ProblemReopened(previous=before.value, reason=reason, mention_id=mention_id, case_id=case_id),
    )
    withdraw_fix_messages(session, problem=problem, actor=None, note=reopened_note(problem))
    return True
