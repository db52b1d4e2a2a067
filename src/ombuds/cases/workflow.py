"""The rules of case work, as plain functions on statuses and roles: where a status may go, who may act,
who sees personal data.

Shared by the writers (``lifecycle``), the reads (who can be given a case) and the pages (which
buttons to offer), so the three never disagree.
"""

from __future__ import annotations

from ombuds.accounts.values import Role
from ombuds.cases.values import CaseStatus
from ombuds.errors import Conflict

#: The roles that may only read cases.
READ_ONLY_ROLES = frozenset({Role.VIEWER})

#: Where each status may go next in one step. ``new`` is only ever the first status; closing an
#: unresolved case resolves it first (two steps, two events), so every closed case was resolved.
_NEXT: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset({CaseStatus.OPEN, CaseStatus.PENDING, CaseStatus.RESOLVED}),
    CaseStatus.OPEN: frozenset({CaseStatus.PENDING, CaseStatus.RESOLVED}),
    CaseStatus.PENDING: frozenset({CaseStatus.OPEN, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVED: frozenset({CaseStatus.CLOSED, CaseStatus.OPEN}),
    CaseStatus.CLOSED: frozenset({CaseStatus.OPEN}),
}


def may_work(role: Role | None) -> bool:
    """Whether a member with this role may change cases (viewers only read)."""
    return role is not None and role not in READ_ONLY_ROLES


def may_see_personal_data(role: Role | None) -> bool:
    """Whether personal data (emails, cards, phones…) in messages is shown unmasked to this role."""
    return role is not None and role not in READ_ONLY_ROLES


def status_path(current: CaseStatus, target: CaseStatus) -> list[CaseStatus]:
    """The statuses a case passes through to reach ``target``; empty when it is there already.

    Raises Conflict, saying the way out, when the move is not allowed.
    """
    if target is current:
        return []
    if target in _NEXT[current]:
        return [target]
    if target is CaseStatus.CLOSED and CaseStatus.RESOLVED in _NEXT[current]:
        return [CaseStatus.RESOLVED, CaseStatus.CLOSED]
    if target is CaseStatus.NEW:
        raise Conflict(f"a {current.value} case cannot go back to new; to reopen it, set the status to open")
    hint = (
        "reopen it first (status open)"
        if current in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
        else "resolve it first"
    )
    raise Conflict(f"a {current.value} case cannot move to {target.value}; {hint}")


def next_statuses(current: CaseStatus) -> list[CaseStatus]:
    """Every status reachable from ``current`` in one request, in lifecycle order."""
    reachable = set(_NEXT[current])
    if CaseStatus.RESOLVED in reachable:
        reachable.add(CaseStatus.CLOSED)
    return [status for status in CaseStatus if status in reachable]
