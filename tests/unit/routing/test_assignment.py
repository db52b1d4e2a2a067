"""Choosing who of a team gets a case: the pure chooser, without a database."""

from ombuds.accounts.values import AssignmentPolicy
from ombuds.routing.assignment import Candidate, CaseNeeds, choose_assignee, in_turn, unfit

ROUND_ROBIN = AssignmentPolicy.ROUND_ROBIN
LEAST_LOADED = AssignmentPolicy.LEAST_LOADED


def member(user_id: int, load: int = 0, **fields: object) -> Candidate:
    return Candidate(user_id=user_id, name=f"agent {user_id}", load=load, **fields)  # type: ignore[arg-type]


def test_round_robin_gives_each_member_a_case_in_turn_and_wraps_around() -> None:
    team = [member(7), member(3), member(5)]
    given, last = [], None
    for _ in range(5):
        choice = choose_assignee(ROUND_ROBIN, team, CaseNeeds(), last_user_id=last)
        assert choice.user_id is not None
        given.append(choice.user_id)
        last = choice.user_id
    assert given == [3, 5, 7, 3, 5]


def test_round_robin_skips_whoever_is_away_or_full_and_continues_after_them() -> None:
    team = [member(1), member(2, is_away=True), member(3, load=4, capacity=4), member(4)]
    assert choose_assignee(ROUND_ROBIN, team, CaseNeeds(), last_user_id=1).user_id == 4
    assert choose_assignee(ROUND_ROBIN, team, CaseNeeds(), last_user_id=4).user_id == 1


def test_least_loaded_picks_the_member_with_fewest_open_cases() -> None:
    team = [member(1, load=5), member(2, load=2), member(3, load=9)]
    choice = choose_assignee(LEAST_LOADED, team, CaseNeeds())
    assert choice.user_id == 2
    assert "2 open cases" in choice.reason


def test_least_loaded_ties_go_to_whoever_is_next_in_turn() -> None:
    team = [member(1, load=2), member(2, load=2), member(3, load=2)]
    assert choose_assignee(LEAST_LOADED, team, CaseNeeds(), last_user_id=1).user_id == 2
    assert choose_assignee(LEAST_LOADED, team, CaseNeeds(), last_user_id=3).user_id == 1


def test_a_full_team_leaves_the_case_in_the_queue_and_says_why() -> None:
    team = [member(1, load=3, capacity=3), member(2, is_away=True)]
    choice = choose_assignee(LEAST_LOADED, team, CaseNeeds())
    assert choice.user_id is None
    assert "agent 1: full (3 of 3 open cases)" in choice.reason
    assert "agent 2: away" in choice.reason


def test_a_spanish_case_goes_to_the_spanish_speaker() -> None:
    team = [
        member(1, load=0, languages=frozenset({"en"})),
        member(2, load=8, languages=frozenset({"es", "en"})),
    ]
    assert choose_assignee(LEAST_LOADED, team, CaseNeeds(language="es")).user_id == 2
    assert choose_assignee(LEAST_LOADED, team, CaseNeeds(language="en")).user_id == 1


def test_empty_skills_fit_every_case_and_unknown_needs_fit_everyone() -> None:
    generalist = member(1)
    assert unfit(generalist, CaseNeeds(language="fi", channel="email", category="Refunds")) is None
    specialist = member(2, channels=frozenset({"email"}), categories=frozenset({"Refunds"}))
    assert unfit(specialist, CaseNeeds()) is None
    assert unfit(specialist, CaseNeeds(channel="x")) == "no channel x"
    assert (
        unfit(specialist, CaseNeeds(channel="email", category="Lost Luggage")) == "no category Lost Luggage"
    )


def test_manual_teams_and_empty_teams_assign_nobody() -> None:
    assert choose_assignee(AssignmentPolicy.MANUAL, [member(1)], CaseNeeds()).user_id is None
    assert choose_assignee(ROUND_ROBIN, [], CaseNeeds()).reason == "the team has no members"


def test_turn_order_starts_after_a_member_who_has_left() -> None:
    assert [c.user_id for c in in_turn([member(2), member(6), member(9)], last_user_id=5)] == [6, 9, 2]
