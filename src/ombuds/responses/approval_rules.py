"""Which replies wait for PR before they go out, and who may approve or withdraw them. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ombuds.accounts.values import Role
from ombuds.responses.values import Visibility

#: People whose word on a public reply counts: PR owns the brand's public voice, managers and
#: admins stand in for them.
APPROVER_ROLES = frozenset({Role.PR, Role.MANAGER, Role.ADMIN})
MEDIA_SIGNAL = "media_author"
#: Who decides which replies wait: the people who run the desk, not PR alone (PR's time is the cost).
POLICY_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
#: Who may withdraw anyone's held reply, not only their own: the people who run the desk.
WITHDRAW_ANY_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class ApprovalPolicy:
    """A brand's switches; each one, when on, sends matching public replies to PR first."""

    on_priority_1: bool = True
    on_media_author: bool = True
    on_active_incident: bool = True


def approval_reason(
    *,
    policy: ApprovalPolicy,
    visibility: Visibility,
    priority: int,
    signals: Collection[str],
    has_active_incident: bool,
) -> str | None:
    """Why this reply needs PR's approval, or None when the agent may send it at once.

    Only public replies wait: a private answer is not a headline in the making.
    """
    if visibility is not Visibility.PUBLIC:
        return None
    reasons = []
    if policy.on_priority_1 and priority == 1:
        reasons.append("the case is urgent (priority 1)")
    if policy.on_media_author and MEDIA_SIGNAL in signals:
        reasons.append("the customer writes for the media")
    if policy.on_active_incident and has_active_incident:
        reasons.append("the case is linked to an active incident")
    return "; ".join(reasons) or None


def lowering_refusal(*, policy: ApprovalPolicy, current: int, chosen: int, role: Role | None) -> str | None:
    """Why ``role`` may not move a case from priority ``current`` to ``chosen``, or None.

    While the brand holds an urgent case's public replies for PR, lowering it would send the next
    one straight out: that is the call of someone who may approve them, not of the agent writing it.
    """
    if not policy.on_priority_1 or current != 1 or chosen == 1 or may_approve(role):
        return None
    return (
        "lowering an urgent case takes PR, a manager or an admin: its public replies wait for PR's "
        "approval while it is urgent; ask one of them, or add a note saying why it is not urgent"
    )


def may_approve(role: Role | None) -> bool:
    return role in APPROVER_ROLES


def may_set_policy(role: Role | None) -> bool:
    return role in POLICY_ROLES


def may_withdraw(role: Role | None, *, is_author: bool) -> bool:
    """Whether someone with ``role`` may take back a held reply: their own, or any as a manager or admin."""
    return role is not None and (is_author or role in WITHDRAW_ANY_ROLES)
