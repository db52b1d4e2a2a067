"""Who may give how much: the pure rules of a resolution's amount, its limits per role, and approval.

A catalogue option lists, per role, the highest amount that role may give at once (``None``: no
limit). A role it does not list may not give it by itself: the request waits for a manager. A
manager or admin decides a waiting request; a manager only up to their own limit on the option
(an admin always may). Nobody decides their own request. Amounts are ``Decimal`` with two places,
so "at the limit" means exactly that. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from ombuds.accounts.values import Role
from ombuds.errors import Forbidden, InvalidInput

#: Two decimal places, as the ``case_resolution.amount`` column stores them.
CENT = Decimal("0.01")
#: The largest amount accepted: ten digits before the point fit ``NUMERIC(12, 2)`` on both databases.
AMOUNT_MAX = Decimal("1000000000")
#: The roles that decide requests above someone's limit.
APPROVING_ROLES = frozenset({Role.MANAGER, Role.ADMIN})

Limits = Mapping[Role, Decimal | None]


class Outcome(StrEnum):
    APPLY = "apply"  # within the requester's limit: applied at once
    NEEDS_APPROVAL = "needs_approval"  # above it, or not theirs to give: a manager decides


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    why: str  # one line for the timeline and the agent


def amount_problem(value: Decimal) -> str | None:
    """Why ``value`` cannot be an amount, or ``None`` when it can."""
    if not value.is_finite():
        return "expected a finite amount"
    if value < 0:
        return "an amount cannot be negative"
    if value > AMOUNT_MAX:
        return f"at most {AMOUNT_MAX:,} in one resolution"
    if value != value.quantize(CENT, rounding="ROUND_DOWN"):
        return "at most two decimal places"
    return None


def check_amount(value: Decimal) -> Decimal:
    """The amount with two places; ``ValueError`` saying why when it cannot be one."""
    problem = amount_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value.quantize(CENT)


def parse_limit(value: object) -> Decimal | None:
    """One stored or submitted limit: ``None`` (no limit) or a valid amount; ``ValueError`` otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f"a limit is an amount or null, not {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"a limit is an amount or null, not {value!r}") from None
    return check_amount(amount)


def parse_limits(raw: Mapping[str, object]) -> dict[Role, Decimal | None]:
    """Stored limits (``{"agent": "50.00", "manager": null}``) as roles and amounts."""
    limits: dict[Role, Decimal | None] = {}
    for name, value in raw.items():
        try:
            role = Role(name)
        except ValueError:
            raise ValueError(f"limits: {name!r} is not a role ({', '.join(Role)})") from None
        if role is Role.VIEWER:
            raise ValueError("limits: viewers only read and cannot give resolutions")
        try:
            limits[role] = parse_limit(value)
        except ValueError as exc:
            raise ValueError(f"limits.{name}: {exc}") from None
    return limits


def dump_limits(limits: Limits) -> dict[str, str | None]:
    """Limits as stored: exact strings, never floats."""
    return {role.value: None if limit is None else str(limit) for role, limit in sorted(limits.items())}


def within(limit: Decimal | None, amount: Decimal) -> bool:
    return limit is None or amount <= limit


def describe_limit(limits: Limits, role: Role | None) -> str:
    """What ``role`` may give of this option, in words: "up to 100.00", "no limit", "with approval"."""
    if role is None or role not in limits:
        return "with approval"
    limit = limits[role]
    return "no limit" if limit is None else f"up to {limit}"


def decide(*, limits: Limits, role: Role | None, amount: Decimal, is_active: bool = True) -> Decision:
    """Whether a request applies at once or waits for a manager.

    Raises ``InvalidInput`` for an amount that cannot be one or an option no longer offered, and
    ``Forbidden`` for a role that may not give resolutions at all (a viewer, or no role).
    """
    problem = amount_problem(amount)
    if problem is not None:
        raise InvalidInput(f"amount: {problem}")
    if not is_active:
        raise InvalidInput("option_id: this option is no longer offered")
    if role is None or role is Role.VIEWER:
        raise Forbidden(
            "viewers read cases but cannot give resolutions; ask an administrator for the agent role"
        )
    if role is Role.ADMIN:
        return Decision(Outcome.APPLY, "given by an admin")
    if role not in limits:
        return Decision(Outcome.NEEDS_APPROVAL, f"a {role.value} may not give this option without approval")
    limit = limits[role]
    if within(limit, amount):
        return Decision(Outcome.APPLY, f"within the {role.value}'s limit ({describe_limit(limits, role)})")
    return Decision(Outcome.NEEDS_APPROVAL, f"above the {role.value}'s limit of {limit}")


def approval_problem(
    *, limits: Limits, role: Role | None, amount: Decimal, is_own_request: bool
) -> str | None:
    """Why a person with ``role`` may not decide a request for ``amount``, or ``None`` when they may."""
    if role not in APPROVING_ROLES:
        return "deciding a resolution takes the manager or admin role"
    if is_own_request:
        return "nobody decides their own request; another manager or an admin does"
    if role is Role.ADMIN:
        return None
    assert role is not None
    if role not in limits or not within(limits[role], amount):
        return f"{amount} is above what a {role.value} may give of this option; an admin decides it"
    return None
