"""The inbox of open cases, the page of one case, and the forms agents work cases with."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team, User
from ombuds.accounts.queries import get_user, list_teams
from ombuds.cases import lifecycle, queries, timeline
from ombuds.cases.lifecycle import Actor
from ombuds.cases.models import OPEN_STATUSES, Case, CaseStatus, Priority
from ombuds.cases.values import InboxSort, ResolvedAs
from ombuds.cases.workflow import may_see_personal_data, may_work, next_statuses
from ombuds.enrichment.learnable import FIXED_LABELS
from ombuds.errors import Conflict, Forbidden, InvalidInput, OmbudsError
from ombuds.fields import INT64_MAX, AsTyped, Id, NoNul, WholeNumber, parse_id
from ombuds.mentions.models import Mention
from ombuds.web import panels
from ombuds.web.deps import CurrentUser, DbSession, SignedIn
from ombuds.web.templating import flash, render

router = APIRouter()

PAGE_SIZE = 50
#: The last page whose offset a database can still take.
MAX_PAGE = INT64_MAX // PAGE_SIZE
NO_TEAM = "none"
ME = "me"
NOBODY = "none"
#: Analyzers the case page shows in their own way; others get a generic chip, except near-duplicate
#: keys and embeddings, which mean nothing to a reader.
SHOWN_ANALYZERS = frozenset(
    {"sentiment", "intent", "category", "reach", "language", "signals", "pii", "duplicates", "embedding"}
)
#: What the case page's status buttons say: the verb, not the state.
STATUS_LABELS = {"open": "Open", "pending": "Set pending", "resolved": "Resolve", "closed": "Close"}


@router.get("/inbox")
def inbox(
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    team: str | None = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
    assignee: str | None = None,
    sla: str | None = None,
    replies: str | None = None,
    priority: str | None = None,
    sort: str | None = None,
    q: str = "",
    page: Annotated[WholeNumber, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    """Open cases of the selected brand; filters that do not apply are ignored, not errors.

    ``q`` narrows them to those a search finds (the search package's language); a search that
    cannot be run shows why, and no cases.
    """
    brand = signed_in.brand
    if brand is None:
        return render(request, "cases/no_brand.html", signed_in=signed_in)
    teams = list_teams(session, brand.id)
    team_id = next((t.id for t in teams if str(t.id) == team), None)
    chosen_status = next((s for s in OPEN_STATUSES if s.value == status_), None)
    chosen_priority = next((p for p in Priority if str(int(p)) == priority), None)
    chosen_sort = next((s for s in InboxSort if s.value == sort), InboxSort.PRIORITY)
    # other packages' picks (SLA states, replies to post by hand); a value nobody offers is ignored
    offered = {
        key: value
        for key, value in (("sla", sla), ("replies", replies))
        if value and panels.narrowing(f"{key}:{value}")
    }
    only_case_ids = panels.narrowed(session, brand.id, [f"{key}:{value}" for key, value in offered.items()])
    search, search_problem = panels.case_search(mask_pii=not may_see_personal_data(signed_in.role)), None
    if q.strip() and search is not None:
        try:
            found = set(search(session, brand.id, q))
        except InvalidInput as exc:
            found, search_problem = set(), str(exc)
        only_case_ids = found if only_case_ids is None else only_case_ids & found
    cases = queries.list_open_cases(
        session,
        brand_id=brand.id,
        brand_slug=brand.slug,
        status=chosen_status,
        team_id=team_id,
        without_team=team == NO_TEAM,
        assignee_id=signed_in.user.id if assignee == ME else None,
        without_assignee=assignee == NOBODY,
        priority=chosen_priority,
        sort=chosen_sort,
        only_case_ids=only_case_ids,
        mask_pii=not may_see_personal_data(signed_in.role),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    filters = {
        "team": str(team_id) if team_id is not None else (NO_TEAM if team == NO_TEAM else ""),
        "status": chosen_status.value if chosen_status else "",
        "assignee": assignee if assignee in (ME, NOBODY) else "",
        "sla": offered.get("sla", ""),
        "replies": offered.get("replies", ""),
        "priority": str(int(chosen_priority)) if chosen_priority else "",
        "sort": chosen_sort.value,
        "q": q,
    }
    context = {
        "cases": cases,
        "teams": teams,
        "filters": filters,
        "search_problem": search_problem,
        "statuses": [s.value for s in OPEN_STATUSES],
        "page": page,
        "page_count": max(1, -(-cases.total // PAGE_SIZE)),
        "no_team": NO_TEAM,
        "assignee_choices": ((ME, "Assigned to me"), (NOBODY, "Unassigned")),
    }
    context |= panels.context_for("inbox", session, [case.id for case in cases.items], signed_in)
    # htmx refreshes only the list; a full load (or no htmx) gets the whole page.
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "inbox-list"
    template = "cases/_inbox_list.html" if partial else "cases/inbox.html"
    return render(request, template, context, signed_in=signed_in)


@router.get("/cases/{case_id}")
def case_page(case_id: Id, request: Request, signed_in: CurrentUser, session: DbSession) -> Response:
    """One case: its story (messages and events in time order), the customer, and the work on it."""
    case = queries.get_case(session, case_id, brand_ids=signed_in.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    role = signed_in.roles.get(case.brand_id)
    detail = queries.get_case_detail(
        session, case_id, brand_ids=signed_in.brand_ids, mask_pii=not may_see_personal_data(role)
    )
    assert detail is not None  # the same case, found a moment ago
    brand = next(b for b in signed_in.brands if b.id == detail.brand_id)
    can_work = may_work(role)
    zone = signed_in.timezone_of(session, case.brand_id)
    context = {
        "page_zone": zone,
        "case": detail,
        "case_brand": brand,
        "closed": detail.status not in OPEN_STATUSES,
        "timeline": timeline.merge(
            detail.mentions, timeline.list_case_events(session, case=case, timezone=zone)
        ),
        "can_work": can_work,
        "role": role,
        "workers": queries.list_case_workers(session, brand_id=brand.id) if can_work else [],
        "teams": list_teams(session, brand.id) if can_work else [],
        "next_statuses": [s.value for s in next_statuses(case.status)],
        "priorities": [(int(p), p.name.lower()) for p in Priority],
        "status_labels": STATUS_LABELS,
        "findings": {m.id: {e.analyzer: e for e in m.enrichments} for m in detail.mentions},
        "correctable": FIXED_LABELS if can_work else {},
        "categories": queries.list_category_labels(session, brand_id=brand.id) if can_work else [],
        "shown_analyzers": SHOWN_ANALYZERS,
    }
    context |= panels.context_for("case", session, case, signed_in)
    return render(request, "cases/case.html", context, signed_in=signed_in)


# --- case work: plain forms that post, flash what happened, and come back to the case ------------


def _case_or_404(session: Session, case_id: Id, signed_in: SignedIn) -> Case:
    case = queries.get_case(session, case_id, brand_ids=signed_in.brand_ids)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return case


def _back(case: Case, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/cases/{case.id}{anchor}", status_code=303)


def _refused(
    request: Request, session: Session, case: Case, error: OmbudsError, anchor: str = ""
) -> Response:
    """A change that cannot be made goes back to the case with the reason; nothing of it is kept."""
    session.rollback()
    flash(request, str(error)[:1].upper() + str(error)[1:] + ".", "error")
    return _back(case, anchor)


def _user_by_form(session: Session, value: str, *, signed_in: SignedIn) -> User | None:
    """The person a form names: "me", nobody (empty), or a user id."""
    if value == ME:
        return signed_in.user
    if value in ("", NOBODY):
        return None
    user_id = parse_id(value)
    user = get_user(session, user_id) if user_id is not None else None
    if user is None:
        raise InvalidInput(f"assignee: no user {value!r}")
    return user


@router.post("/cases/{case_id}/assignee")
def assign(
    case_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    assignee: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Assign the case to me, to a colleague, or to nobody."""
    case = _case_or_404(session, case_id, signed_in)
    try:
        user = _user_by_form(session, assignee.strip(), signed_in=signed_in)
        changed = lifecycle.assign_case(
            session, case=case, assignee=user, actor=Actor(signed_in.user), field="assignee"
        )
    except (InvalidInput, Conflict) as error:
        return _refused(request, session, case, error)
    who = "you" if user is not None and user.id == signed_in.user.id else (user.name if user else "nobody")
    if changed is None:
        flash(request, f"Already assigned to {who}." if user else "Nobody was assigned.", "info")
    else:
        flash(request, f"Assigned to {who}." if user else "Unassigned.", "success")
    return _back(case)


@router.post("/cases/{case_id}/team")
def move_to_team(
    case_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    team_id: Annotated[Id, Form()],
) -> Response:
    """Hand the case to another team of its brand."""
    case = _case_or_404(session, case_id, signed_in)
    team = session.get(Team, team_id)
    try:
        if team is None:
            raise InvalidInput(f"team: no team {team_id} in this brand")
        changed = lifecycle.move_case_to_team(session, case=case, team=team, actor=Actor(signed_in.user))
    except (InvalidInput, Conflict) as error:
        return _refused(request, session, case, error)
    assert team is not None
    flash(
        request,
        f"Moved to {team.name}." if changed else f"Already with {team.name}.",
        "success" if changed else "info",
    )
    return _back(case)


@router.post("/cases/{case_id}/status")
def set_status(
    case_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    status_: Annotated[str, Form(alias="status", max_length=16)],
    note: Annotated[str, AsTyped, Form(max_length=lifecycle.NOTE_MAX_CHARS), NoNul] = "",
    resolved_as: Annotated[ResolvedAs | None, Query()] = None,
) -> Response:
    """Open, park (pending), resolve, close or reopen the case, optionally saying what was done.

    ``?resolved_as=spam`` (or ``duplicate``) resolves without sending the customer a survey.
    """
    case = _case_or_404(session, case_id, signed_in)
    try:
        target = next((s for s in CaseStatus if s.value == status_), None)
        if target is None:
            raise InvalidInput(f"status: {status_!r} is not one of {', '.join(s.value for s in CaseStatus)}")
        changed = lifecycle.change_status(
            session, case=case, status=target, note=note, actor=Actor(signed_in.user), resolved_as=resolved_as
        )
    except (InvalidInput, Conflict) as error:
        response = _refused(request, session, case, error)
        if note.strip():  # "Resolve with this note" refused: what was typed is kept, as a note
            lifecycle.add_note(session, case=case, text=note, actor=Actor(signed_in.user))
            flash(request, "Your note is kept on the case as an internal note.", "info")
        return response
    if not changed:
        flash(request, f"The case is already {target.value}.", "info")
    elif target is CaseStatus.OPEN and changed[0].data.get("from") in ("resolved", "closed"):
        flash(request, "Reopened.", "success")
    else:
        flash(request, f"Status is now {target.value}.", "success")
    return _back(case)


@router.post("/cases/{case_id}/priority")
def set_priority(
    case_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    priority: Annotated[WholeNumber, Form()],
    reason: Annotated[str, Form(max_length=lifecycle.REASON_MAX_CHARS), NoNul] = "",
) -> Response:
    """Raise or lower the priority, with the reason colleagues will read in the timeline."""
    case = _case_or_404(session, case_id, signed_in)
    try:
        changed = lifecycle.change_priority(
            session, case=case, priority=priority, reason=reason, actor=Actor(signed_in.user)
        )
    except (InvalidInput, Conflict, Forbidden) as error:  # Forbidden: an urgent case's replies wait for PR
        return _refused(request, session, case, error, "#priority")
    label = Priority(priority).name.lower()
    flash(
        request,
        f"Priority set to {label}." if changed else f"Priority is already {label}.",
        "success" if changed else "info",
    )
    return _back(case)


@router.post("/cases/{case_id}/notes")
def add_note(
    case_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    note: Annotated[str, AsTyped, Form(max_length=lifecycle.NOTE_MAX_CHARS), NoNul] = "",
) -> Response:
    """An internal note for colleagues; the customer never sees it."""
    case = _case_or_404(session, case_id, signed_in)
    try:
        lifecycle.add_note(session, case=case, text=note, actor=Actor(signed_in.user))
    except (InvalidInput, Conflict) as error:
        return _refused(request, session, case, error, "#compose")
    flash(request, "Note added.", "success")
    return _back(case, "#compose")


@router.post("/cases/{case_id}/mentions/{mention_id}/correction")
def correct_analysis(
    case_id: Id,
    mention_id: Id,
    request: Request,
    signed_in: CurrentUser,
    session: DbSession,
    sentiment: Annotated[str, Form(max_length=200)] = "",
    intent: Annotated[str, Form(max_length=200)] = "",
    category: Annotated[str, Form(max_length=200), NoNul] = "",
) -> Response:
    """Say what a message really is (sentiment, intent, category); the brand's models learn from it."""
    case = _case_or_404(session, case_id, signed_in)
    mention = session.get(Mention, mention_id)
    if mention is None or mention.case_id != case.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    anchor = f"#mention-{mention.id}"
    labels = {"sentiment": sentiment, "intent": intent, "category": category}
    try:
        changed = lifecycle.correct_mention(
            session, case=case, mention=mention, labels=labels, actor=Actor(signed_in.user)
        )
    except (InvalidInput, Conflict) as error:
        return _refused(request, session, case, error, anchor)
    if changed:
        said = ", ".join(f"{analyzer} is {label}" for analyzer, label in changed.items())
        flash(request, f"Corrected: {said}. The brand's models learn from it.", "success")
    else:
        flash(request, "Nothing to correct: the analysis already says that.", "info")
    return _back(case, anchor)
