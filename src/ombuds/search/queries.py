"""Search reads: one query over cases, mentions and customers of one brand, on either database.

Ranking: a message that holds the searched words together as typed (the exact phrase) comes
first, then the database's own rank (bm25 on SQLite, ts_rank on PostgreSQL). A case ranks by its
best message. Every read is scoped to one brand; nothing of another brand is read or counted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    case,
    false,
    func,
    literal,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from ombuds.accounts.models import Team
from ombuds.cases.models import Case, CaseStatus, Customer, Identity
from ombuds.cases.privacy import mask_found, pii_marks, values
from ombuds.enrichment.analyzers.pii import find_pii
from ombuds.enrichment.findings import PII
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Mention
from ombuds.personal_values import NOT_SHOWN
from ombuds.search import index, snippets
from ombuds.search.pieces import found_only_in_personal_data
from ombuds.search.query import QueryError, SearchQuery
from ombuds.search.schemas import Kind, SearchResultRead, SearchResults
from ombuds.shown_brands import note_shown
from ombuds.shown_messages import note_shown_messages, shown_personal_values

#: The best-ranked messages looked at to rank cases; a case beyond them still counts in ``total``.
RANKED_MENTIONS = 1000
#: The newest matching messages a search ranks (see ``_ranked_mentions``), and so the most
#: ``total`` counts: past this many, "more than" is all a person needs, and each one costs its row
#: and, on SQLite, its bm25.
CANDIDATES = 2000
#: The newest message ids PostgreSQL looks among first for a search's matches (``_read_newest_first``).
FIRST_WINDOW = 8000
#: Customers counted in ``total`` at most: a name shared by more is no way to find a person.
MAX_CUSTOMERS = 200
#: Filters that leave at most this many cases read those cases' messages by case; more, newest first.
FEW_CASES = 500
#: How many case ids a search narrows a list (the inbox, ``/cases?q=``) to, at most: the cases of
#: the newest matches. As many as a search ranks messages: 5,000 cost PostgreSQL twice the reading
#: of 2,000 (about 60,000 of 100,000 messages for a word a tenth of them hold).
MAX_CASE_IDS = CANDIDATES
KIND_ORDER = {"customer": 0, "case": 1, "mention": 2}


@dataclass(frozen=True, slots=True)
class _MentionHit:
    id: int
    case_id: int | None
    rank: float
    is_phrase: bool


#: A searched word that may be a booking reference typed bare, which the analyzer finds only
#: beside a word that says what it is: letters and digits, a digit among them, five or more.
_MAY_BE_A_REFERENCE = re.compile(r"(?=[\w-]*\d)[\w-]{5,20}")
#: The messages holding such a word whose personal data is looked at, at most.
_REFERENCES_CHECKED = 200
_REFUSED = (
    "q: searching by personal data (a card number, phone, email or booking reference) takes "
    "a role that may see it; search by other words of the message"
)


def refuse_personal_data(query: SearchQuery) -> None:
    """A caller who sees personal data masked may not search by it: that a card number, phone,
    email or booking reference finds something (or nothing) would tell them whose it is."""
    if mask_found(query.raw) != query.raw:
        raise QueryError(_REFUSED)


def refuse_known_personal_data(session: Session, query: SearchQuery, *, brand_id: int) -> None:
    """``refuse_personal_data`` for a booking reference typed bare ("QX7Y92"): refused when the
    analyzer found it as one in a message of the brand that holds the word. A piece of a value is
    not refused (that would tell it is one): what it finds only there is left out (``_found_in_the_open``)."""
    words = {word.lower() for word in _searched_words(query)}
    for word in sorted(w for w in words if _MAY_BE_A_REFERENCE.fullmatch(w)):
        holding = _matching_mentions(
            session,
            SearchQuery(words=(word,), raw=word, typed_words=(word,)),
            brand_id=brand_id,
            columns=(Mention.id, Mention.text, Enrichment.data),
        )
        rows = session.execute(
            holding.join(Enrichment, (Enrichment.mention_id == Mention.id) & (Enrichment.analyzer == PII))
            .where(Enrichment.label.is_not(None))
            .limit(_REFERENCES_CHECKED)
            .execution_options(**{NOT_SHOWN: True})
        )
        for mention_id, message, data in rows:
            found = values(message, pii_marks(data, text=message, where=f"mention {mention_id}"))
            if any(value.lower() == word for value, _ in found):
                raise QueryError(_REFUSED)


def _searched_words(query: SearchQuery) -> list[str]:
    return [*query.words, *(word for phrase in query.phrases for word in phrase)]


def _found_in_the_open(session: Session, query: SearchQuery, *, brand_id: int) -> dict[int, int | None]:
    """For a caller who sees personal data masked: the newest ``CANDIDATES`` messages the query
    finds (id → case), but those its words find only inside their personal data ("0134" of a phone
    number, "linds" of mara.lind@…): showing them would tell whose the value is."""
    rows = session.execute(
        _matching_mentions(
            session,
            query,
            brand_id=brand_id,
            columns=(Mention.id, Mention.case_id, Mention.text, Enrichment.data),
        )
        .outerjoin(
            Enrichment,
            (Enrichment.mention_id == Mention.id)
            & (Enrichment.analyzer == PII)
            & Enrichment.label.is_not(None),
        )
        .order_by(Mention.id.desc())
        .limit(CANDIDATES)
        .execution_options(**{NOT_SHOWN: True})
    )
    words = _searched_words(query)
    kept: dict[int, int | None] = {}
    for mention_id, case_id, message, data in rows:
        marks = pii_marks(data, text=message, where=f"mention {mention_id}") if data else []
        # and what the patterns find today: a message read before they knew a form (0044 …) is
        # masked on every page by them, so its pieces must not be found either
        personal = [value for value, _ in values(message, marks)]
        personal += [message[span.start : span.end] for span in find_pii(message)]
        if not found_only_in_personal_data(words, message, personal):
            kept[mention_id] = case_id
    return kept


def _open_case_ids(session: Session, query: SearchQuery, *, brand_id: int) -> list[int]:
    """``matching_case_ids`` for a caller who sees personal data masked: the cases of the newest
    messages found in the open, and of the customers found by a name or handle that is no value."""
    found = {case_id for case_id in _found_in_the_open(session, query, brand_id=brand_id).values() if case_id}
    customers = _matching_customers(session, query, brand_id=brand_id)
    if customers is not None:
        ids = list(session.scalars(customers.with_only_columns(Customer.id).limit(MAX_CUSTOMERS)))
        shown = _customers_in_the_open(session, ids, _searched_words(query))
        if shown:
            found |= set(
                session.scalars(
                    select(Case.id)
                    .where(Case.brand_id == brand_id, Case.customer_id.in_(shown))
                    .order_by(Case.id.desc())
                    .limit(MAX_CASE_IDS)
                )
            )
    return sorted(found)


def _customers_in_the_open(session: Session, customer_ids: Collection[int], words: Sequence[str]) -> set[int]:
    """Of these customers, those the words find in their name or handles outside the personal values
    they hold (an e-mail address as a handle, a phone number in a name: "janepii" finding
    janepii@example.org, or "7946" finding "Nora 0044 20 7946 0111", would tell whose it is)."""
    if not customer_ids:
        return set()
    handles: dict[int, list[str]] = {}
    for customer_id, handle in session.execute(
        select(Identity.customer_id, Identity.handle).where(Identity.customer_id.in_(customer_ids))
    ):
        handles.setdefault(customer_id, []).append(handle)
    names = dict(
        session.execute(select(Customer.id, Customer.display_name).where(Customer.id.in_(customer_ids))).all()
    )
    kept = set()
    for customer_id in customer_ids:
        line = " ".join([names.get(customer_id, ""), *handles.get(customer_id, [])])
        personal = [line[span.start : span.end] for span in find_pii(line)]
        if not found_only_in_personal_data(words, line, personal):
            kept.add(customer_id)
    return kept


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _escaped(value: str) -> str:
    return value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like_anywhere(value: str) -> str:
    return "%" + _escaped(value) + "%"


def _folded(name: str) -> str:
    """A team's or category's name as compared with what was typed: any case, and spaces, dashes
    and underscores alike ("lost_luggage" finds "Lost Luggage", "customer-care" "Customer Care")."""
    return " ".join(re.split(r"[\s_-]+", name.lower())).strip()


def _case_filters(session: Session, query: SearchQuery, *, brand_id: int) -> list[ColumnElement[bool]]:
    """Conditions on ``Case`` (joined to the message) for status:, team: and category:."""
    conditions: list[ColumnElement[bool]] = []
    if query.statuses:
        conditions.append(Case.status.in_(query.statuses))
    if query.teams:
        wanted = [_folded(t) for t in query.teams]
        teams = session.execute(select(Team.id, Team.slug, Team.name).where(Team.brand_id == brand_id))
        # the brand's few teams read first and matched here (slug, or the start of the name, as
        # typed with spaces, dashes or underscores): given their ids, SQLite walks ix_case_team_id
        # newest first and stops at a limit (a subquery left it reading the brand's every case:
        # 0.27 s for one team's newest 2,000 of 400,000 cases)
        conditions.append(
            Case.team_id.in_(
                [
                    team_id
                    for team_id, slug, name in teams
                    if _folded(slug) in wanted or _folded(name).startswith(tuple(wanted))
                ]
            )
        )
    if query.categories:
        conditions.append(Case.id.in_(_categorised_cases(session, query, brand_id=brand_id)))
    return conditions


def _categorised_cases(session: Session, query: SearchQuery, *, brand_id: int) -> Select[Any]:
    """Ids of the brand's cases with a message in one of the query's categories.

    The brand's few category labels are read first and matched here (a prefix, any case), so the
    messages are then found by their exact label, not by comparing every message's label.
    """
    labels = category_labels(session, brand_id=brand_id)
    wanted = tuple(_folded(c) for c in query.categories)
    chosen = [label for label in labels if label and _folded(label).startswith(wanted)]
    return (
        select(Mention.case_id)
        .join(Enrichment, Enrichment.mention_id == Mention.id)
        .where(
            Enrichment.brand_id == brand_id,
            Enrichment.analyzer == "category",
            Enrichment.label.in_(chosen) if chosen else false(),
        )
    )


#: The brand's distinct category labels, one index seek each (a skip scan of
#: ix_enrichment_brand_analyzer_label) rather than a read of every enrichment.
_CATEGORY_LABELS = text(
    """
    WITH RECURSIVE label_of(label) AS (
        SELECT min(label) FROM enrichment WHERE brand_id = :brand_id AND analyzer = 'category'
        UNION ALL
        SELECT (
            SELECT min(e.label) FROM enrichment e
            WHERE e.brand_id = :brand_id AND e.analyzer = 'category' AND e.label > label_of.label
        )
        FROM label_of WHERE label_of.label IS NOT NULL
    )
    SELECT label FROM label_of WHERE label IS NOT NULL
    """
)


def category_labels(session: Session, *, brand_id: int) -> list[str]:
    """The category labels the brand's messages have had, each once, read by the enrichment index
    one label at a time (a DISTINCT read every message's label)."""
    return [label for label in session.scalars(_CATEGORY_LABELS, {"brand_id": brand_id}) if label]


def _matching_cases(session: Session, query: SearchQuery, *, brand_id: int) -> Select[Any]:
    """Ids of the brand's cases that pass status:, team: and category:, read by the cases' indexes."""
    if not (query.statuses or query.teams):
        return _categorised_cases(session, query, brand_id=brand_id)  # already the brand's alone
    return select(Case.id).where(Case.brand_id == brand_id, *_case_filters(session, query, brand_id=brand_id))


def _mention_conditions(session: Session, query: SearchQuery, *, brand_id: int) -> list[ColumnElement[bool]]:
    brand: ColumnElement[int] = Mention.__table__.c.brand_id
    if (query.uses_index or query.has_case_filters) and _dialect(session) == "sqlite":
        # "+brand_id" keeps SQLite from walking the brand's index and asking the FTS table (or the
        # list of matching cases) about each message: the FTS matches or the cases drive instead
        brand = literal_column("+mention.brand_id", Integer)
    conditions: list[ColumnElement[bool]] = [brand == brand_id]
    if query.handles:
        conditions.append(func.lower(Mention.author_handle).in_([h.lower() for h in query.handles]))
    if query.after is not None:
        conditions.append(Mention.created_at >= query.after)
    if query.before is not None:
        conditions.append(Mention.created_at < query.before)
    # the index finds candidates (stemmed, and PostgreSQL drops words like "my"); a quoted phrase
    # then holds only where its words stand as typed
    conditions += [Mention.text.ilike(_like_anywhere(" ".join(p)), escape="\\") for p in query.phrases]
    return conditions


def _matching_mentions(
    session: Session, query: SearchQuery, *, brand_id: int, columns: Sequence[Any], ranked: bool = False
) -> Select[Any]:
    """``columns`` of the brand's messages that match; with ``ranked``, ``rank`` is usable too."""
    conditions = _mention_conditions(session, query, brand_id=brand_id)
    statement = select(*columns)
    if query.uses_index and _dialect(session) == "sqlite":
        match = index.fts_column.op("MATCH")(index.fts_match(query))
        if ranked:  # the rank lives in the FTS table: join it
            statement = statement.select_from(index.fts).join(Mention, Mention.id == index.fts.c.rowid)
            conditions.append(match)
        else:
            # the matching ids first, then their rows: joined, SQLite may walk the brand's messages
            # and ask the index about each (100 ms on 5,000 messages for a word nobody wrote)
            statement = statement.select_from(Mention)
            conditions.append(Mention.id.in_(select(index.fts.c.rowid).where(match)))
    else:
        statement = statement.select_from(Mention)
        if query.uses_index:
            # before a phrase's ILIKE: a message read by the key is tested in this order, and the
            # vector rules out nine in ten messages for less than the ILIKE costs
            conditions.insert(1, index.ts_condition(query))
    if query.has_case_filters and query.uses_index:
        # the index's matches drive: each one's case is looked up by its key
        statement = statement.join(Case, Case.id == Mention.case_id)
        conditions += _case_filters(session, query, brand_id=brand_id)
    elif query.has_case_filters:
        # no words: the cases are found by their own indexes, then their messages by case
        cases = _matching_cases(session, query, brand_id=brand_id)
        few = list(session.scalars(cases.limit(FEW_CASES + 1)))
        if len(few) <= FEW_CASES:  # their messages by the case index
            conditions.append(Mention.case_id.in_(few))
        else:
            # many: the messages are read newest first and each one's case looked up in the set,
            # which stops at the limit soon; by case, every one of their messages would be sorted
            case_id: ColumnElement[int | None] = Mention.__table__.c.case_id
            if _dialect(session) == "sqlite":
                case_id = literal_column("+mention.case_id", Integer)
                conditions.append(case_id.in_(cases))
            elif query.categories:
                # "IS TRUE" keeps PostgreSQL from making this a semi-join, which looks through
                # each message's case for a message in the category (16,000 index reads for a
                # common one): the cases are hashed once, from two indexes alone (the category's
                # messages, and ix_mention_case_id for their cases), and each message looked up
                conditions.append(case_id.in_(cases).is_(true()))
            else:
                conditions.append(case_id.in_(cases))
    return statement.where(*conditions)


def _rank(session: Session, query: SearchQuery) -> ColumnElement[float]:
    if not query.uses_index:
        return literal(0.0)
    if _dialect(session) == "sqlite":
        return index.fts.c.rank
    return index.ts_rank(query)


def _is_phrase(query: SearchQuery, text: ColumnElement[str]) -> ColumnElement[bool]:
    phrase = query.preferred_phrase
    if phrase is None:
        return false()
    return text.ilike(_like_anywhere(phrase), escape="\\")


def _ranked_mentions(session: Session, query: SearchQuery, *, brand_id: int, limit: int) -> list[_MentionHit]:
    """Of the brand's newest ``limit`` matching messages, exact phrase first, then by rank.

    Ranking every match of a common word (a fifth of 100,000 messages hold "bag") costs more than
    the 100 ms a search may take; a desk searches what is current.
    """
    if not query.uses_index:
        # no words, so no rank: the newest matches are the best, read in id order as they stand
        newest_first = _matching_mentions(
            session, query, brand_id=brand_id, columns=(Mention.id, Mention.case_id)
        ).order_by(Mention.id.desc())
        return [
            _MentionHit(id=row.id, case_id=row.case_id, rank=0.0, is_phrase=False)
            for row in session.execute(newest_first.limit(limit))
        ]
    if _reads_by_window(session, query):
        return _ranked_newest_by_window(session, query, brand_id=brand_id, limit=limit)
    rank = _rank(session, query).label("rank")
    # on SQLite the FTS table's own order, so the scan stops at the limit
    newest = index.fts.c.rowid.desc() if _dialect(session) == "sqlite" else Mention.id.desc()
    candidates = (
        _matching_mentions(
            session,
            query,
            brand_id=brand_id,
            # the text only where a phrase is looked for in it
            columns=(Mention.id, Mention.case_id, rank, *([Mention.text] if query.preferred_phrase else [])),
            ranked=True,
        )
        .order_by(newest)
        .limit(limit)
        .subquery()
    )
    is_phrase = _is_phrase(query, candidates.c.text) if query.preferred_phrase else false()
    phrase = case((is_phrase, 1), else_=0).label("is_phrase")
    statement = select(candidates.c.id, candidates.c.case_id, candidates.c.rank, phrase).order_by(
        phrase.desc(), candidates.c.rank, candidates.c.id.desc()
    )
    return [
        _MentionHit(id=row.id, case_id=row.case_id, rank=float(row.rank or 0), is_phrase=bool(row.is_phrase))
        for row in session.execute(statement.limit(limit))
    ]


def _ranked_newest_by_window(
    session: Session, query: SearchQuery, *, brand_id: int, limit: int
) -> list[_MentionHit]:
    """PostgreSQL: the newest ``limit`` matches (see ``_read_newest_first``), ranked."""
    rank = _rank(session, query).label("rank")
    phrase = case((_is_phrase(query, Mention.__table__.c.text), 1), else_=0).label("is_phrase")
    matching = _matching_mentions(
        session, query, brand_id=brand_id, columns=(Mention.id, Mention.case_id, rank, phrase), ranked=True
    )
    rows: list[Any] = []

    def read(window: _Window, wanted: int) -> int:
        statement = matching.where(*window.conditions).order_by(window.newest).limit(wanted)
        # plain rows through the connection: up to 2,000 of them, with no ORM processing
        found = session.connection().execute(statement).all()
        rows.extend(found)
        return len(found)

    _read_newest_first(session, wanted=limit, read=read)
    rows.sort(key=lambda row: (-row[3], row[2], -row[0]))  # exact phrase, rank, newest
    return [_MentionHit(id_, case_id, rank, bool(is_phrase)) for id_, case_id, rank, is_phrase in rows]


def _reads_by_window(session: Session, query: SearchQuery) -> bool:
    """Whether PostgreSQL reads the matches window by window of the newest ids (``_read_newest_first``).

    Only words and handles alone: their matches lie evenly among the ids. A date range or a case's
    team, status or category leave fewer matches that lie where they lie, which the indexes on
    those find in one read.
    """
    return (
        _dialect(session) == "postgresql"
        and query.uses_index
        and not (query.has_case_filters or query.after or query.before)
    )


@dataclass(frozen=True, slots=True)
class _Window:
    """A range of message ids: the conditions that keep a read inside it, and its newest-first order."""

    conditions: tuple[ColumnElement[bool], ...]
    newest: ColumnElement[Any]


def _read_newest_first(session: Session, *, wanted: int, read: Callable[[_Window, int], int]) -> None:
    """Call ``read(window, still_wanted)`` on windows of message ids, newest first, until enough.

    PostgreSQL's GIN index answers in no useful order, so reading every match of a common word (a
    fifth of 100,000 messages hold "bag") to keep the newest costs a heap page a match. The newest
    ids hold enough of them: the newest ``FIRST_WINDOW`` ids are read first, then a window sized by
    what that one held, then, if still short, every older id at once: the matches of a rare word
    are best read by the index alone. ``read`` answers how many it found. What is found is what
    reading every match would find.
    """
    upper = session.scalar(select(func.max(Mention.id)))
    width: int | None = FIRST_WINDOW
    found = 0
    for number in range(3):  # the newest ids, a window sized by what they held, every older id
        if upper is None or upper <= 0 or found >= wanted:
            return
        lower = upper - width if width is not None else 0
        if lower > 0:
            # walking the key backwards stops at the limit, and at the window's end at the latest
            window = _Window((Mention.id <= upper, Mention.id > lower), Mention.id.desc())
        else:
            # "+ 0": with no window to end it, a walk backwards along the key that PostgreSQL hopes
            # stops soon may test every older message (two common words that seldom meet look
            # common together), so the matches are found by the index first, then sorted
            window = _Window((Mention.id <= upper,), (Mention.id + 0).desc())
        in_window = read(window, wanted - found)
        found += in_window
        if number == 0 and width is not None:
            width = next_window(width, in_window=in_window, still_wanted=wanted - found)
        else:
            width = None
        upper = lower


def next_window(width: int, *, in_window: int, still_wanted: int) -> int | None:
    """How many ids the next window spans: at the last one's density, half as many again as are
    still wanted; None (every older id) when the last held none (a rare word, or one not written
    lately: the index finds those cheaply) or the next would span over four times as many ids."""
    if in_window == 0:
        return None
    wider = math.ceil(still_wanted * 1.5 * width / in_window)
    return wider if wider <= 4 * width else None


def _name_index_conditions(names: ColumnElement[str], values: Sequence[str]) -> list[ColumnElement[bool]]:
    """LIKE conditions on ``customer_fts`` that its trigram index answers, and exact ones after.

    The index answers a LIKE without ESCAPE of three or more characters; "_" (a word character)
    is a wildcard there, so a value is looked up by its pieces between them, and compared exactly
    (escaped, row by row) after. SQLite 3.40 crashes on a shorter unescaped pattern next to another.
    """
    conditions: list[ColumnElement[bool]] = []
    for value in values:
        pieces = [piece for piece in value.split("_") if len(piece) >= 3]
        conditions += [names.like("%" + piece + "%") for piece in pieces]
        if pieces != [value]:
            conditions.append(names.like(_like_anywhere(value), escape="\\"))
    return conditions


def _matching_customers(session: Session, query: SearchQuery, *, brand_id: int) -> Select[int, str] | None:
    """The brand's customers whose name or handles hold every word (and a from: handle).

    The name index (``index.customer_fts`` / pg_trgm) finds them; no customer is read otherwise.
    """
    if query.has_case_filters or query.after or query.before:
        return None  # those describe cases and messages, not people
    conditions: list[ColumnElement[bool]] = [Customer.brand_id == brand_id]
    values = list(query.words) + [" ".join(p) for p in query.phrases]
    if values and _dialect(session) == "sqlite":
        names: ColumnElement[str] = index.customer_fts.c.names
        found = select(index.customer_fts.c.rowid).where(*_name_index_conditions(names, values))
        conditions.append(Customer.id.in_(found))
    for value in values if _dialect(session) != "sqlite" else []:
        pattern = _like_anywhere(value)
        # a union of two index reads (pg_trgm on each): an OR across the tables would read every one
        by_name = select(Customer.id).where(func.lower(Customer.display_name).like(pattern, escape="\\"))
        by_handle = select(Identity.customer_id).where(
            Identity.brand_id == brand_id, func.lower(Identity.handle).like(pattern, escape="\\")
        )
        conditions.append(Customer.id.in_(by_name.union(by_handle)))
    conditions += [
        Customer.id.in_(
            select(Identity.customer_id).where(
                Identity.brand_id == brand_id, func.lower(Identity.handle) == handle.lower()
            )
        )
        for handle in query.handles
    ]
    return select(Customer.id, Customer.display_name).where(*conditions)


def search(
    session: Session, query: SearchQuery, *, brand_id: int, limit: int = 20, mask_pii: bool = False
) -> SearchResults:
    """The best ``limit`` results of every kind, and how many matched in all."""
    if mask_pii:
        refuse_personal_data(query)
        refuse_known_personal_data(session, query, brand_id=brand_id)
    note_shown(session, [brand_id])
    # the candidates are every match up to CANDIDATES, so they are what ``total`` counts too: one
    # pass over the index, not a second one to count
    candidates = _ranked_mentions(session, query, brand_id=brand_id, limit=CANDIDATES)
    words = _searched_words(query)
    if mask_pii and words:
        in_the_open = _found_in_the_open(session, query, brand_id=brand_id)
        candidates = [hit for hit in candidates if hit.id in in_the_open]
    counted = len(candidates) + len({hit.case_id for hit in candidates if hit.case_id is not None})
    hits = candidates[:RANKED_MENTIONS]
    best_of_case: dict[int, _MentionHit] = {}
    for hit in hits:
        if hit.case_id is not None:
            best_of_case.setdefault(hit.case_id, hit)
    customers_query = _matching_customers(session, query, brand_id=brand_id)
    customers = (
        list(session.execute(customers_query.order_by(Customer.id).limit(MAX_CUSTOMERS)))
        if customers_query is not None
        else []
    )
    if mask_pii and words:
        shown = _customers_in_the_open(session, [customer_id for customer_id, _ in customers], words)
        customers = [row for row in customers if row[0] in shown]
    total = counted + len(customers)
    customers = customers[:limit]
    # (is a phrase match, kind, position in rank) orders the list; then the best ``limit`` are read
    ordered: list[tuple[tuple[int, int, int], str, Any]] = []
    for position, (case_id, hit) in enumerate(best_of_case.items()):
        ordered.append(((0 if hit.is_phrase else 1, KIND_ORDER["case"], position), "case", (case_id, hit)))
    for position, hit in enumerate(hits[:limit]):
        ordered.append(((0 if hit.is_phrase else 1, KIND_ORDER["mention"], position), "mention", hit))
    for position, row in enumerate(customers):
        ordered.append(((1, KIND_ORDER["customer"], position), "customer", row))
    ordered.sort(key=lambda item: item[0])
    chosen = ordered[:limit]
    shown_mentions = [
        item[1].id if kind == "case" else item.id for _, kind, item in chosen if kind != "customer"
    ]
    texts = _mention_texts(session, brand_id=brand_id, ids=shown_mentions)
    mask = _personal_data_mask(session, mention_ids=shown_mentions) if mask_pii else None
    terms = query.highlight_terms
    results: list[SearchResultRead] = []
    for _, kind, item in chosen:
        if kind == "customer":
            customer_id, name = item
            text = _customer_line(session, customer_id=customer_id, name=name)
            results.append(_result("customer", customer_id, None, text, terms, mask))
        elif kind == "case":
            case_id, hit = item
            results.append(_result("case", case_id, case_id, texts.get(hit.id, ""), terms, mask))
        else:
            results.append(_result("mention", item.id, item.case_id, texts.get(item.id, ""), terms, mask))
    return SearchResults(results=results, total=total)


def _personal_data_mask(session: Session, *, mention_ids: Iterable[int]) -> Callable[[str], str]:
    """Masks what the analyzer finds in a text and every value found in the messages of the shown
    messages' cases and customers (a booking reference the customer repeats bare), before the
    excerpt is cut: a value the cut split would no longer be recognised."""
    note_shown_messages(session, mention_ids=mention_ids)
    known = shown_personal_values(session)
    return lambda text: known.mask(mask_found(text))


def _result(
    kind: Kind,
    id_: int,
    case_id: int | None,
    text: str,
    terms: Sequence[str],
    mask: Callable[[str], str] | None,
) -> SearchResultRead:
    shown = mask(text) if mask is not None else text
    snippet = snippets.excerpt(shown, terms)
    return SearchResultRead(
        kind=kind,
        id=id_,
        case_id=case_id,
        snippet=snippet,
        highlights=snippets.highlights(snippet, terms),
    )


def _mention_texts(session: Session, *, brand_id: int, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    # by id alone: with the brand in the WHERE, SQLite walks the brand's index instead
    rows = session.execute(select(Mention.id, Mention.brand_id, Mention.text).where(Mention.id.in_(ids)))
    return {row.id: row.text for row in rows if row.brand_id == brand_id}


def _customer_line(session: Session, *, customer_id: int, name: str) -> str:
    handles = session.execute(
        select(Identity.channel, Identity.handle)
        .where(Identity.customer_id == customer_id)
        .order_by(Identity.id)
    ).all()
    return " · ".join([name, *(f"{handle} ({channel})" for channel, handle in handles)])


def matching_case_ids(
    session: Session, query: SearchQuery, *, brand_id: int, mask_pii: bool = False
) -> list[int]:
    """Ids of the brand's cases a search finds: up to ``MAX_CASE_IDS`` by their messages, the
    newest (a desk works on what is current; the oldest hid every case open today from the inbox
    of a brand with thousands that match), and up to as many of their customers' newest cases."""
    if mask_pii:
        refuse_personal_data(query)
        refuse_known_personal_data(session, query, brand_id=brand_id)
        if _searched_words(query):
            return _open_case_ids(session, query, brand_id=brand_id)
    if not (query.uses_index or query.handles or query.after or query.before):
        # only status:, team:, category: — they describe cases, so the cases answer alone
        cases = _matching_cases(session, query, brand_id=brand_id)
        if query.statuses or query.teams:
            return sorted(session.scalars(cases.order_by(Case.id.desc()).limit(MAX_CASE_IDS)))
        # category: alone: the cases of the newest messages in it
        return sorted(_newest_case_ids(session, cases))
    if _dialect(session) == "postgresql" and query.uses_index and not (query.after or query.before):
        # window by window even with a status:, team: or category: filter: sorting every match of a
        # common word and a status to keep the newest took half as long again (a date bounds it)
        by_message = _matching_mentions(session, query, brand_id=brand_id, columns=(Mention.case_id,))
        found = _newest_case_ids(session, by_message)
    else:
        found = _cases_of_newest_messages(session, query, brand_id=brand_id)
    customers = _matching_customers(session, query, brand_id=brand_id)
    if customers is not None:
        customer_ids = select(customers.subquery().c.id)
        brand: ColumnElement[int] = Case.__table__.c.brand_id
        if _dialect(session) == "sqlite":  # the customers' own cases, by the customer index
            brand = literal_column('+"case".brand_id', Integer)
        found |= set(
            session.scalars(
                select(Case.id)
                .where(brand == brand_id, Case.customer_id.in_(customer_ids))
                .order_by(Case.id.desc())
                .limit(MAX_CASE_IDS)
            )
        )
    return sorted(found)


def _cases_of_newest_messages(session: Session, query: SearchQuery, *, brand_id: int) -> set[int]:
    """The cases of the newest matching messages, up to ``MAX_CASE_IDS``.

    SQLite reads words in the FTS table's own order (as ``_ranked_mentions`` does) a page of
    messages at a time, and stops when it has enough; otherwise the filters' indexes find the
    matches and each case is ranked by its newest one in a single pass (a walk back along the ids,
    testing every newer message, took twice as long on PostgreSQL; pages would read them again).
    """
    if not (query.uses_index and _dialect(session) == "sqlite"):
        matches = _matching_mentions(session, query, brand_id=brand_id, columns=(Mention.case_id,))
        return set(session.scalars(_by_newest_message(matches).limit(MAX_CASE_IDS)))
    key = index.fts.c.rowid
    newest = (
        _matching_mentions(session, query, brand_id=brand_id, columns=(key, Mention.case_id), ranked=True)
        .where(Mention.case_id.is_not(None))
        .order_by(key.desc())
        .limit(MAX_CASE_IDS)
    )
    found: dict[int, None] = {}
    page = newest
    while True:
        rows = session.execute(page).all()
        for _, case_id in rows:
            if len(found) < MAX_CASE_IDS:
                found.setdefault(case_id)
        if len(rows) < MAX_CASE_IDS or len(found) >= MAX_CASE_IDS:
            return set(found)
        page = newest.where(key < rows[-1][0])


def _by_newest_message(by_message: Select[Any]) -> Select[Any]:
    """The cases of the messages ``by_message`` selects (it selects their ``case_id``), each ranked
    by its newest one; messages without a case (a plain repost) left out."""
    case_id = by_message.selected_columns[0]
    return by_message.where(case_id.is_not(None)).group_by(case_id).order_by(func.max(Mention.id).desc())


def _newest_case_ids(session: Session, by_message: Select[Any]) -> set[int]:
    """The cases of the newest messages ``by_message`` selects, up to ``MAX_CASE_IDS``: windows of
    the newest message ids first (``_read_newest_first``), each window's cases newest first."""
    found: dict[int, None] = {}

    def read(window: _Window, wanted: int) -> int:
        before = len(found)
        # every row of the window is read: a limit on its rows could stop short of cases it holds
        newest = _by_newest_message(by_message.where(*window.conditions))
        for found_id in session.scalars(newest.limit(wanted + len(found))):
            if len(found) < MAX_CASE_IDS:
                found.setdefault(found_id)
        return len(found) - before

    _read_newest_first(session, wanted=MAX_CASE_IDS, read=read)
    return set(found)


@dataclass(frozen=True, slots=True)
class HitPlace:
    """Where a hit sits, for the search page to say: its case's status and opening, or when and on
    which channel a message was written."""

    status: str | None = None
    at: datetime | None = None
    channel: str | None = None


def hit_places(
    session: Session, results: Sequence[SearchResultRead], *, brand_id: int
) -> dict[tuple[str, int], HitPlace]:
    """Each case and message hit's place, by (kind, id); two short reads by id, held to the brand."""
    case_ids = [hit.id for hit in results if hit.kind == "case"]
    mention_ids = [hit.id for hit in results if hit.kind == "mention"]
    found: dict[tuple[str, int], HitPlace] = {}
    if case_ids:
        for case_id, status, opened in session.execute(
            select(Case.id, Case.status, Case.opened_at).where(
                Case.id.in_(case_ids), Case.brand_id == brand_id
            )
        ):
            found["case", case_id] = HitPlace(status=CaseStatus(status).value, at=opened)
    if mention_ids:
        for mention_id, written, channel in session.execute(
            select(Mention.id, Mention.created_at, Mention.channel).where(
                Mention.id.in_(mention_ids), Mention.brand_id == brand_id
            )
        ):
            found["mention", mention_id] = HitPlace(at=written, channel=channel)
    return found


def without_repeats(results: Sequence[SearchResultRead]) -> list[SearchResultRead]:
    """The hits less each message that says what its case's own hit above already says (a case is
    found by its best message, so both showed the same words)."""
    shown = {(hit.id, hit.snippet) for hit in results if hit.kind == "case"}
    return [hit for hit in results if hit.kind != "mention" or (hit.case_id, hit.snippet) not in shown]
