"""The reply checker on realistic care replies: each code fires on a bad reply and stays quiet on a good one."""

from __future__ import annotations

from typing import Any

import pytest

from ombuds.responses.checker import blocks, check_reply
from ombuds.responses.values import (
    FindingCode,
    ReplyDraft,
    ReplyFinding,
    Severity,
    TalkingPoint,
    Visibility,
    case_needs_account_details,
    channel_limit,
)

REFUNDS = TalkingPoint(
    id=4,
    version=2,
    title="LK201 cancellations",
    text="We're sorry LK201 was cancelled. Refunds for cancelled flights are processed within 7 days, "
    "and every affected passenger gets a $50 travel voucher.",
)
STORM = TalkingPoint(
    id=9,
    version=1,
    title="Winter storm",
    text="Flights out of Denver resume by Friday. Rebooking is free and we waive the 10% change fee.",
    is_incident_active=True,
)

POLITE = "Thanks for letting us know, and sorry about the wait. "


def found(text: str, **facts: Any) -> list[ReplyFinding]:
    return check_reply(ReplyDraft(text, **facts))


def codes(findings: list[ReplyFinding], code: FindingCode) -> list[ReplyFinding]:
    return [finding for finding in findings if finding.code is code]


def spanned(text: str, finding: ReplyFinding) -> str:
    return text[finding.start : finding.end]


# --- pii_public -------------------------------------------------------------------------------


def test_an_email_address_in_a_public_reply_blocks_the_send_and_points_at_it() -> None:
    text = POLITE + "Our agent Sam can sort it, write to sam.jones@gmail.com."
    findings = codes(found(text), FindingCode.PII_PUBLIC)

    assert [(f.severity, spanned(text, f)) for f in findings] == [(Severity.BLOCK, "sam.jones@gmail.com")]
    assert "email address" in findings[0].message
    assert "sam.jones" not in findings[0].message  # the message never repeats the value
    assert blocks(found(text))


def test_a_card_number_and_a_phone_number_are_each_found() -> None:
    text = POLITE + "Is the card 4111 1111 1111 1111 yours? We tried +44 20 7946 0958."
    spans = [spanned(text, f) for f in codes(found(text), FindingCode.PII_PUBLIC)]

    assert spans == ["4111 1111 1111 1111", "+44 20 7946 0958"]


def test_personal_data_in_a_private_reply_is_fine() -> None:
    text = POLITE + "I've sent the receipt to sam.jones@gmail.com and the refund to card 4111 1111 1111 1111."
    findings = found(text, visibility=Visibility.PRIVATE)

    assert codes(findings, FindingCode.PII_PUBLIC) == []
    assert not blocks(findings)


def test_the_brands_own_case_reference_is_not_personal_data() -> None:
    text = POLITE + "Your case reference is CS-20931, quote it if you call."
    assert codes(found(text, case_reference="CS-20931"), FindingCode.PII_PUBLIC) == []
    assert codes(found(text), FindingCode.PII_PUBLIC) != []


def test_the_brands_own_helpline_is_not_personal_data() -> None:
    text = POLITE + "Our baggage desk is on 0800 123 4567, open until 22:00."
    findings = found(text, brand_contacts=("0800-123-4567",))
    assert codes(findings, FindingCode.PII_PUBLIC) == []
    assert codes(found(text), FindingCode.PII_PUBLIC) != []


# --- contradicts_talking_point ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "said", "stated"),
    [
        ("Your refund will be with you in 14 days.", "14 days", "7 days"),
        ("Refunds normally take two weeks to come through.", "two weeks", "7 days"),
        ("You'll get a refund within 3-5 business days.", None, None),  # business days do not compare
        ("As a gesture we've added a $25 voucher to your account.", "$25", "$50"),
        ("We've added a 50 USD voucher to your account.", None, None),  # the same amount, written out
        ("We've added a €50 voucher to your account.", None, None),  # another currency does not compare
        ("Refunds are processed within a week.", None, None),  # a week is 7 days
        ("Refunds are processed within seven days.", None, None),
    ],
)
def test_a_figure_that_differs_from_the_talking_point_is_flagged_like_with_like(
    reply: str, said: str | None, stated: str | None
) -> None:
    text = POLITE + reply
    findings = codes(found(text, talking_points=(REFUNDS,)), FindingCode.CONTRADICTS_TALKING_POINT)

    if said is None:
        assert findings == []
    else:
        assert [spanned(text, f) for f in findings] == [said]
        assert findings[0].severity is Severity.WARN  # the statement's incident is not active
        assert f'"{said}"' in findings[0].message
        assert f'"{stated}"' in findings[0].message
        assert "LK201 cancellations" in findings[0].message


def test_contradicting_the_statement_of_an_active_incident_blocks_the_send() -> None:
    text = POLITE + "Flights from Denver should be running again by Monday, and there's a 20% change fee."
    findings = codes(found(text, talking_points=(STORM,)), FindingCode.CONTRADICTS_TALKING_POINT)

    assert [(spanned(text, f), f.severity) for f in findings] == [
        ("Monday", Severity.BLOCK),
        ("20%", Severity.BLOCK),
    ]
    assert '"Friday"' in findings[0].message
    assert '"10%"' in findings[1].message


def test_agreeing_with_the_active_statement_in_other_words_passes() -> None:
    text = (
        POLITE
        + "Denver flights are back by Friday, rebooking is free and the ten percent change fee is waived."
    )
    assert codes(found(text, talking_points=(STORM,)), FindingCode.CONTRADICTS_TALKING_POINT) == []


def test_a_figure_about_another_subject_does_not_contradict() -> None:
    # the statement's 7 days are for refunds; the reply's 2 days are for a bag
    text = POLITE + "Your bag has been found and will be delivered within 2 days."
    assert codes(found(text, talking_points=(REFUNDS,)), FindingCode.CONTRADICTS_TALKING_POINT) == []


def test_time_already_waited_is_not_a_promise() -> None:
    text = "Thank you for your patience. I'm so sorry you've waited three weeks for your refund."
    assert codes(found(text, talking_points=(REFUNDS,)), FindingCode.CONTRADICTS_TALKING_POINT) == []


@pytest.mark.parametrize(
    "reply",
    [
        "We expect to board in about 30 minutes.",  # boarding is not a refund
        "Your $50 voucher was issued this morning; it's valid for 12 months.",
        "We're sorry about your experience on Monday; we've told the station manager.",
        "Sorry you've had to chase us about your refund for 2 weeks. Please DM us.",
    ],
)
def test_figures_about_something_else_or_time_already_spent_do_not_contradict(reply: str) -> None:
    findings = found(POLITE + reply, talking_points=(REFUNDS, STORM))
    assert codes(findings, FindingCode.CONTRADICTS_TALKING_POINT) == []


def test_a_figure_takes_its_subject_from_the_clause_before() -> None:
    text = POLITE + "Your refund, as promised, is processed within 10 days."
    findings = codes(found(text, talking_points=(REFUNDS,)), FindingCode.CONTRADICTS_TALKING_POINT)
    assert [spanned(text, f) for f in findings] == ["10 days"]


def test_of_two_statement_figures_the_one_on_the_same_subject_counts() -> None:
    point = TalkingPoint(1, 1, "Refunds take 7 days. Lost bags are usually delivered within 2 days.")
    text = POLITE + "Your refund will arrive within 2 days."
    findings = codes(found(text, talking_points=(point,)), FindingCode.CONTRADICTS_TALKING_POINT)

    assert [spanned(text, f) for f in findings] == ["2 days"]
    assert '"7 days"' in findings[0].message


# --- too_long ---------------------------------------------------------------------------------


def test_a_reply_over_the_channels_limit_blocks_from_the_limit_to_the_end() -> None:
    text = POLITE + "We are looking into it. " * 12
    assert len(text) > 280
    (finding,) = codes(found(text, channel="x"), FindingCode.TOO_LONG)

    assert (finding.severity, finding.start, finding.end) == (Severity.BLOCK, 280, len(text))
    assert f"{len(text)} characters" in finding.message
    assert found(text, channel="email") == found(text, channel="email", length_limit=None)
    assert codes(found(text, channel="email"), FindingCode.TOO_LONG) == []
    assert codes(found(text, channel="x", visibility=Visibility.PRIVATE), FindingCode.TOO_LONG) == []


def test_a_brand_can_set_a_tighter_limit() -> None:
    text = POLITE + "We'll look into it."
    (finding,) = codes(found(text, channel="email", length_limit=40), FindingCode.TOO_LONG)
    assert finding.start == 40


def test_channel_limits_follow_the_names_mentions_use() -> None:
    assert channel_limit("X") == channel_limit("twitter") == 280
    assert channel_limit("mastodon") == 500
    assert channel_limit("bluesky") == 300
    assert channel_limit("sms", Visibility.PRIVATE) == 160
    assert channel_limit("email") is None
    assert channel_limit("reviews") is None


# --- no_thanks and no_acknowledgement ---------------------------------------------------------


def test_a_reply_without_thanks_gets_a_hint_and_thanks_inside_another_word_does_not_count() -> None:
    text = "Sorry to hear that. We hope you still enjoy your Thanksgiving trip."
    (finding,) = codes(found(text), FindingCode.NO_THANKS)
    assert (finding.severity, finding.start, finding.end) == (Severity.INFO, 0, 0)

    assert codes(found("Many thanks for flagging this, sorry for the trouble."), FindingCode.NO_THANKS) == []
    assert codes(found("We appreciate you telling us, sorry for the trouble."), FindingCode.NO_THANKS) == []


def test_a_public_answer_to_a_complaint_that_acknowledges_nothing_warns() -> None:
    text = "Thanks for the message. Your flight departs at 14:30 from gate B12."
    (finding,) = codes(found(text, intent="complaint"), FindingCode.NO_ACKNOWLEDGEMENT)
    assert finding.severity is Severity.WARN

    (private,) = codes(
        found(text, intent="complaint", visibility=Visibility.PRIVATE), FindingCode.NO_ACKNOWLEDGEMENT
    )
    assert private.severity is Severity.INFO
    assert codes(found(text, intent="praise"), FindingCode.NO_ACKNOWLEDGEMENT) == []


@pytest.mark.parametrize(
    "acknowledgement",
    [
        "We apologise for the delay.",
        "I completely understand how annoying this is.",
        "That's frustrating, especially after a long flight.",
        "This isn't the experience we want you to have.",
        "I can only imagine how stressful that was.",
    ],
)
def test_acknowledgement_is_recognised_in_its_paraphrases(acknowledgement: str) -> None:
    assert codes(found("Thanks for telling us. " + acknowledgement), FindingCode.NO_ACKNOWLEDGEMENT) == []


# --- blame_or_curt ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Thanks. As I already said, sorry, the refund is on its way.", "As I already said"),
        ("Sorry, but please calm down and we'll help.", "calm down"),
        ("Thanks, but that's not our problem, sorry.", "that's not our problem"),
        ("Sorry, but you should have read the booking conditions. Thanks.", "you should have read"),
        ("Sorry, please read the terms before booking. Thanks.", "read the terms"),
        ("Thanks. Per my last message, sorry, the bag is in Paris.", "Per my last message"),
        ("Thanks for waiting, sorry!! It's fixed.", "!!"),
        ("Thanks, sorry, we will NEVER lose a bag again.", "NEVER"),
        ("Thanks, sorry, PLEASE READ the email we sent.", "PLEASE READ"),
    ],
)
def test_blaming_or_curt_wording_warns_with_the_span_of_the_phrase(text: str, phrase: str) -> None:
    findings = codes(found(text), FindingCode.BLAME_OR_CURT)

    assert [(f.severity, spanned(text, f)) for f in findings] == [(Severity.WARN, phrase)]
    assert not blocks(findings)


def test_a_reply_all_in_capitals_is_one_finding_over_the_whole_text() -> None:
    text = "THANKS FOR WAITING, SORRY, WE ARE ON IT"
    (finding,) = codes(found(text), FindingCode.BLAME_OR_CURT)
    assert (finding.start, finding.end) == (0, len(text))


def test_acronyms_flight_numbers_and_the_customers_name_are_not_shouting() -> None:
    text = "Thanks JOANNA, sorry about LK201. Our FAQ and the TSA page explain it; DM us anytime."
    assert codes(found(text, customer_name="JOANNA"), FindingCode.BLAME_OR_CURT) == []


def test_help_that_reads_like_blame_is_not_flagged() -> None:
    text = (
        "Thanks, and sorry. You should have received an email with the new times; it's our job to fix this."
    )
    assert codes(found(text), FindingCode.BLAME_OR_CURT) == []


# --- move_private -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "ask"),
    [
        ("Could you share your booking reference so we can check?", "share your booking reference"),
        ("What's your email address? We'll send the form.", "What's your email address"),
        ("Please reply with your full name and phone number.", "reply with your full name"),
        ("Let us know the card number you paid with.", "Let us know the card number"),
    ],
)
def test_asking_for_details_in_public_warns_to_move_private(reply: str, ask: str) -> None:
    text = POLITE + reply
    findings = codes(found(text, needs_account_details=True), FindingCode.MOVE_PRIVATE)

    assert [(f.severity, spanned(text, f)) for f in findings] == [(Severity.WARN, ask)]
    assert "direct message" in findings[0].message


def test_asking_for_details_by_direct_message_or_in_private_is_fine() -> None:
    dm = POLITE + "Please send us a DM with your booking reference so we can check."
    assert codes(found(dm, needs_account_details=True), FindingCode.MOVE_PRIVATE) == []

    ask = POLITE + "Could you share your booking reference?"
    private = found(ask, needs_account_details=True, visibility=Visibility.PRIVATE)
    assert codes(private, FindingCode.MOVE_PRIVATE) == []


def test_a_case_that_needs_account_details_gets_a_hint_to_invite_a_dm() -> None:
    text = POLITE + "We're looking into your refund now."
    (hint,) = codes(found(text, needs_account_details=True), FindingCode.MOVE_PRIVATE)
    assert hint.severity is Severity.INFO
    assert codes(found(text), FindingCode.MOVE_PRIVATE) == []


def test_which_cases_need_account_details() -> None:
    assert case_needs_account_details(category="Refunds", intent="complaint")
    assert case_needs_account_details(category="Flight Booking Problems")
    assert case_needs_account_details(signals=["private_channel"])
    assert not case_needs_account_details(
        category="Inflight Wifi", intent="complaint", signals=["churn_threat"]
    )
    assert case_needs_account_details(category="Damaged Luggage")
    assert not case_needs_account_details(category="Border Control Queues")  # "order" only as a word


# --- good replies -----------------------------------------------------------------------------

GOOD_REPLIES = (
    (
        "complaint",
        "Hi Maria, thanks for reaching out, and we're so sorry your flight was cancelled. Refunds for "
        "cancelled flights are processed within 7 days. Could you send us a DM with your booking "
        "reference so we can check on yours? ^JT",
    ),
    (
        "complaint",
        "Thanks for letting us know, Tom. We're sorry your bag didn't make it to Lisbon with you. Our "
        "baggage team is tracing it now; please DM us your file reference and we'll keep you posted.",
    ),
    (
        "complaint",
        "We completely understand how frustrating a two-hour delay is, and we're sorry. Thanks for "
        "bearing with us while the crew completes the safety checks.",
    ),
    (
        "praise",
        "Thank you for the kind words about our cabin crew on LK318! We'll make sure Anna and the team "
        "hear about it. Have a wonderful holiday.",
    ),
    (
        "complaint",
        "Sorry to hear the app logged you out at check-in, Priya. Thanks for flagging it: our digital "
        "team is on it. If you DM us, we can check you in from here.",
    ),
    (
        "complaint",
        "Thanks for your patience, and apologies for the long queue at the transfer desk this morning. "
        "We've added staff for the rest of the day.",
    ),
    (
        "complaint",
        "We're sorry the wifi didn't work on your flight. Thanks for telling us. We've passed it to our "
        "engineers, and we'd like to make it right: please DM us.",
    ),
    (
        "complaint",
        "Thanks for getting in touch, Luis. I'm sorry your seat didn't recline; that's not the comfort "
        "we want for you. I've reported seat 23C so it's fixed before the next flight.",
    ),
    (
        "complaint",
        "Thank you for reaching out. We understand the wait for your refund has been disappointing. "
        "Could you send us a private message with your booking reference? We'll check on it right away.",
    ),
    (
        "question",
        "Hi Sam, thanks for asking! Yes, you can bring a stroller to the gate at no charge. Have a great flight.",
    ),
    (
        "complaint",
        "We're really sorry about the mix-up with your meal, Dana, and thanks for letting us know. I've "
        "passed it to our catering team so it doesn't happen again.",
    ),
    (
        "complaint",
        "Thanks for your message. We apologise that your flight was moved. You can rebook for free on "
        "any flight in the next 7 days in the app, or DM us and we'll do it for you.",
    ),
    (
        "complaint",
        "Sorry you were left waiting at the gate without an update, that shouldn't have happened. "
        "Thanks for raising it; we're reviewing how we keep passengers informed.",
    ),
    (
        "praise",
        "Thank you, Grace! We're delighted you enjoyed the new lounge in Dublin. See you on board soon.",
    ),
    (
        "complaint",
        "Thanks for flagging this. We're sorry for the confusion about baggage allowance: economy fares "
        "include one 23kg checked bag. Happy to help further by DM.",
    ),
    (
        "complaint",
        "Many thanks for your patience. We understand how stressful a missed connection is. Our team in "
        "Frankfurt has rebooked you on the 18:40 and sent the details by email.",
    ),
    (
        "complaint",
        "We're sorry your Larkspur Miles haven't posted yet, Omar, thanks for telling us. They can take "
        "up to 14 days to appear. If they're still missing after that, send us a DM.",
    ),
    (
        "complaint",
        "Thanks for reaching out, Mei. We apologise for the rough landing; it's never pleasant. The "
        "crew reported it and our safety team reviews every such report.",
    ),
    (
        "complaint",
        "I'm sorry you had a rude experience at the check-in desk, and thank you for telling us. That "
        "isn't how we treat our customers. Could you DM us the time and airport so we can follow up?",
    ),
    (
        "question",
        "Thanks for checking with us! Our Denver flights resume by Friday, rebooking is free and the "
        "10% change fee is waived. We're sorry for the disruption.",
    ),
)


@pytest.mark.parametrize(("intent", "text"), GOOD_REPLIES)
def test_good_polite_care_replies_raise_no_warning(intent: str, text: str) -> None:
    findings = found(
        text,
        channel="x" if len(text) <= 280 else "facebook",
        intent=intent,
        needs_account_details=True,
        talking_points=(REFUNDS, STORM),
    )
    assert [f for f in findings if f.severity is not Severity.INFO] == []


def test_findings_come_blocking_first_then_by_position() -> None:
    text = "As I already said, email sam@example.com!! Refunds take two weeks."
    findings = found(text, talking_points=(STORM, REFUNDS))
    order = [(f.severity, f.start) for f in findings]

    assert order == sorted(order, key=lambda pair: ({"block": 0, "warn": 1, "info": 2}[pair[0]], pair[1]))
    assert findings[0].severity is Severity.BLOCK
    assert findings[0].to_data()["code"] in {"pii_public", "contradicts_talking_point"}


def test_an_empty_draft_has_nothing_missing_yet() -> None:
    assert found("   ") == []


def test_another_cases_number_warns_and_this_cases_does_not() -> None:
    text = POLITE + "I've checked the payment under #19 and your case #25 is with billing."
    findings = [f for f in found(text, case_reference="#25") if f.code is FindingCode.OTHER_CASE]
    assert [(text[f.start : f.end], f.severity) for f in findings] == [("#19", Severity.WARN)]
    assert "this one is #25" in findings[0].message
    assert not blocks(findings)
    quiet = (
        POLITE + "Your case #25 is with billing; order #48213 ships today from the #1 airline. #1inService"
    )
    assert not [f for f in found(quiet, case_reference="#25") if f.code is FindingCode.OTHER_CASE]
