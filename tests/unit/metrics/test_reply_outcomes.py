"""What our replies changed, and the breakdowns (docs/metrics.md), on plain values."""

from __future__ import annotations

from ombuds.metrics import definitions as d
from tests.unit.metrics.test_definitions import HOUR, MONDAY, resolved


def said(
    hours: float, sentiment: str | None, *, public: bool = True, intent: str | None = None
) -> d.CustomerSaid:
    return d.CustomerSaid(at=MONDAY + hours * HOUR, is_public=public, sentiment=sentiment, intent=intent)


def reply(hours: float, *, public: bool) -> d.SentReply:
    return d.SentReply(at=MONDAY + hours * HOUR, is_public=public)


def test_the_mood_before_our_first_reply_is_the_latest_reading_then_and_after_it_the_customers_last() -> None:
    messages = [
        said(0, "neutral"),
        said(1, "negative"),  # the mood when we answered
        said(3, "positive"),
        said(4, None),  # no reading: skipped, not neutral
        said(5, "neutral"),  # the customer's last word
    ]
    found = d.reply_outcome(messages, [reply(2, public=True)], first_responded_at=MONDAY + 2 * HOUR)
    assert (found.sentiment_before, found.sentiment_after) == (-1, 0)
    # a message written the moment we replied came before the reply
    same_moment = d.reply_outcome([said(2, "negative")], [], first_responded_at=MONDAY + 2 * HOUR)
    assert (same_moment.sentiment_before, same_moment.sentiment_after) == (-1, None)
    unanswered = d.reply_outcome(messages, [], first_responded_at=None)
    assert (unanswered.sentiment_before, unanswered.sentiment_after) == (None, None)


def test_a_public_complaint_is_closed_in_public_when_no_private_reply_follows_the_last_public_one() -> None:
    dm_complaint = [said(0, "negative", public=False), said(1, "negative")]
    assert not d.reply_outcome(dm_complaint, [], first_responded_at=None).public_complaint
    asked = [said(0, "neutral", intent="question")]
    assert not d.reply_outcome(asked, [], first_responded_at=None).public_complaint
    calm_complaint = [said(0, "neutral", intent="complaint")]
    assert d.reply_outcome(calm_complaint, [], first_responded_at=None).public_complaint

    def closed(*replies: d.SentReply) -> bool:
        return d.reply_outcome(calm_complaint, replies, first_responded_at=MONDAY + HOUR).closed_in_public

    assert closed(reply(1, public=True))
    assert not closed(reply(1, public=True), reply(2, public=False)), (
        "acknowledged in public, fixed in private"
    )
    assert closed(reply(1, public=True), reply(2, public=False), reply(3, public=True)), (
        "the public closing reply"
    )
    assert not closed(reply(1, public=False))
    assert not closed()


def test_recovery_and_public_complaints_over_the_resolved_cases_say_none_when_nothing_was_measured() -> None:
    cases = [
        resolved(1, sentiment_before=-1, sentiment_after=1, public_complaint=True, closed_in_public=True),
        resolved(2, sentiment_before=-1, sentiment_after=-1, public_complaint=True),
        resolved(3, sentiment_before=0, sentiment_after=1),
        resolved(4, sentiment_before=-1),  # no word after our reply: not measured
    ]
    recovery = d.sentiment_recovery(cases)
    # measured 1 2 3; negative before 1 2, recovered 1; changes +2 0 +1: mean 1
    assert recovery == d.SentimentRecovery(
        measured=3, negative_before=2, recovered=1, recovery_rate=0.5, mean_change=1.0
    )
    assert d.public_complaints(cases) == d.PublicComplaints(cases=2, closed_in_public=1, rate=0.5)
    assert d.sentiment_recovery([resolved(5)]) == d.NO_RECOVERY
    assert d.public_complaints([resolved(5)]).rate is None
    found = d.outcomes(opened=0, resolved=cases, debt=[])
    assert found.sentiment_recovery == recovery


def test_a_breakdown_is_the_same_arithmetic_over_each_groups_own_cases() -> None:
    keys: dict[int, d.GroupKey] = {1: "x", 2: "x", 3: "email"}  # case 4 has no group
    groups = d.breakdown(
        keys,
        opened=[1, 3, 4],
        resolved=[resolved(1), resolved(2, first_contact_resolution=False), resolved(3)],
        debt=[d.DebtCase(case_id=4, weight=2.0)],
    )
    assert set(groups) == {"x", "email", None}
    assert (groups["x"].cases_opened, groups["x"].cases_resolved) == (1, 2)
    assert groups["x"].first_contact_resolution_rate == 0.5
    assert groups["email"].first_contact_resolution_rate == 1.0
    assert groups[None].cases_resolved == 0
    assert groups[None].experience_debt.unresolved_negative == 2.0
    assert groups[None].first_contact_resolution_rate is None
