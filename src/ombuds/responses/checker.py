"""The reply checker: what in a draft reply PR would not sign, each finding with its reason and span.

Runs on every keystroke in the composer and again on send, so it is pure and linear in the reply's
length: regular expressions over the text and the talking points' figures, read once per
statement. ``check_reply`` answers the findings, blocking ones first; ``blocks`` says whether a
send must stop. The codes and their examples are listed in docs/replies.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ombuds.enrichment.analyzers.pii import find_pii
from ombuds.mentions.values import channel_name
from ombuds.responses import phrases
from ombuds.responses.quantities import Quantity, extract_quantities
from ombuds.responses.values import (
    FindingCode,
    ReplyDraft,
    ReplyFinding,
    Severity,
    TalkingPoint,
    Visibility,
)

SEVERITY_ORDER = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2}
PII_NAMES = {
    "email": "an email address",
    "card_number": "a card number",
    "bank_account": "a bank account number",
    "national_id": "a social security number",
    "phone": "a phone number",
    "reference": "a booking or account reference",
    "street_address": "a street address",
}
#: intents whose replies need no "sorry": nothing went wrong
CONTENT_INTENTS = frozenset({"praise"})
#: more than this share of capital letters (in a reply of some length) is shouting throughout
SHOUTING_SHARE = 0.6
SHOUTING_MIN_LETTERS = 12


def check_reply(draft: ReplyDraft) -> list[ReplyFinding]:
    """Every finding for the draft: blocking ones first, then warnings, then hints, each by position."""
    findings = [
        *_pii_public(draft),
        *_contradictions(draft),
        *_too_long(draft),
        *_blame_or_curt(draft),
        *_move_private(draft),
        *_missing_courtesies(draft),
        *_other_case(draft),
    ]
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.start, f.end, f.code))


def blocks(findings: Iterable[ReplyFinding]) -> bool:
    """Whether any finding stops the reply from being sent."""
    return any(finding.severity is Severity.BLOCK for finding in findings)


def _pii_public(draft: ReplyDraft) -> Iterator[ReplyFinding]:
    if draft.visibility is not Visibility.PUBLIC:
        return
    # The case's reference and the brand's own helpline or address name no customer.
    own = {_comparable(value) for value in (draft.case_reference or "", *draft.brand_contacts)} - {""}
    for span in find_pii(draft.text):
        if _comparable(draft.text[span.start : span.end]) in own:
            continue
        # The message names the kind only: findings are logged and must not spread the value.
        yield ReplyFinding(
            FindingCode.PII_PUBLIC,
            Severity.BLOCK,
            f"{PII_NAMES.get(span.kind, 'personal data').capitalize()} in a public reply: "
            "remove it, or send it in a private message",
            span.start,
            span.end,
        )


def _comparable(value: str) -> str:
    """A value as written in any spacing or case: "0800 123-4567" is "08001234567"."""
    return re.sub(r"[\W_]+", "", value).lower()


#: a case number as replies name one ("case #19", "Ref #19", "under #19"), not an order's ("order
# 48213"), a rank ("the #1 airline") or a hashtag's digits ("#flight19")
CASE_REFERENCE = re.compile(
    r"\b(?:case|ref|reference|ticket|under)\.?\s*(?:no\.?\s*)?(?P<number>#\d+)\b", re.IGNORECASE
)


def _other_case(draft: ReplyDraft) -> Iterator[ReplyFinding]:
    """A case number that is not this case's: most often copied with a past reply's words."""
    if not draft.case_reference:
        return
    for match in CASE_REFERENCE.finditer(draft.text):
        number = match["number"]
        if number != draft.case_reference:
            yield ReplyFinding(
                FindingCode.OTHER_CASE,
                Severity.WARN,
                f"{number} is another case's number (this one is {draft.case_reference}): "
                "check the reply is about this customer's case",
                match.start("number"),
                match.end("number"),
            )


def _contradictions(draft: ReplyDraft) -> Iterator[ReplyFinding]:
    said = extract_quantities(draft.text)
    if not said:
        return
    for point in draft.talking_points:
        stated = extract_quantities(point.text)
        for quantity in said:
            differing = _differing_figure(quantity, stated)
            if differing is not None:
                yield _contradiction(point, quantity, differing)


def _differing_figure(quantity: Quantity, stated: list[Quantity]) -> Quantity | None:
    """The statement's figure that the reply's figure disagrees with, or None when they agree.

    Only figures of the same kind and unit compare (an amount in dollars with one in dollars, a
    duration with a duration), and a statement's figure about a subject (refund, bag, voucher, ...)
    only with a figure about the same subject: "your bag arrives in 2 days" does not contradict
    "refunds take 7 days", nor does "we board in 30 minutes".
    """
    subjects = _subjects(quantity)
    candidates = [
        figure
        for figure in stated
        if figure.key == quantity.key and (not _subjects(figure) or _subjects(figure) & subjects)
    ]
    if not candidates or any(quantity.within(figure) for figure in candidates):
        return None
    return candidates[0]


def _subjects(quantity: Quantity) -> frozenset[str]:
    """What the figure's clause is about; where it names nothing ("They take 14 days"), the clauses before."""
    for words in (quantity.context, *quantity.earlier):
        subjects = frozenset(phrases.SUBJECTS[word] for word in words if word in phrases.SUBJECTS)
        if subjects:
            return subjects
    return frozenset()


def _contradiction(point: TalkingPoint, said: Quantity, stated: Quantity) -> ReplyFinding:
    statement = " ".join(point.text.split())
    if len(statement) > 200:
        statement = statement[:199] + "…"
    severity = Severity.BLOCK if point.is_incident_active else Severity.WARN
    why = " While its incident is active, replies must say what it says." if point.is_incident_active else ""
    return ReplyFinding(
        FindingCode.CONTRADICTS_TALKING_POINT,
        severity,
        f'The reply says "{said.text}" where the {point.label} says "{stated.text}": "{statement}".{why}',
        said.start,
        said.end,
    )


def _too_long(draft: ReplyDraft) -> Iterator[ReplyFinding]:
    limit = draft.limit
    length = len(draft.text)
    if limit is None or length <= limit:
        return
    where = (
        f"a {draft.visibility} reply on {channel_name(draft.channel)}"
        if draft.length_limit is None
        else "this reply"
    )
    yield ReplyFinding(
        FindingCode.TOO_LONG,
        Severity.BLOCK,
        f"{length} characters where {where} takes {limit}: shorten it by {length - limit}",
        limit,
        length,
    )


def _blame_or_curt(draft: ReplyDraft) -> Iterator[ReplyFinding]:
    for match in phrases.BLAME_OR_CURT.finditer(draft.text):
        phrase = match.group(0)
        if phrase.strip("!?") == "":
            message = f'"{phrase}" reads as shouting: one exclamation mark at most'
        else:
            message = f'"{phrase}" reads as blaming or curt: say what you will do for the customer instead'
        yield ReplyFinding(FindingCode.BLAME_OR_CURT, Severity.WARN, message, match.start(), match.end())
    yield from _shouting(draft)


def _shouting(draft: ReplyDraft) -> Iterator[ReplyFinding]:
    text = draft.text
    letters = [char for char in text if char.isalpha()]
    upper = sum(char.isupper() for char in letters)
    if len(letters) >= SHOUTING_MIN_LETTERS and upper > SHOUTING_SHARE * len(letters):
        yield ReplyFinding(
            FindingCode.BLAME_OR_CURT,
            Severity.WARN,
            "The reply is written in capitals, which reads as shouting",
            0,
            len(text),
        )
        return
    names = {word.upper() for word in (draft.customer_name or "").split()}
    run: list[tuple[int, int]] = []
    for match in phrases.CAPS_WORD.finditer(text):
        word = match.group(0)
        if word in phrases.ACRONYMS or word in names:
            continue
        if run and any(char.isalpha() for char in text[run[-1][1] : match.start()]):
            yield from _shouting_run(text, run)
            run = []
        run.append(match.span())
    yield from _shouting_run(text, run)


def _shouting_run(text: str, run: list[tuple[int, int]]) -> Iterator[ReplyFinding]:
    """Two capitalised words in a row, or one of five letters or more, is shouting."""
    lengths = [end - start for start, end in run]
    if (len(run) >= 2 and max(lengths) >= 3) or (run and max(lengths) >= 5):
        start, end = run[0][0], run[-1][1]
        yield ReplyFinding(
            FindingCode.BLAME_OR_CURT,
            Severity.WARN,
            f'"{text[start:end]}" in capitals reads as shouting',
            start,
            end,
        )


def _move_private(draft: ReplyDraft) -> Iterator[ReplyFinding]:
    if draft.visibility is not Visibility.PUBLIC or phrases.PRIVATE_CHANNEL.search(draft.text):
        return
    asked = False
    for match in phrases.DETAILS_REQUEST.finditer(draft.text):
        asked = True
        yield ReplyFinding(
            FindingCode.MOVE_PRIVATE,
            Severity.WARN,
            f'"{match.group(0)}" asks for personal details in public: ask the customer to send them '
            "by direct message or email instead",
            match.start(),
            match.end(),
        )
    if not asked and draft.needs_account_details and draft.text.strip():
        yield ReplyFinding(
            FindingCode.MOVE_PRIVATE,
            Severity.INFO,
            "This case needs the customer's booking or account details: invite them to continue "
            "by direct message",
            0,
            0,
        )


def _missing_courtesies(draft: ReplyDraft) -> Iterator[ReplyFinding]:
    if not draft.text.strip():
        return  # nothing typed yet: nothing is missing
    if not phrases.THANKS.search(draft.text):
        yield ReplyFinding(
            FindingCode.NO_THANKS,
            Severity.INFO,
            "The reply does not thank the customer for raising it (or for their patience)",
            0,
            0,
        )
    if not phrases.ACKNOWLEDGEMENT.search(draft.text):
        # A public answer to a complaint is read by everyone; elsewhere it is only a hint.
        complaint = draft.intent is None or draft.intent == "complaint"
        if draft.intent in CONTENT_INTENTS:
            return
        severity = Severity.WARN if complaint and draft.visibility is Visibility.PUBLIC else Severity.INFO
        yield ReplyFinding(
            FindingCode.NO_ACKNOWLEDGEMENT,
            severity,
            "The reply does not acknowledge the problem or how the customer feels: say sorry, or that "
            "you understand, before the fix",
            0,
            0,
        )
