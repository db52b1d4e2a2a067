"""Dates, amounts, percentages and durations stated in a text, normalised so they compare.

"two weeks" and "14 days" are the same duration, "$25" and "25 USD" the same amount, "by Friday"
and "on Friday" the same day. Each quantity keeps its span and the words of its sentence, so the
checker can say where a reply differs from a statement and compare like with like. Pure.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
ARTICLES = {
    "a": 1,
    "an": 1,
    "a single": 1,
    "one single": 1,
    "a couple of": 2,
    "a couple": 2,
    "half a": 0.5,
    "half an": 0.5,
}

_UNIT_WORDS = "|".join(sorted(UNITS, key=len, reverse=True))
_TENS_WORDS = "|".join(TENS)
#: a number written in digits or in words up to ninety-nine ("24", "1.5", "two", "forty-eight")
NUMBER = rf"(?:\d+(?:\.\d+)?|(?:{_TENS_WORDS})(?:[- ](?:{_UNIT_WORDS}))?|{_UNIT_WORDS})"
COUNT = rf"(?:{NUMBER}|a couple(?: of)?|half an?|an?(?: single)?)"

#: hours in one of each calendar unit; business days are their own unit (they skip weekends)
HOURS: dict[str, Decimal | int] = {
    "minute": Decimal(1) / 60,
    "min": Decimal(1) / 60,
    "hour": 1,
    "day": 24,
    "night": 24,
    "week": 168,
    "fortnight": 336,
    "month": 720,
    "year": 8760,
}
DURATION = re.compile(
    # "7 days a week", "twice a day", "per hour" are rates, not durations
    r"(?<!\bdays\s)(?<!\bhours\s)(?<!\bper\s)(?<!\bonce\s)(?<!\btwice\s)"
    rf"\b(?P<low>{COUNT})(?:\s*(?:-|–|—|to|or)\s*(?P<high>{NUMBER}))?[\s-]*"
    r"(?P<business>business[\s-]|working[\s-]|work[\s-])?\s*"
    r"(?P<unit>minutes?|mins?|hours?|hrs?|h|days?|nights?|weeks?|fortnights?|months?|years?)\b"
    r"(?!\s+(?:a|per|each|every)\s+(?:day|week|month|year)\b)",  # "7 days a week" is not a duration
    re.IGNORECASE,
)
FORTNIGHT = re.compile(r"\b(?:a|one)\s+fortnight\b", re.IGNORECASE)
#: a duration that counts time already spent ("waited 3 weeks", "2 days ago") is not a promise
ELAPSED_BEFORE = re.compile(
    r"(?:waited|waiting|wait(?:ed)? for|waiting for|been|spent|took|lost|for (?:the )?(?:past|last)|"
    r"over (?:the )?(?:past|last)|for over|for more than|almost|nearly)\s*$"
    # "chased us about your refund for 2 weeks", "been without your bag for 3 days"
    r"|\b(?:chas(?:e|ed|ing)|wait(?:ed|ing)?|been)\b[^.!?]{0,25}\bfor\s*$",
    re.IGNORECASE,
)
ELAPSED_AFTER = re.compile(
    r"\s*(?:ago|late|overdue|now|already|behind|delay(?:ed)?|of (?:waiting|delay)|waiting|wait|old)\b",
    re.IGNORECASE,
)

CURRENCIES = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "usd": "USD", "eur": "EUR", "gbp": "GBP"}
CURRENCY_WORDS = {"dollar": "USD", "dollars": "USD", "bucks": "USD", "euro": "EUR", "euros": "EUR"}
_MONEY = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:[.,]\d{1,2}(?!\d))?"
AMOUNT = re.compile(
    rf"(?P<sym>US\$|[$€£])\s?(?P<num>{_MONEY})"
    rf"|\b(?P<code>USD|EUR|GBP)\s?(?P<num2>{_MONEY})"
    rf"|(?<![\w.,])(?P<num3>{_MONEY})\s?(?:(?P<code2>USD|EUR|GBP)\b|(?P<sym2>€)|(?P<word>dollars?|bucks|euros?)\b)",
    re.IGNORECASE,
)
PERCENT = re.compile(rf"\b(?P<num>{NUMBER})\s?(?:%|\s?per\s?cent\b|\s?pct\b)", re.IGNORECASE)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: a named day; "on Mondays" (plural) is a routine, not a date
WEEKDAY = re.compile(rf"\b(?:{'|'.join(WEEKDAYS)})\b", re.IGNORECASE)
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
#: "15 March", "15th of March", "March 15th", "Mar 15"
DATES = (
    re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\.?\s+{_DAY}\b(?![:.,]?\d)", re.IGNORECASE),
)

ZERO = Decimal(0)
#: where a clause ends: a sentence's end, a comma or semicolon before a space, a dash between
#: spaces, or a conjunction; "refunds take 7 days, and vouchers are $50" says two things
CLAUSE_END = re.compile(
    r"(?<=[.!?;:,])\s+|\s+[—–-]\s+|\s+(?:and|but|so|while|whereas|although|though)\s+|\n+", re.IGNORECASE
)
#: how many clauses back a figure looks for what it is about ("Your refund, as promised, takes 7 days")
EARLIER_CLAUSES = 3
WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Quantity:
    """A figure in a text: ``kind`` and ``unit`` say what it can be compared with."""

    kind: str  # amount, percentage, duration, weekday, date
    unit: str  # the currency, "hours" or "business days", "" where there is none
    low: Decimal  # the range of an amount, percentage or duration (low == high for one figure)
    high: Decimal
    name: str  # a day's or date's name ("friday", "march 15"); "" for numbers
    start: int
    end: int
    text: str
    #: the lower-case words of the clause the figure stands in, to tell what it is about
    context: frozenset[str]
    #: the words of the clauses before it, nearest first: "They can take 14 days" after "Your miles ..."
    earlier: tuple[frozenset[str], ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.unit)

    def within(self, other: Quantity) -> bool:
        """This figure (or range) falls inside the other's: "within 5 days" agrees with "3-5 days"."""
        if self.name or other.name:
            return self.name == other.name
        return other.low <= self.low and self.high <= other.high


def parse_number(word: str) -> Decimal | None:
    """Digits or English number words ("forty-eight", "a couple of") as a number."""
    text = " ".join(word.lower().replace("-", " ").split())
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    if text in ARTICLES:
        return Decimal(str(ARTICLES[text]))
    if text in UNITS:
        return Decimal(UNITS[text])
    parts = text.split()
    if parts and parts[0] in TENS and (len(parts) == 1 or (len(parts) == 2 and parts[1] in UNITS)):
        return Decimal(TENS[parts[0]] + (UNITS[parts[1]] if len(parts) == 2 else 0))
    return None


def _money(value: str) -> Decimal:
    # "1,000" groups thousands; "12,50" (two digits after a comma) is a decimal comma
    if re.search(r",\d{1,2}$", value):
        value = value.replace(".", "").replace(",", ".")
    return Decimal(value.replace(",", ""))


def extract_quantities(text: str) -> list[Quantity]:
    """Every date, amount, percentage and duration in the text, in order of position."""
    return list(_extract(text))


@lru_cache(maxsize=512)
def _extract(text: str) -> tuple[Quantity, ...]:
    # A statement is checked against every keystroke of a reply: its figures are read once.
    clauses = _clauses(text)
    starts = [begin for begin, _ in clauses]
    words = [frozenset(WORD.findall(text[begin:end].lower())) for begin, end in clauses]

    found: list[Quantity] = []

    def add(kind: str, unit: str, low: Decimal, high: Decimal, match: re.Match[str], name: str = "") -> None:
        clause = bisect.bisect_right(starts, match.start()) - 1
        context, earlier = words[clause], tuple(reversed(words[max(0, clause - EARLIER_CLAUSES) : clause]))
        found.append(
            Quantity(
                kind, unit, low, high, name, match.start(), match.end(), match.group(0), context, earlier
            )
        )

    for match in AMOUNT.finditer(text):
        symbol = match["sym"] or match["code"] or match["code2"] or match["sym2"]
        currency = CURRENCIES[symbol.lower()] if symbol else CURRENCY_WORDS[match["word"].lower()]
        value = _money(match["num"] or match["num2"] or match["num3"])
        add("amount", currency, value, value, match)
    for match in PERCENT.finditer(text):
        number = parse_number(match["num"])
        if number is not None:
            add("percentage", "", number, number, match)
    for match in DURATION.finditer(text):
        if _overlaps(found, match) or _elapsed(text, match):
            continue
        low, high = parse_number(match["low"]), parse_number(match["high"] or match["low"])
        if low is None or high is None:
            continue
        unit_word = match["unit"].lower().rstrip("s")
        if match["business"] and unit_word == "day":
            add("duration", "business days", low, high, match)
        else:
            hours = Decimal(HOURS.get(unit_word, 1))  # h, hr: hours
            add("duration", "hours", low * hours, high * hours, match)
    for match in FORTNIGHT.finditer(text):
        if not _overlaps(found, match) and not _elapsed(text, match):
            add("duration", "hours", Decimal(336), Decimal(336), match)
    for match in WEEKDAY.finditer(text):
        day = match.group(0).lower()
        add("weekday", "", ZERO, ZERO, match, name=day)
    for pattern in DATES:
        for match in pattern.finditer(text):
            month = next(name for name in MONTHS if name.startswith(match["month"].lower()[:3]))
            day_of_month = int(match["day"])
            if match["month"] == "may" or not 1 <= day_of_month <= 31 or _overlaps(found, match):
                continue  # "we may 5 ..." is a verb; only "May" is the month
            add("date", "", ZERO, ZERO, match, name=f"{month} {day_of_month}")
    found.sort(key=lambda quantity: quantity.start)
    return tuple(found)


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, begin = [], 0
    for boundary in CLAUSE_END.finditer(text):
        spans.append((begin, boundary.start()))
        begin = boundary.end()
    spans.append((begin, len(text)))
    return spans


def _overlaps(found: list[Quantity], match: re.Match[str]) -> bool:
    return any(match.start() < q.end and q.start < match.end() for q in found)


def _elapsed(text: str, match: re.Match[str]) -> bool:
    before = text[max(0, match.start() - 40) : match.start()]
    return bool(ELAPSED_BEFORE.search(before) or ELAPSED_AFTER.match(text, match.end()))
