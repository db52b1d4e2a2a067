"""The wording the reply checker looks for: thanks, acknowledgement, curt phrases, requests for details.

Each list is a handful of patterns that cover the paraphrases care replies use; all match
case-insensitively on word boundaries, so "thanks" is found in "Thanks!" and not in "Thanksgiving".
Written lower-case; compiled once. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def _compile(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


#: thanking the customer for raising it, for their patience, for getting in touch
THANKS = _compile(
    (
        r"\b(?:many |big |huge )?thanks?(?: (?:so much|a lot|a million))?\b(?!giving)",
        r"\bthank(?:s|ing)? (?:you|u|ya)\b",
        r"\b(?:thx|thnx|tks|ty)\b",
        r"\bthankful\b",
        r"\b(?:appreciate|appreciated|grateful)\b",
        r"\bfor (?:reaching out|getting in touch|letting us know|flagging|raising|bringing (?:this|it) to|"
        r"your (?:patience|feedback|message|understanding|kind words|post|review))\b",
        r"\bglad (?:you|u) (?:got in touch|reached out|told us|let us know)\b",
    )
)

#: saying sorry, or showing the problem and the customer's feelings were heard
ACKNOWLEDGEMENT = _compile(
    (
        r"\bsorry\b",
        r"\bapolog(?:y|ies|i[sz]e|i[sz]ing|i[sz]ed)\b",
        r"\b(?:we|i) regret\b|\bregrettabl[ey]\b",
        r"\bunderstand(?:able|ably|s)?\b",
        r"\bfrustrat(?:ing|ion|ed)\b",
        r"\bdisappoint(?:ing|ed|ment)\b",
        r"\binconvenien(?:ce|t)\b",
        r"\b(?:upsetting|annoying|stressful|worrying|exhausting|unacceptable|hassle)\b",
        r"\b(?:not|isn't|wasn't) (?:the (?:experience|service|journey)|what (?:you|we)|good enough|okay|ok|acceptable)\b",
        r"\b(?:must (?:be|have been)|can imagine|can only imagine)\b",
        r"\b(?:let (?:you|u) down|fell short|fallen short|shouldn'?t have (?:happened|been))\b",
        r"\b(?:we hear you|you'?re right|fair point|you have every right|hear (?:about|that))\b",
        r"\b(?:what a (?:pain|nightmare|hassle|mess)|that'?s (?:awful|terrible|not right))\b",
        r"\b(?:glad|happy|delighted|thrilled|love) (?:to hear|you|that)\b",  # praise gets joy, not sorrow
    )
)

#: phrases that blame the customer, dismiss them, or talk down to them
BLAME_OR_CURT = _compile(
    (
        r"\b(?:as|like) (?:i|we)(?:'ve| have)? (?:already |previously |clearly )?(?:said|stated|mentioned|explained|told (?:you|u))\b",
        r"\bas (?:previously|already) (?:said|stated|mentioned|explained)\b",
        r"\b(?:i|we)(?:'ve| have)? already (?:told|explained|answered|said)\b",
        r"\bper my (?:last|previous)(?: (?:message|reply|email|e-mail|tweet|dm|post))?\b",
        r"\bfor the (?:last|second|third|fourth|fifth|hundredth|umpteenth|nth) time\b",
        r"\b(?:calm down|chill out|take a (?:deep )?breath|no need to (?:shout|yell|be rude|get upset))\b",
        r"\b(?:(?:that|this|it)(?:'s| is) not|(?:that|this|it) isn'?t|not) (?:our|my) "
        r"(?:problem|fault|issue|responsibility|concern|job)\b",
        r"\b(?:your|ur) (?:own )?fault\b|\byou(?:'re| are) (?:wrong|mistaken|confused)\b",
        # "you should have received an email" is help; "you should have read the terms" is blame
        r"\byou (?:should|could|must)(?:'ve| have) (?:read|checked|booked|known|arrived|called|looked|paid|"
        r"asked|listened|followed|bought|noticed|seen|realised|realized|taken|thought|planned)\b",
        r"\byou (?:failed|forgot|neglected|didn'?t bother) to\b",
        r"\b(?:if you had|had you) (?:read|checked|bothered)\b",
        r"\b(?:read|check) the (?:terms|t ?& ?cs?|fine print|small print)\b",
        r"\b(?:as|it'?s|it is|this is) (?:clearly |plainly )?(?:stated|written|explained) in (?:the|our) (?:terms|t ?& ?cs?|policy|conditions)\b",
        r"\b(?:deal with it|take it or leave it|not (?:my|our) department|user error)\b",
        r"\bif you don'?t like it\b|\b(?:fly|go|shop|take your business) elsewhere\b",
        r"\bstop (?:complaining|whining|spamming|tagging|shouting)\b",
        r"\b(?:with all due respect|no offen[cs]e)\b",
        r"!{2,}|[!?]{3,}",
    )
)

#: a whole word written in capitals; a run of these, or a long one, is shouting
CAPS_WORD = re.compile(r"\b[A-Z]{2,}\b")
#: capitals that are names, not shouting
ACRONYMS = frozenset(
    [
        "ASAP",
        "ATM",
        "COVID",
        "CEO",
        "DM",
        "DMS",
        "EU",
        "EUR",
        "FAQ",
        "FAQS",
        "GBP",
        "GDPR",
        "IATA",
        "ID",
        "IT",
        "OK",
        "PIN",
        "PM",
        "PNR",
        "SMS",
        "TSA",
        "UK",
        "US",
        "USA",
        "USD",
        "WIFI",
        "ETA",
        "ESTA",
    ]
)

_DETAIL = (
    r"(?:booking|confirmation|reservation|order|ticket|claim|case) ?(?:reference|ref|number|no\.?|code|id|#|details)"
    r"|pnr|record locator|(?:credit |debit |bank )?card(?: number| details| no\.?)?|cvv|cvc|security code"
    r"|e-?mail(?: address)?|(?:phone|mobile|cell|telephone|contact) (?:number|no\.?)|phone"
    r"|(?:home |postal |mailing |street |full )?address|post ?code|zip(?: code)?"
    r"|account (?:number|details|id|name|login)|(?:member(?:ship)?|loyalty|frequent flyer|miles) (?:number|id)"
    r"|passport(?: number| details)?|date of birth|dob|full name|bank details|iban|sort code|password|pin"
    r"|personal details|contact details|payment details"
)
#: asking for the customer's details: "send us your booking ref", "what's your email?"
DETAILS_REQUEST = re.compile(
    r"\b(?:"
    r"(?:send|give|share|provide|post|tell|confirm|include|drop|pop|leave|reply with|tweet|comment)"
    r"(?: (?:us|me|over|across))?(?: with)?"
    r"|let (?:us|me) (?:know|have)|(?:can|could|may) (?:i|we) (?:get|have|take|grab)"
    r"|what(?:'s| is| was| are)"
    r")"
    rf" (?:your|ur|the)(?: [\w-]+){{0,2}}? (?:{_DETAIL})\b",
    re.IGNORECASE,
)

#: pointing the customer to a private channel: a DM, an email to the brand, a call, a form
PRIVATE_CHANNEL = _compile(
    (
        r"\b(?:dm|pm|message|email|e-mail|inbox|call|phone|ring|text) (?:us|me|our (?:team|desk))\b",
        r"\b(?:via|by|in|over|through|using|with) (?:a |an |our )?(?:dm|direct message|private message|pm|"
        r"e-?mail|phone|secure (?:form|link)|contact form|live chat|chat)\b",
        r"\bsend (?:us|me) (?:a |an )?(?:dm|direct message|private message|pm|message|e-?mail)\b",
        r"\b(?:direct|private) messages?\b|\bprivately\b|\bin private\b|\bdms?\b",
        r"\b(?:contact|secure|web) form\b|\bfollow(?:ed)? (?:you|u) (?:back )?so\b",
    )
)

#: what a figure is about, from the words of its sentence: a refund period and a bag's delivery time
#: are both durations, yet one does not contradict the other
SUBJECTS: dict[str, str] = {
    **dict.fromkeys(
        ("refund", "refunds", "refunded", "reimburse", "reimbursed", "reimbursement", "repayment"), "refund"
    ),
    **dict.fromkeys(
        ("voucher", "vouchers", "credit", "credits", "compensation", "goodwill", "coupon"), "voucher"
    ),
    **dict.fromkeys(("bag", "bags", "baggage", "luggage", "suitcase", "suitcases"), "bag"),
    **dict.fromkeys(
        ("flight", "flights", "departures", "service", "services", "schedule", "operations"), "flight"
    ),
    **dict.fromkeys(("discount", "discounts", "off", "sale"), "discount"),
    **dict.fromkeys(("fee", "fees", "charge", "charges", "surcharge", "fare", "fares", "price"), "fee"),
    **dict.fromkeys(("miles", "points"), "miles"),
    **dict.fromkeys(("claim", "claims"), "claim"),
}
