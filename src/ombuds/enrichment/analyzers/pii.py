"""Personal data in a message: where it is and the text with it masked.

Customers post card numbers, phone numbers and booking codes in public replies; agents and
viewers without the right role must see them masked, and exports must not spread them. The
finding stores kinds and offsets, never the values themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import ClassVar

from ombuds.enrichment.base import Finding, MentionFacts
from ombuds.enrichment.findings import PiiData, PiiSpan

VERSION = "rules-2026.12.6"

#: How people and their phones also write spaces, dashes, digits and ``@``: a card number grouped
#: with no-break spaces, a phone with a figure dash, an address with a full-width ``＠``. The
#: patterns read the text with each of these as its ASCII twin (one character for one, so the
#: spans found are the original text's).
_LOOKALIKES = str.maketrans(
    {
        **dict.fromkeys(("\u00a0", "\u2007", "\u202f", "\u3000", *map(chr, range(0x2000, 0x200B))), " "),
        **dict.fromkeys(("\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\uff0d"), "-"),
        **dict.fromkeys(("\uff20", "\ufe6b"), "@"),
        "\uff0e": ".",
        **{chr(0xFF10 + digit): str(digit) for digit in range(10)},
    }
)

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
_AT_MARK = r"\s*[(\[{<]\s*at\s*[)\]}>]\s*"
_DOT_MARK = r"\s*[(\[{<]\s*dot\s*[)\]}>]\s*"
_DOT_WORD = rf"(?:{_DOT_MARK}|\s+dot\s+)"
_DOT = rf"(?:{_DOT_WORD}|\.)"
#: An address written so that robots miss it: "jane(at)example(dot)com", "jane dot doe [at]
#: example.com", "jane.doe @ gmail.com", "jane@example dot com", "jane.doe at gmail dot com".
WRITTEN_EMAIL = re.compile(
    rf"\b(?P<name>[\w+-]+(?:{_DOT}[\w+-]+)*)(?P<at>{_AT_MARK}|\s*@\s*|\s+at\s+)"
    rf"(?P<domain>[\w-]+)(?:{_DOT}[\w-]+)*{_DOT}(?-i:[a-z]{{2,}}|[A-Z]{{2,}})\b",
    re.IGNORECASE,
)
SPELT_DOT = re.compile(_DOT_WORD, re.IGNORECASE)
MAILBOX_PROVIDERS = frozenset(
    [
        "aol",
        "btinternet",
        "comcast",
        "gmail",
        "gmx",
        "googlemail",
        "hotmail",
        "icloud",
        "live",
        "mail",
        "me",
        "msn",
        "outlook",
        "proton",
        "protonmail",
        "sky",
        "verizon",
        "web",
        "yahoo",
        "ymail",
        "zoho",
    ]
)
#: What every written address holds; the search above runs only on a text that has it.
WRITTEN_EMAIL_HINT = re.compile(
    rf"[(\[{{<]\s*at\s*[)\]}}>]|\sdot\s|[(\[{{<]\s*dot\s*[)\]}}>]|\s@\s|\sat\s+(?:{'|'.join(sorted(MAILBOX_PROVIDERS))})\b",
    re.IGNORECASE,
)
#: Groups of digits apart by spaces, dashes or dots ("4111.1111.1111.1111"); Luhn's check decides.
CARD = re.compile(r"(?<![\d.-])(?:\d[ .-]?){12,18}\d(?![\d-]|\.\d)")
#: The ways people write a phone number: grouped, with or without a country code
#: ("+1 (415) 555-0132", "020 7946 0958"), North American with the trunk prefix and one separator
#: throughout ("1-800-555-0199", "1.877.350.0038"; "1.28.100555" is a version), a British or Nigerian mobile
#: ("07700 900123"), French pairs ("06 12 34 56 78", "+33 6 12 34 56 78", one separator
#: throughout), a country code and the rest in one run ("+49 1708733216", "+380671277946"), or
#: ten or eleven digits alone ("call me 4155550142"). A lone run of digits longer than that (an
#: id in a link, a card) or inside a decimal or a longer group is left to the other patterns.
PHONE = re.compile(
    r"(?<![\w+])(?<!\d[ .-])(?:\+\d{1,3}[ .-]?|00\d{1,3}[ .-])?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]?\d{3,4}"
    r"(?!\w)(?![ .-]\d)"
    r"|(?<![\w+])(?<!\d[ .-])1(?P<trunk>[ .-])\d{3}(?P=trunk)\d{3}(?P=trunk)\d{4}(?!\w)(?![ .-]\d)"
    r"|(?<![\w+])(?<!\d[ .-])0\d{4}[ .-]?\d{6}(?!\w)(?![ .-]\d)"
    r"|(?<![\w+])(?<!\d[ .-])(?:\+\d{1,3}[ .-]?\d|0\d)(?P<pair>[ .-]?)\d{2}(?:(?P=pair)\d{2}){3}(?!\w)(?![ .-]\d)"
    r"|(?<![\w+])(?:\+\d{1,3}[ .-]?|00\d{1,3}[ .-])\d{6,12}(?!\w)(?![ .-]\d)"
    r"|(?<![\w+./#:=-])(?:\d{10}|[01]\d{10})(?![\w/-]|[.,]\d)"
)
#: A number without its area code as North Americans write it ("call 555-0142", "555 0142"):
#: three digits, a dash or a space, four (with a dot it is as often a statute, "MCL 600.2145"). Not part of a longer run ("12345-6789" is a ZIP code, "2019-2020" years).
LOCAL_PHONE = re.compile(r"(?<![\w+./#:=-])(?<!\d )\d{3}[- ]\d{4}(?![\w-]|[., ]\d)")
#: A full British postcode ("SW1A 1AA", "M1 1AE"): with a street it names a handful of homes.
#: The space is required: run together, the same shape is an aircraft's tail number ("N284WN").
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[ABD-HJLNP-UW-Z]{2}\b")
#: An international bank account number: a country, two check digits and up to thirty letters and
#: digits, often in groups of four ("GB82 WEST 1234 5698 7654 32"); ISO 13616's check decides.
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
#: A United States social security number as written ("123-45-6789"); numbers the SSA never
#: issues (area 000, 666 or 900-999, group 00, serial 0000) are left alone.
NATIONAL_ID = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
REFERENCE = re.compile(
    r"\b(?:booking|confirmation|conf|reservation|record locator|locator|pnr|reference|ref|order|"
    r"ticket|account|acct|member(?:ship)?|customer|case|claim|policy|loyalty)"
    r"(?:\s+(?:number|no\.?|num|code|id|#))?\s*(?:is|:|#|-)?\s*"
    r"(?P<value>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,19})\b",
    re.IGNORECASE,
)
#: A record locator of letters alone ("booking PXZREG"): the six capitals an airline's reservation
#: system gives, after a word for a booking. Capitals are required, so "booking online" is a word;
#: shouted six-letter words after such a word ("BOOKING SYSTEM") are masked too, the safe side.
LETTER_LOCATOR = re.compile(
    r"\b(?i:booking|confirmation|conf|reservation|record locator|locator|pnr|reference|ref)"
    r"(?:\s+(?i:number|no\.?|num|code|id|#))?\s*(?i:is|:|#|-)?\s*"
    r"(?P<value>[A-Z]{6})\b"
)
LETTER_RUN = re.compile(r"[A-Z]{6}")
STREET = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\.?\s+){1,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    r"Terrace|Parkway|Pkwy|Square|Sq|Highway|Hwy|Close|Crescent)\b\.?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Unit|#)\s*\w+)?"
)

DIGIT = re.compile(r"\d")
REFERENCE_WORD = re.compile(
    r"booking|confirmation|conf|reservation|locator|pnr|ref|order|ticket|account|acct|member|customer|"
    r"case|claim|policy|loyalty",
    re.IGNORECASE,
)
STREET_WORD = re.compile(
    r"\b(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|"
    r"Parkway|Pkwy|Square|Sq|Highway|Hwy|Close|Crescent)\b"
)
MASKS = {
    "email": "[email]",
    "card_number": "[card]",
    "bank_account": "[account]",
    "national_id": "[id]",
    "phone": "[phone]",
    "reference": "[reference]",
    "street_address": "[address]",
}


def luhn_valid(digits: str) -> bool:
    """The check every payment card number passes; weeds out order numbers and timestamps."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iban_valid(value: str) -> bool:
    """ISO 13616's check: the country and check digits moved to the end, letters as 10-35, the
    number modulo 97 is 1. Weeds out codes that merely look like one."""
    compact = value.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    number = "".join(str(int(char, 36)) for char in compact[4:] + compact[:4])
    return int(number) % 97 == 1


def whole_values(text: str, start: int, end: int) -> tuple[int, int]:
    """``start:end`` of ``text`` widened so that it cuts no personal data value in two: a piece
    shown or masked on its own ("janepii@example." of a sentence cut at the address's dot) would
    no longer read as the value it is part of."""
    for span in find_pii(text):
        if span.start < start < span.end:
            start = span.start
        if span.start < end < span.end:
            end = span.end
    return start, end


def find_pii(text: str) -> list[PiiSpan]:
    """Non-overlapping spans, earlier and more specific kinds first."""
    return _spans(text.translate(_LOOKALIKES))


def _spans(text: str) -> list[PiiSpan]:
    """``find_pii`` of a text whose look-alike characters are read as ASCII already."""
    spans: list[PiiSpan] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s.start or start >= s.end for s in spans)

    # Each pattern needs a minimum of digits or a marker word: skip the ones that cannot match.
    digit_count = len(DIGIT.findall(text))
    if "@" in text:
        spans.extend(PiiSpan("email", m.start(), m.end()) for m in EMAIL.finditer(text))
    if WRITTEN_EMAIL_HINT.search(text):
        spans.extend(span for span in _written_emails(text) if free(span.start, span.end))
    for match in IBAN.finditer(text) if digit_count >= 4 else ():
        if iban_valid(match.group(0)) and free(match.start(), match.end()):
            spans.append(PiiSpan("bank_account", match.start(), match.end()))
    for match in CARD.finditer(text) if digit_count >= 13 else ():
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and luhn_valid(digits) and free(match.start(), match.end()):
            spans.append(PiiSpan("card_number", match.start(), match.end()))
    for match in NATIONAL_ID.finditer(text) if digit_count >= 9 else ():
        if free(match.start(), match.end()):
            spans.append(PiiSpan("national_id", match.start(), match.end()))
    has_reference_word = REFERENCE_WORD.search(text) is not None
    for match in REFERENCE.finditer(text) if has_reference_word and digit_count >= 1 else ():
        start, end = match.span("value")
        if free(start, end) and not match.group("value").isalpha():
            spans.append(PiiSpan("reference", start, end))
    for match in LETTER_LOCATOR.finditer(text) if has_reference_word else ():
        start, end = match.span("value")
        if free(start, end):
            spans.append(PiiSpan("reference", start, end))
    for match in PHONE.finditer(text) if digit_count >= 9 else ():
        digits = re.sub(r"\D", "", match.group(0))
        if (
            9 <= len(digits) <= 15
            and free(match.start(), match.end())
            and not _looks_like_time(match.group(0))
        ):
            spans.append(PiiSpan("phone", match.start(), match.end()))
    for match in LOCAL_PHONE.finditer(text) if digit_count >= 7 else ():
        if free(match.start(), match.end()):
            spans.append(PiiSpan("phone", match.start(), match.end()))
    for match in STREET.finditer(text) if STREET_WORD.search(text) else ():
        if free(match.start(), match.end()):
            spans.append(PiiSpan("street_address", match.start(), match.end()))
    for match in POSTCODE.finditer(text) if digit_count >= 2 else ():
        if free(match.start(), match.end()):
            spans.append(PiiSpan("street_address", match.start(), match.end()))
    spans.sort(key=lambda span: span.start)
    return spans


def _written_emails(text: str) -> Iterator[PiiSpan]:
    """Addresses written to dodge robots. A bracketed "(at)" or an "@" is one; a bare "at" is one
    when the domain is a mailbox provider's, or when a "dot" is spelt out and the name before "at"
    reads as a mailbox ("jane.doe", "jd_88"): "members only at Target dot com" names a website. A
    text is searched again from just after a rejected start, so "write me at jane dot doe at
    gmail dot com" finds the address after "me at jane dot doe"."""
    at = 0
    while (match := WRITTEN_EMAIL.search(text, at)) is not None:
        if _is_address(match):
            yield PiiSpan("email", match.start(), match.end())
            at = match.end()
        else:
            at = match.start() + 1


def _is_address(match: re.Match[str]) -> bool:
    if match.group("at").strip().lower() != "at":
        return True  # "(at)", "[at]", "@"
    if match.group("domain").lower() in MAILBOX_PROVIDERS:
        return True
    name = match.group("name")
    mailbox_like = any(char in name for char in "._+") or DIGIT.search(name) or SPELT_DOT.search(name)
    return bool(mailbox_like) and SPELT_DOT.search(match.group(0)) is not None


def _looks_like_time(value: str) -> bool:
    return bool(re.fullmatch(r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?", value.strip()))


def redact(text: str, spans: Sequence[PiiSpan]) -> str:
    """The text with every span replaced by a mask naming its kind."""
    parts: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s.start):
        parts.append(text[cursor : span.start])
        parts.append(MASKS[span.kind])
        cursor = span.end
    parts.append(text[cursor:])
    return "".join(parts)


class PiiAnalyzer:
    """Label ``"pii"`` when anything personal is found; spans and the redacted text in ``data``."""

    name: ClassVar[str] = "pii"

    @property
    def version(self) -> str:
        return VERSION

    def analyze(self, batch: Sequence[MentionFacts]) -> list[Finding]:
        findings = []
        for facts in batch:
            plain = facts.text.translate(_LOOKALIKES)
            spans = _spans(plain) if _may_hold_pii(plain) else []
            findings.append(
                Finding(
                    self.name,
                    VERSION,
                    "pii" if spans else None,
                    float(len(spans)),
                    PiiData(
                        tuple(spans), tuple(sorted({s.kind for s in spans})), redact(facts.text, spans)
                    ).to_data(),
                )
            )
        return findings


def _may_hold_pii(text: str) -> bool:
    """Every pattern needs a digit, an ``@`` and a dot, an "(at)" or a spelt "dot", or six capitals
    in a row: skip the regexes otherwise."""
    return (
        DIGIT.search(text) is not None
        or ("@" in text and "." in text)
        or LETTER_RUN.search(text) is not None
        or WRITTEN_EMAIL_HINT.search(text) is not None
    )
