"""The demo's own replies and templates pass the reply checker, and agree with its statements."""

from __future__ import annotations

import pytest

from ombuds.demo import wording
from ombuds.demo.answers import problem_kind
from ombuds.responses.checker import check_reply
from ombuds.responses.values import FindingCode, ReplyDraft, TalkingPoint, Visibility
from ombuds.responses.wording.suggest import fill_template

STATEMENTS = tuple(
    TalkingPoint(id=number, version=1, text=text, is_incident_active=active, title=title)
    for number, (title, text, active) in enumerate(
        [(wording.HOLDING_TITLE, wording.HOLDING_STATEMENT, True)]
        + [(point.title, point.text, False) for point in wording.TOPIC_POINTS],
        start=1,
    )
)


def _draft(text: str, visibility: Visibility, channel: str = "x") -> ReplyDraft:
    filled = fill_template(text, customer_name="Ximena", case_ref="#4471", agent_name="Ada")
    return ReplyDraft(
        text=filled,
        visibility=visibility,
        channel=channel,
        intent="complaint",
        customer_name="Ximena",
        case_reference="#4471",
        talking_points=STATEMENTS,
    )


REPLIES = [
    *(
        (text, Visibility.PUBLIC)
        for public, _, closing in wording.ANSWERS.values()
        for text in (public, closing)
    ),
    *((private, Visibility.PRIVATE) for _, private, _ in wording.ANSWERS.values()),
    *((text, Visibility.PUBLIC) for text in wording.FIRST_RESPONSES.values()),
    (wording.JOURNALIST_REPLY, Visibility.PUBLIC),
    (wording.STORM_ANSWER, Visibility.PUBLIC),
]


@pytest.mark.parametrize(("text", "visibility"), REPLIES)
def test_the_desks_replies_fit_on_x_and_contradict_no_statement(text: str, visibility: Visibility) -> None:
    codes = {finding.code for finding in check_reply(_draft(text, visibility))}
    assert not codes & {
        FindingCode.PII_PUBLIC,
        FindingCode.TOO_LONG,
        FindingCode.CONTRADICTS_TALKING_POINT,
        FindingCode.BLAME_OR_CURT,
    }


@pytest.mark.parametrize("template", wording.TEMPLATES, ids=lambda t: t.name)
def test_each_template_has_a_short_x_wording_that_fits_a_post(template: wording.DemoTemplate) -> None:
    codes = {f.code for f in check_reply(_draft(template.variants["x"], Visibility.PUBLIC))}
    assert FindingCode.TOO_LONG not in codes
    assert FindingCode.CONTRADICTS_TALKING_POINT not in codes
    if "email" in template.variants:
        assert len(template.variants["email"]) > 2 * len(template.variants["x"])


def test_the_flippant_reply_pr_turns_down_is_flagged_before_pr_sees_it() -> None:
    codes = {f.code for f in check_reply(_draft(wording.STORM_REPLY, Visibility.PUBLIC))}
    assert {FindingCode.NO_ACKNOWLEDGEMENT, FindingCode.NO_THANKS} <= codes


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("@LarkspurAir still waiting for my refund of $89 for a flight YOU cancelled", "refund"),
        ("@LarkspurAir my bag didn't arrive in Oslo. Day 3", "bag"),
        ("@LarkspurAir LK212 delayed 4 hours and nobody knows anything", "disruption"),
        ("@LarkspurAir the agent at the Porto desk was incredibly rude", "service"),
        ("@LarkspurAir what's the carry-on allowance?", None),
    ],
)
def test_a_message_picks_the_answers_for_its_problem(text: str, kind: str | None) -> None:
    assert problem_kind(text) == kind
