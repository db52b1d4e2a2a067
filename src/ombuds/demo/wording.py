"""What the demo airline's PR and care teams have written: statements, templates, news and replies.

Pure data. Replies use the composer's variables ({customer_name}, {case_ref}); every figure a
reply gives agrees with the talking point on the same topic, so the checker lets it through.
"""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.responses.wording.models import NewsKind

HOLDING_TITLE = "Holding statement: the #SlowDownWithLarkspur post"
HOLDING_STATEMENT = (
    "We got this one wrong. Our post joked about waiting at the airport while many of you were "
    "stuck at one, and we have taken it down. We're sorry. Our teams are working to get every "
    "delayed customer moving, and we'll share updates here."
)


@dataclass(frozen=True)
class TopicPoint:
    title: str
    text: str
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


TOPIC_POINTS = (
    TopicPoint(
        "Refunds",
        "Refunds for cancelled flights go back to the original card within 7 business days of the "
        "request. If it has been longer, we check the refund by hand and confirm it by DM.",
        keywords=("refund", "refunded", "charged twice", "double charged", "change fee"),
    ),
    TopicPoint(
        "Delayed and damaged bags",
        "Most delayed bags reach their owners within 48 hours. We deliver them to your address "
        "free of charge, and you can claim reasonable essentials while you wait; damaged bags "
        "are repaired or replaced.",
        categories=("Lost Luggage", "Damaged Luggage"),
        keywords=("bag", "luggage", "suitcase"),
    ),
    TopicPoint(
        "Cancellations and rebooking",
        "When we cancel a flight, we rebook you on the next available flight at no cost, or "
        "refund the ticket if you prefer not to travel; hotel and meal vouchers cover overnight "
        "waits.",
        categories=("Cancelled Flight",),
        keywords=("cancelled", "rebook", "rebooked"),
    ),
)


@dataclass(frozen=True)
class DemoTemplate:
    name: str
    body: str
    #: per channel: a short public one for X, a longer one for email
    variants: dict[str, str]
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


TEMPLATES = (
    DemoTemplate(
        "Sorry for the delay",
        "Hi {customer_name}, thank you for telling us, and we're sorry your flight ran late. "
        "We're looking into it under {case_ref} and will update you shortly. {agent_name}",
        variants={
            "x": "Hi {customer_name}, thanks for flagging this and sorry for the wait. "
            "We're on it ({case_ref}) and will update you here shortly. {agent_name}",
            "email": "Dear {customer_name},\n\nThank you for writing to us, and I'm sorry your "
            "flight did not leave on time. I have opened {case_ref} and I'm checking what "
            "happened and what we owe you for the delay.\n\nI'll write again as soon as I have "
            "an answer, and within one working day at the latest.\n\nKind regards,\n{agent_name}\n"
            "Larkspur Air Customer Care",
        },
        categories=("Late Flight",),
        keywords=("delay", "delayed"),
    ),
    DemoTemplate(
        "Move to DM",
        "Thanks for reaching out, {customer_name}, and sorry for the trouble. Please send us a DM "
        "with your booking reference so we can look at your booking. {agent_name}",
        variants={
            "x": "Thanks for reaching out, {customer_name}, and sorry for the trouble. Please DM us "
            "your booking reference and we'll take it from there. {agent_name}",
        },
        keywords=("booking", "charged"),
    ),
    DemoTemplate(
        "Bag still missing",
        "Hi {customer_name}, thank you for your patience, and I'm sorry your bag hasn't reached "
        "you yet. I've added a note to your file under {case_ref}. {agent_name}",
        variants={
            "x": "Hi {customer_name}, sorry your bag hasn't reached you yet, and thanks for your "
            "patience. Please DM us your file number and we'll chase it. {agent_name}",
            "email": "Dear {customer_name},\n\nThank you for your patience, and I'm sorry your "
            "bag has not reached you yet. I have asked the baggage team at your arrival airport "
            "to trace it under {case_ref}; most delayed bags reach their owners within 48 hours, "
            "and we deliver them to your address free of charge.\n\nKeep the receipts for "
            "essentials you buy while you wait: we refund reasonable costs.\n\nKind regards,\n"
            "{agent_name}\nLarkspur Air Baggage Services",
        },
        categories=("Lost Luggage", "Damaged Luggage"),
        keywords=("bag", "luggage"),
    ),
    DemoTemplate(
        "Refund on its way",
        "Hi {customer_name}, thank you for your patience. Your refund is on its way and should "
        "reach the original card within 7 business days. {agent_name}",
        variants={
            "x": "Thanks for your patience, {customer_name}. Your refund is on its way: it reaches "
            "the original card within 7 business days. {agent_name}",
            "email": "Dear {customer_name},\n\nThank you for your patience, and I'm sorry it took "
            "us this long. I have checked your refund under {case_ref}: it has been issued and "
            "should reach the original card within 7 business days.\n\nIf it has not arrived by "
            "then, reply to this email and I will chase it personally.\n\nKind regards,\n"
            "{agent_name}\nLarkspur Air Refunds & Billing",
        },
        keywords=("refund",),
    ),
    DemoTemplate(
        "Thanks for the kind words",
        "Thank you so much, {customer_name}! We'll pass this on to the crew; it will make their "
        "day. {agent_name}",
        variants={
            "x": "Thank you so much, {customer_name}! We'll pass this on to the crew. {agent_name}",
        },
        keywords=("thank you", "thanks", "crew"),
    ),
)


@dataclass(frozen=True)
class DemoNews:
    kind: NewsKind
    title: str
    body: str
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    may_share: bool = True
    #: how many hours from the demo's "now" the item stops being shown (None: it stays)
    hours_left: int | None = None


NEWS = (
    DemoNews(
        NewsKind.LAUNCH,
        "Bag tracking in the app",
        "Since Monday the Larkspur app shows where a checked bag is, scan by scan. Customers "
        "asking after a bag can follow it there.",
        categories=("Lost Luggage",),
        keywords=("bag", "luggage", "tracker", "app"),
    ),
    DemoNews(
        NewsKind.OUTAGE,
        "App check-in down for some Android users",
        "Check-in in the Android app fails at the payment step for some users since this "
        "morning; a fix ships tonight. Web check-in and airport kiosks work.",
        categories=("Flight Booking Problems",),
        keywords=("app", "check in", "crashes", "website"),
        may_share=True,
        hours_left=18,
    ),
    DemoNews(
        NewsKind.GOOD_NEWS,
        "Voted best regional airline for legroom",
        "Larkspur Air won the Travellers' Choice award for the most legroom in economy this "
        "year. Reps may share it with customers who praise the cabin.",
        keywords=("legroom", "seat", "crew"),
    ),
)

#: Public acknowledgement and private reply by the kind of problem, then the public close.
ANSWERS = {
    "bag": (
        "Hi {customer_name}, thank you for telling us, and we're sorry about your bag. We've sent "
        "you a DM so we can trace it with you. ^AL",
        "Hi {customer_name}, thanks for your patience. I've traced your bag under {case_ref}: it "
        "was left behind at the connection and goes out on this evening's flight. We'll deliver it "
        "to your address free of charge, and most delayed bags reach their owners within 48 "
        "hours. Keep receipts for essentials and send them here; we refund reasonable costs. ^AL",
        "Glad we could get your bag back to you, {customer_name}. Thanks for bearing with us! ^AL",
    ),
    "refund": (
        "Thanks for raising this, {customer_name}, and we're sorry it's taken so long. We've sent "
        "you a DM to sort out the refund. ^PD",
        "Hi {customer_name}, I'm sorry for the wait, and thank you for bearing with us. I've "
        "checked the payment under {case_ref}: the refund has been issued and reaches the original "
        "card within 7 business days. If it hasn't arrived by then, reply here and I'll chase it "
        "myself. ^PD",
        "Glad we could sort this out, {customer_name}. Thanks for your patience with us. ^PD",
    ),
    "disruption": (
        "Hi {customer_name}, thank you for letting us know, and we're sorry for the disruption to "
        "your trip. We've sent you a DM to help. ^SR",
        "Hi {customer_name}, thanks for waiting. I understand how frustrating this was. Under "
        "{case_ref} I've rebooked you on the next available flight at no cost, and added a meal "
        "voucher to your booking for the wait. You'll get the new boarding pass by email. ^SR",
        "Glad we could get you on your way, {customer_name}. Have a good flight! ^SR",
    ),
    "service": (
        "Hi {customer_name}, thank you for telling us, and we're sorry. That isn't how we want "
        "anyone treated. We've sent you a DM so we can hear the details. ^JT",
        "Hi {customer_name}, thank you for taking the time to explain. I'm sorry for how you were "
        "treated. I've shared your account with the station manager under {case_ref}, who will "
        "speak to the team, and added 2,000 Larkspur Miles to your account as an apology. ^JT",
        "Thanks again for telling us, {customer_name}. Glad we could put this right. ^JT",
    ),
}

#: First public answers on cases still open (by the kind of problem).
FIRST_RESPONSES = {
    "bag": "Hi {customer_name}, thanks for your patience, and sorry your bag hasn't reached you. "
    "Please DM us your file number and we'll chase it today. ^MK",
    "refund": "Thanks for flagging this, {customer_name}, and sorry for the wait. Please DM us your "
    "booking reference and we'll check the refund. ^MK",
    "disruption": "Hi {customer_name}, thank you for telling us, and sorry for the disruption. We're "
    "looking into it now and will update you here shortly. ^MK",
    "service": "Hi {customer_name}, thank you for letting us know, and we're sorry. We're looking "
    "into it and will come back to you today. ^MK",
}

JOURNALIST_REPLY = (
    "Hi {customer_name}, thank you for raising this, and we're sorry for the hours on board LK212. "
    "We're reviewing what happened with the crew and will share a full statement with you today. ^AA"
)
STORM_ANSWER = "Hi {customer_name}, thank you for telling us. " + HOLDING_STATEMENT
STORM_REPLY = "Hi {customer_name}, it was a joke, lighten up! We're doing our best with the weather."
STORM_REJECTION = (
    "Too flippant while the post is still drawing fire. Use the holding statement on the banner: "
    "apologise and say we took the post down."
)
CREDIT_REASON = "Refund delayed well past 7 business days; goodwill credit agreed with the customer"
BIG_CREDIT_REASON = "Missed a connection and a paid hotel night after our cancellation"
