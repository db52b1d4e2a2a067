"""The search language, parsed into plain values. Pure: no database, no web.

What people type: words (all must match), ``"exact phrases"``, and filters ``from:handle``,
``category:``, ``team:``, ``status:``, ``before:``/``after:`` dates (``YYYY-MM-DD``) or a range
``date:2026-11-01..2026-11-30``. A filter's value may be quoted (``category:"lost luggage"``).

Whatever else arrives is text, never syntax: FTS operators (``AND``, ``OR``, ``NOT``, ``NEAR``),
``*``, parentheses and stray quotes only separate words, and control characters (NUL among them)
are spaces. Only words (runs of letters and digits) reach the database, each as a bound parameter
or a quoted FTS string. Input that cannot mean anything (too long, an unknown status, a date that
is not one, nothing to look for) raises ``QueryError`` saying what was wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ombuds.errors import InvalidInput
from ombuds.fields import EARLIEST_YEAR, LATEST_YEAR
from ombuds.timezones import local_midnight

#: Longer input is refused, not cut: a cut query would silently search for something else.
MAX_QUERY_CHARS = 500
#: More words than anyone types; each is one more index lookup.
MAX_TERMS = 16
STATUSES = ("new", "open", "pending", "resolved", "closed")
#: The filters a query may name, each with a value to show in a hint.
FILTER_EXAMPLES = {
    "from": "@handle",
    "category": "lost_luggage",
    "team": "billing",
    "status": "open",
    "before": "2026-11-30",
    "after": "2026-11-30",
    "date": "2026-11-30",
}
FILTERS = tuple(FILTER_EXAMPLES)
#: FTS query operators; typed as words they would change the query's meaning, so they are dropped.
OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})

_WORD = re.compile(r"\w+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# a filter (name:value or name:"quoted value"), a quoted phrase, or a run of anything else
_TOKEN = re.compile(
    r'(?P<name>[A-Za-z]+):(?:"(?P<quoted>[^"]*)"?|(?P<bare>[^\s"]+))'
    r'|"(?P<phrase>[^"]*)"?'
    r'|(?P<text>[^\s"]+)'
)


#: A filter's name with nothing after its colon ("status:" or "status: open"): searched as the
#: word "status" it found every "status downgraded" instead of saying what was missing.
_BARE_FILTER = re.compile(r"(?<![^\s])(?P<name>[A-Za-z]+):(?=\s|$)")


class QueryError(InvalidInput):
    """A search query that cannot be run; the message says what was wrong and how to write it."""


@dataclass(frozen=True)
class SearchQuery:
    """What a query asks for. ``words`` and ``phrases`` are matched in text; the rest filter."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    handles: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    after: datetime | None = None  # inclusive, the brand's midnight (in UTC)
    before: datetime | None = None  # exclusive, the brand's midnight (in UTC)
    raw: str = field(default="", compare=False)
    #: the words and phrases as typed, before they were split at punctuation: PostgreSQL's parser
    #: keeps "mara.lind@example.org" or "+1" whole in its index, so it is asked both ways
    typed_words: tuple[str, ...] = field(default=(), compare=False)
    typed_phrases: tuple[str, ...] = field(default=(), compare=False)

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def typed_apart(self) -> bool:
        """Whether a word or phrase as typed holds more than its words (an email, "+1", a host)."""
        typed = (*self.typed_words, *self.typed_phrases)
        return any(" ".join(_words(text)) != " ".join(text.split()) for text in typed)

    @property
    def uses_index(self) -> bool:
        """Whether the full-text index finds the candidates (words, phrases or a handle)."""
        return bool(self.words or self.phrases or self.indexed_handles)

    @property
    def indexed_handles(self) -> tuple[str, ...]:
        """The from: handles the index can look up: those with a letter or digit in them."""
        return tuple(h for h in self.handles if _WORD.search(h))

    @property
    def has_case_filters(self) -> bool:
        """Filters only a case (or a message in one) can pass; customers do not have them."""
        return bool(self.categories or self.teams or self.statuses)

    @property
    def is_empty(self) -> bool:
        return not (self.has_text or self.handles or self.has_case_filters or self.after or self.before)

    @property
    def highlight_terms(self) -> tuple[str, ...]:
        """Words to mark in snippets: the free words, each phrase's words, and the handles."""
        terms = list(self.words)
        for phrase in self.phrases:
            terms += phrase
        terms += self.handles
        return tuple(dict.fromkeys(t.lower() for t in terms))

    @property
    def preferred_phrase(self) -> str | None:
        """The free words as typed, in order: a message holding them together ranks first."""
        return " ".join(self.words) if len(self.words) > 1 else None


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w not in OPERATORS]


def _day(value: str, *, name: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise QueryError(
            f"{name}:{value} is not a date; write dates as YYYY-MM-DD, such as {name}:2026-11-30"
        ) from None
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:  # 9999-12-31 and a day after it is no date
        raise QueryError(f"{name}:{value} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    return day


def parse_query(raw: str, *, timezone: str = "UTC") -> SearchQuery:
    """Parse what was typed in a search box; raise ``QueryError`` when it cannot be searched. Dates
    are days of ``timezone`` (the brand's), as its people and its dashboard count them."""
    if len(raw) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the search is {len(raw):,} characters long; at most {MAX_QUERY_CHARS} are searched"
        )
    text = _CONTROL.sub(" ", raw)
    for bare in _BARE_FILTER.finditer(text):
        name = bare["name"].lower()
        if name not in FILTER_EXAMPLES:
            continue  # "re: my bag": words
        raise QueryError(
            f"{name}: needs a value right after the colon, with no space, such as {name}:{FILTER_EXAMPLES[name]}"
        )
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    typed_words: list[str] = []
    typed_phrases: list[str] = []
    found: dict[str, list[str]] = {name: [] for name in FILTERS}
    for token in _TOKEN.finditer(text):
        name = (token["name"] or "").lower()
        if name in FILTERS:
            value = (token["quoted"] if token["quoted"] is not None else token["bare"] or "").strip()
            if value:
                found[name].append(value)
            continue
        if token["name"]:  # a word followed by a colon ("re: my bag"): its words are words
            words += _words(token.group(0))
            typed_words.append(token.group(0))
        elif token["phrase"] is not None:
            phrase = tuple(_words(token["phrase"]))
            if len(phrase) == 1:
                words += phrase
            elif phrase:
                phrases.append(phrase)
            typed_phrases.append(token["phrase"])
        else:
            words += _words(token["text"])
            typed_words.append(token["text"])
    words = list(dict.fromkeys(words))
    if len(words) + sum(len(p) for p in phrases) > MAX_TERMS:
        raise QueryError(f"the search has more than {MAX_TERMS} words; use fewer, or a quoted phrase")
    statuses = []
    for status in found["status"]:
        if status.lower() not in STATUSES:
            raise QueryError(f"status:{status} is not a status; use one of {', '.join(STATUSES)}")
        statuses.append(status.lower())

    def midnight(day: date) -> datetime:
        return local_midnight(day, timezone=timezone)

    after = [midnight(_day(v, name="after")) for v in found["after"]]
    # before:D means earlier than that day; a range's end day is included
    before = [midnight(_day(v, name="before")) for v in found["before"]]
    for span in found["date"]:
        start, dots, end = span.partition("..")
        if start:
            after.append(midnight(_day(start, name="date")))
        end = end if dots else start  # date:D alone is that one day
        if end:
            before.append(midnight(_day(end, name="date") + timedelta(days=1)))
    query = SearchQuery(
        words=tuple(words),
        phrases=tuple(phrases),
        handles=tuple(dict.fromkeys(_handle(v) for v in found["from"] if _handle(v))),
        categories=tuple(found["category"]),
        teams=tuple(found["team"]),
        statuses=tuple(dict.fromkeys(statuses)),
        after=max(after) if after else None,
        before=min(before) if before else None,
        raw=raw,
        typed_words=tuple(typed_words),
        typed_phrases=tuple(typed_phrases),
    )
    if query.is_empty:
        raise QueryError(
            'nothing to search for: type words, a "quoted phrase", or a filter such as '
            "from:handle, category:, team:, status:, after:2026-11-01"
        )
    if query.after and query.before and query.after >= query.before:
        raise QueryError("the dates leave no time between them: after: must come before before:")
    return query


def _handle(value: str) -> str:
    return value.lstrip("@").strip()
