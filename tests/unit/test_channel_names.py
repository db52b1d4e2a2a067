"""One network, two names: the X connector says "x", the archives of public tweets "twitter". A rule,
a skill, a target, a sink or a wording written for either takes the other's messages too."""

from __future__ import annotations

from datetime import timedelta

from ombuds.cases.values import Priority
from ombuds.mentions.values import channel_key, channel_name, names_channel
from ombuds.responses.wording.suggest import template_wording
from ombuds.routing.assignment import Candidate, CaseNeeds, unfit
from ombuds.routing.rules import CaseFacts, Rule, route
from ombuds.routing.sla import SlaPolicy, Target


def test_twitter_and_x_are_one_channel_and_other_names_stay_apart() -> None:
    assert channel_key(" Twitter ") == channel_key("x") == "x"
    assert names_channel(["twitter"], "x")
    assert names_channel(["x", "email"], "twitter")
    assert not names_channel(["x"], "x-dm")
    assert not names_channel(["email"], "x")


def test_a_rule_for_twitter_routes_cases_from_the_x_connector() -> None:
    rules = [
        Rule(name="tweets", team="social", channels=frozenset({"twitter"})),
        Rule(name="rest", team="care"),
    ]
    assert route(CaseFacts(channel="x"), rules=rules).team == "social"
    assert route(CaseFacts(channel="email"), rules=rules).team == "care"


def test_an_agent_skilled_for_x_takes_a_case_imported_as_twitter() -> None:
    agent = Candidate(user_id=1, name="Ada", load=0, channels=frozenset({"x"}))
    assert unfit(agent, CaseNeeds(channel="twitter")) is None
    assert unfit(agent, CaseNeeds(channel="email")) == "no channel email"


def test_a_channel_s_target_written_as_twitter_holds_for_x() -> None:
    hour = timedelta(hours=1)
    policy = SlaPolicy(
        first_response={Priority.NORMAL: 4 * hour},
        resolution={},
        by_channel={"twitter": {Target.FIRST_RESPONSE: {Priority.NORMAL: hour}}},
    )
    assert policy.target(Target.FIRST_RESPONSE, priority=Priority.NORMAL, channel="x") == hour
    assert policy.target(Target.FIRST_RESPONSE, priority=Priority.NORMAL, channel="email") == 4 * hour


def test_a_wording_for_twitter_is_the_one_used_on_x() -> None:
    assert template_wording("Hello", {"twitter": "Hi, DM us"}, "x") == ("Hi, DM us", True)
    assert template_wording("Hello", {"twitter": "Hi, DM us"}, "email") == ("Hello", False)


def test_pages_write_channels_as_people_do() -> None:
    assert [channel_name(c) for c in ("x", "twitter", "email", "complaint-portal", "sms", "x-dm")] == [
        "X",
        "Twitter",
        "Email",
        "Complaint portal",
        "SMS",
        "X DM",
    ]
