"""The limits of empowered resolutions: who gives how much at once, and who decides the rest."""

from decimal import Decimal

import pytest

from ombuds.accounts.values import Role
from ombuds.errors import Forbidden, InvalidInput
from ombuds.responses.resolutions.limits import (
    Outcome,
    approval_problem,
    check_amount,
    decide,
    describe_limit,
    dump_limits,
    parse_limits,
)

CREDIT = {Role.AGENT: Decimal("100.00"), Role.MANAGER: Decimal("1000.00")}


def test_a_credit_within_the_agents_limit_applies_at_once() -> None:
    decision = decide(limits=CREDIT, role=Role.AGENT, amount=Decimal("40"))
    assert decision.outcome is Outcome.APPLY
    assert "100.00" in decision.why


def test_exactly_the_limit_applies_and_a_cent_more_waits() -> None:
    assert decide(limits=CREDIT, role=Role.AGENT, amount=Decimal("100.00")).outcome is Outcome.APPLY
    above = decide(limits=CREDIT, role=Role.AGENT, amount=Decimal("100.01"))
    assert above.outcome is Outcome.NEEDS_APPROVAL
    assert "above the agent's limit of 100.00" in above.why


def test_amount_zero_applies_a_waived_fee() -> None:
    assert (
        decide(limits={Role.AGENT: Decimal(0)}, role=Role.AGENT, amount=Decimal(0)).outcome is Outcome.APPLY
    )


def test_a_role_the_option_does_not_list_asks_a_manager() -> None:
    decision = decide(limits=CREDIT, role=Role.PR, amount=Decimal(1))
    assert decision.outcome is Outcome.NEEDS_APPROVAL
    assert "may not give this option without approval" in decision.why


def test_no_limit_means_any_amount_and_admins_always_apply() -> None:
    assert (
        decide(limits={Role.AGENT: None}, role=Role.AGENT, amount=Decimal("999999")).outcome is Outcome.APPLY
    )
    assert decide(limits={}, role=Role.ADMIN, amount=Decimal("5000")).outcome is Outcome.APPLY


@pytest.mark.parametrize("role", [None, Role.VIEWER])
def test_viewers_and_strangers_cannot_give_anything(role: Role | None) -> None:
    with pytest.raises(Forbidden, match="viewers read cases"):
        decide(limits={Role.VIEWER: None}, role=role, amount=Decimal(1))


def test_an_option_no_longer_offered_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no longer offered"):
        decide(limits=CREDIT, role=Role.AGENT, amount=Decimal(1), is_active=False)


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        (Decimal("-1"), "cannot be negative"),
        (Decimal("NaN"), "finite"),
        (Decimal("Infinity"), "finite"),
        (Decimal("1e400"), "at most 1,000,000,000"),
        (Decimal("1000000000.01"), "at most 1,000,000,000"),
        (Decimal("0.001"), "two decimal places"),
    ],
)
def test_amounts_that_cannot_be_money_are_refused(amount: Decimal, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        decide(limits=CREDIT, role=Role.AGENT, amount=amount)
    with pytest.raises(ValueError, match=problem):
        check_amount(amount)


def test_amounts_keep_two_places() -> None:
    assert str(check_amount(Decimal("12.5"))) == "12.50"
    assert str(check_amount(Decimal("1E+2"))) == "100.00"


def test_limits_round_trip_as_exact_strings() -> None:
    limits = parse_limits({"agent": 100, "manager": "1000.5", "admin": None})
    assert limits == {Role.AGENT: Decimal("100"), Role.MANAGER: Decimal("1000.50"), Role.ADMIN: None}
    assert dump_limits(limits) == {"admin": None, "agent": "100.00", "manager": "1000.50"}


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"boss": 5}, "'boss' is not a role"),
        ({"viewer": 5}, "viewers only read"),
        ({"agent": -5}, "limits.agent: an amount cannot be negative"),
        ({"agent": "lots"}, "limits.agent: a limit is an amount"),
        ({"agent": True}, "limits.agent: a limit is an amount"),
        ({"agent": float("nan")}, "limits.agent: expected a finite amount"),
    ],
)
def test_limits_that_make_no_sense_are_refused(raw: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_limits(raw)


def test_limits_in_words() -> None:
    assert describe_limit(CREDIT, Role.AGENT) == "up to 100.00"
    assert describe_limit({Role.AGENT: None}, Role.AGENT) == "no limit"
    assert describe_limit(CREDIT, Role.PR) == "with approval"


def test_only_managers_within_their_limit_and_admins_decide() -> None:
    amount = Decimal("250")
    assert approval_problem(limits=CREDIT, role=Role.MANAGER, amount=amount, is_own_request=False) is None
    assert (
        approval_problem(limits=CREDIT, role=Role.ADMIN, amount=Decimal("5000"), is_own_request=False) is None
    )
    agent = approval_problem(limits=CREDIT, role=Role.AGENT, amount=amount, is_own_request=False)
    assert agent == "deciding a resolution takes the manager or admin role"
    above = approval_problem(limits=CREDIT, role=Role.MANAGER, amount=Decimal("1500"), is_own_request=False)
    assert above is not None
    assert "an admin decides it" in above
    own = approval_problem(limits=CREDIT, role=Role.MANAGER, amount=amount, is_own_request=True)
    assert own is not None
    assert "own request" in own
