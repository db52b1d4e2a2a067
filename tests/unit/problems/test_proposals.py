"""Which causes Ombuds proposes as problems, and when a customer's new message is the same issue."""

from __future__ import annotations

from ombuds.problems import proposals, rules
from ombuds.problems.proposals import (
    CategoryWeeks,
    IncidentCases,
    PromiseContradictions,
    Proposal,
    propose,
    with_suggested_owner,
)
from ombuds.problems.values import ProblemStatus, move_refusal


def test_a_category_growing_week_over_week_is_proposed_with_its_open_cases() -> None:
    found = propose(
        categories=[
            CategoryWeeks("refund_delay", this_week=[5, 6, 7, 8, 9], last_week=2),
            CategoryWeeks("baggage", this_week=[10, 11, 12, 13], last_week=4),  # steady: not growing
            CategoryWeeks("wifi", this_week=[14, 15], last_week=0),  # too few to be a trend
        ],
        incidents=[],
        promises=[],
        linked_case_ids=[],
        settled_keys=[],
    )
    assert [(p.key, p.case_ids, p.category) for p in found] == [
        ("category:refund_delay", [5, 6, 7, 8, 9], "refund_delay")
    ]
    assert found[0].why == "5 open cases about refund delay this week, 2 the week before"
    assert found[0].title == "More and more refund delay complaints"


def test_a_category_that_names_complaints_is_not_said_twice() -> None:
    growing = [CategoryWeeks("Flight Attendant Complaints", this_week=[1, 2, 3, 4, 5], last_week=1)]
    found = propose(categories=growing, incidents=[], promises=[], linked_case_ids=[], settled_keys=[])
    assert found[0].title == "More and more Flight Attendant Complaints"


def test_incidents_and_contradicted_promises_are_proposed_biggest_first() -> None:
    found = propose(
        categories=[],
        incidents=[IncidentCases(3, "App shows cancelled flights as on time", [1, 2, 3])],
        promises=[PromiseContradictions(7, "On time, every time", [4, 5])],
        linked_case_ids=[],
        settled_keys=[],
    )
    assert [(p.key, p.incident_ids, p.promise_ids) for p in found] == [
        ("incident:3", [3], []),
        ("promise:7", [], [7]),
    ]
    assert found[1].title == "Customers contradict “On time, every time”"


def test_cases_another_problem_explains_and_settled_proposals_are_left_out() -> None:
    found = propose(
        categories=[CategoryWeeks("refund_delay", this_week=[1, 2, 3, 4, 5], last_week=0)],
        incidents=[IncidentCases(3, "Outage", [6, 7])],
        promises=[PromiseContradictions(7, "On time", [8, 9])],
        linked_case_ids=[1, 2, 6],  # the incident keeps one free case: too few
        settled_keys=["promise:7"],  # dismissed (or confirmed) before
    )
    assert [(p.key, p.case_ids) for p in found] == []
    assert proposals.GROWTH_MIN_CASES == 4  # five cases, two linked: three left, under the minimum


def test_a_new_message_is_the_same_issue_by_category_or_else_by_a_negative_mood() -> None:
    assert rules.is_same_issue(category="refund_delay", sentiment="positive", problem_category="refund_delay")
    assert not rules.is_same_issue(category="praise", sentiment="negative", problem_category="refund_delay")
    assert rules.is_same_issue(category=None, sentiment="negative", problem_category="refund_delay")
    assert not rules.is_same_issue(category=None, sentiment="positive", problem_category=None)
    assert rules.main_category(["a", None, "b", "b"]) == "b"
    assert rules.main_category([None]) is None


def test_the_lifecycle_says_where_a_problem_may_go() -> None:
    assert move_refusal(ProblemStatus.INVESTIGATING, ProblemStatus.FIXED) is None
    assert move_refusal(ProblemStatus.VERIFIED, ProblemStatus.INVESTIGATING) is None  # reopened
    refusal = move_refusal(ProblemStatus.INVESTIGATING, ProblemStatus.VERIFIED)
    assert (
        refusal == "status: a problem that is investigating moves to fix_in_progress or fixed, not verified"
    )


def test_the_suggested_owner_is_the_team_holding_most_of_the_cases() -> None:
    proposal = Proposal(
        key="category:refund_delay", title="Refund delay", why="growing", case_ids=[1, 2, 3, 4, 5]
    )
    held = {1: 7, 2: 7, 3: 4, 4: None, 5: 4}
    assert with_suggested_owner(proposal, held).suggested_owner_team_id == 4  # two each: the lower id
    assert with_suggested_owner(proposal, {**held, 5: 7}).suggested_owner_team_id == 7
    assert with_suggested_owner(proposal, {1: None}).suggested_owner_team_id is None  # nobody holds any
