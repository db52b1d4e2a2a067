"""The one writer of the per-case outcome rows (``case_outcome``, ``case_open_span``).

``outcome_rows`` works each case's row out of its facts (the event log's status moves, the case
row, its customer's messages and their sentiment, its survey, its replies) through the same
definitions the figures use (``metrics.definitions``), so the table cannot say other than the
event log. ``refresh_case_outcomes`` rewrites the rows of a set of cases at once.

The rows are kept current without every writer of those facts calling in: ``install`` hooks the
ORM sessions so that each flush notes the cases whose facts it touched (a case row, a message, an
enrichment, a survey, a reply, an event about a case, also by bulk UPDATE/DELETE/INSERT) and the
commit refreshes them all, in the same transaction, once per transaction. A pipeline batch of
hundreds of cases is one refresh. ``install`` is called by every edge that opens sessions (the
web app, the CLI, the runners, the tests).

The day rows (``case_outcome_day``, ``mention_voice_day``) are sums over cases and messages, so a
refresh adds to them what it changes: the touched cases' rows and spans as stored before are
taken off and the new ones added (``outcome_days.day_deltas``; a case that comes out as it was
adds nothing), the work following the cases touched, not how many cases their days hold. Two
things a sum cannot take away are read again, from one day's entries of an index, only when
needed: a resolved group's earliest or latest opening when the case holding it leaves, and the
debt's sums of a row left with no count (spans that begin and end at one midnight). A bulk delete
of cases or messages takes them off the day rows before the database drops their rows. How it
stays right: every write of the outcome, span and voice rows passes here and adds exactly its
difference, so the day rows stay what ``rebuild_days`` sums (a test checks this after each of
many random transactions); two transactions adding to a brand's day rows take turns, on
PostgreSQL through an advisory lock per brand held to the commit (``_lock_days``: a day row is
read, added to, written back; a rebuild of the day rows takes it too), on SQLite through its one
writer. A day row written around this
module stays wrong until ``ombuds metrics rebuild`` repairs it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, delete, event, func, insert, literal, select, update
from sqlalchemy import case as when
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, aliased, attributes, sessionmaker

from ombuds.cases.models import Case
from ombuds.clock import as_utc
from ombuds.db import transaction
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Mention
from ombuds.mentions.values import Direction
from ombuds.metrics import definitions as d
from ombuds.metrics import outcome_days, outcome_reads, queries
from ombuds.metrics.outcome_models import (
    SCOPE,
    STILL_OPEN,
    CaseOpenSpan,
    CaseOutcome,
    CaseOutcomeDay,
    MentionVoice,
    MentionVoiceDay,
)

_NOTED = "ombuds.metrics.rollup.cases"
_NOTED_MENTIONS = "ombuds.metrics.rollup.mentions"
#: the tables whose rows hold a case's facts, and the column that names the case (or the message)
_CASE_COLUMN = {"case": "id", "mention": "case_id", "survey": "case_id", "reply": "case_id"}


# --- the rows -------------------------------------------------------------------------------------


def outcome_rows(
    session: Session, case_ids: Collection[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``case_outcome`` rows and the ``case_open_span`` rows of the cases that still exist."""
    rows: list[dict[str, Any]] = []
    spans: list[dict[str, Any]] = []
    for chunk in queries.chunks(case_ids):
        cases = session.execute(select(*_FACTS).where(Case.id.in_(chunk))).all()
        ids = [case.id for case in cases]
        moves = queries.status_moves(session, ids)
        surveys = queries._surveys(session, ids)
        said = queries.message_facts(session, {case.id: case.first_responded_at for case in cases})
        for case in cases:
            row = _row(
                case,
                moves=moves.get(case.id, []),
                surveyed=case.id in surveys,
                score=surveys.get(case.id),
                sentiments=said.sentiments.get(case.id, []),
                followers=said.followers.get(case.id, 0),
                replied=said.replied.get(case.id),
                category=said.categories.get(case.id),
            )
            rows.append(row)
            if row["is_negative"]:
                weight = d.reach(row["followers"])
                opened = row["opened_at"]
                spans += [
                    {
                        "case_id": case.id,
                        "brand_id": case.brand_id,
                        "opened_at": opened,
                        "starts_at": begins,
                        "ends_at": ends or STILL_OPEN,
                        "reach": weight,
                        "reach_opened": weight * opened.timestamp(),
                        **{name: row[name] for name in SCOPE},
                    }
                    for begins, ends in d.open_spans(moves.get(case.id, []), opened_at=opened)
                ]
    return rows, spans


_FACTS = (
    Case.id,
    Case.brand_id,
    Case.team_id,
    Case.assignee_id,
    Case.channel,
    Case.opened_at,
    Case.first_contact_resolution,
    Case.handoffs,
    Case.first_response_business_seconds,
    Case.resolution_business_seconds,
    Case.first_response_due_at,
    Case.first_responded_at,
    Case.resolve_due_at,
)


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def _row(
    case: Any,
    *,
    moves: list[d.StatusMove],
    surveyed: bool,
    score: int | None,
    sentiments: list[str | None],
    followers: int,
    replied: d.ReplyOutcome | None,
    category: str | None,
) -> dict[str, Any]:
    first = d.first_resolution(moves)
    experience = d.experience(survey_score=score, sentiments=sentiments)
    return {
        "case_id": case.id,
        "brand_id": case.brand_id,
        "team_id": case.team_id,
        "assignee_id": case.assignee_id,
        "channel": case.channel,
        "category": category,
        "opened_at": as_utc(case.opened_at),
        "is_junk": any(move.resolved_as in d.NOT_A_PROBLEM for move in moves),
        "resolved_at": first.at if first else None,
        "resolution_is_problem": bool(first and first.is_problem),
        "reopened_within_window": bool(first and d.reopened_within(moves, resolved_at=first.at)),
        "first_contact_resolution": case.first_contact_resolution,
        "handoffs": case.handoffs,
        "first_response_seconds": case.first_response_business_seconds,
        "resolution_seconds": case.resolution_business_seconds,
        "met_sla": None
        if first is None
        else d.met_sla(
            first_response_due_at=_utc(case.first_response_due_at),
            first_responded_at=_utc(case.first_responded_at),
            resolve_due_at=_utc(case.resolve_due_at),
            resolved_at=first.at,
        ),
        "survey_sent": surveyed,
        "survey_score": score,
        "experience": None if experience is None else experience.value,
        "is_negative": d.was_negative(survey_score=score, sentiments=sentiments),
        "followers": followers,
        "sentiment_before": replied.sentiment_before if replied else None,
        "sentiment_after": replied.sentiment_after if replied else None,
        "public_complaint": bool(replied and replied.public_complaint),
        "closed_in_public": bool(replied and replied.closed_in_public),
    }


def refresh_case_outcomes(
    session: Session, case_ids: Collection[int], *, days: bool = True, forget: bool = False
) -> int:
    """Rewrite the outcome rows of these cases from their facts (a case gone, or ``forget``: its
    rows go too), and add what that changes to the day rows (``days``: a rebuild sums every day
    once at its end instead).

    Set-based: a few reads per 900 cases, one upsert. On PostgreSQL the cases are locked first (in
    id order), so two transactions refreshing one case write the facts the later one sees.
    """
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        for chunk in queries.chunks(ids):
            session.execute(select(Case.id).where(Case.id.in_(chunk)).order_by(Case.id).with_for_update())
    stored_rows, stored_spans = _stored(session, ids) if days else ([], [])
    rows, spans = ([], []) if forget else outcome_rows(session, ids)
    new_spans = _changed_spans(session, ids, spans)
    kept = {row["case_id"] for row in rows}
    gone = [case_id for case_id in ids if case_id not in kept]
    for chunk in queries.chunks(gone):
        session.execute(
            delete(CaseOutcome).where(CaseOutcome.case_id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )
    # a case whose row comes out as stored is not written again (most a pipeline round touches)
    kept_as_stored = _as_stored(rows, stored_rows)
    written = [row for row in rows if row["case_id"] not in kept_as_stored]
    for start in range(0, len(written), queries.CHUNK):
        _upsert(session, CaseOutcome.__table__, "case_id", written[start : start + queries.CHUNK])  # type: ignore[arg-type]
    if new_spans:
        session.execute(insert(CaseOpenSpan), new_spans)
    if days:
        was, now = _changed_cases((stored_rows, stored_spans), (rows, spans))
        before, after = _contributions(*was), _contributions(*now)
        for brand_id in sorted(before.keys() | after.keys()):
            empty: outcome_days.Contributions = ([], [], [])
            deltas = outcome_days.day_deltas(before.get(brand_id, empty), after.get(brand_id, empty))
            _add_to_days(session, brand_id, deltas)
        # the voice counts per team, agent, channel and category follow a case that changed them
        held_before = {row["case_id"]: _scope_of(row) for row in stored_rows}
        held_now = {row["case_id"]: _scope_of(row) for row in rows}
        moved = [case_id for case_id in ids if held_before.get(case_id) != held_now.get(case_id)]
        _move_voice(session, moved, held_before, held_now)
    return len(rows)


#: what the day rows hold of a case's outcome row
_DAY_FACTS = (
    CaseOutcome.brand_id,
    *outcome_reads.RESOLVED_FACTS,
    CaseOutcome.is_junk,
    CaseOutcome.resolution_is_problem,
    *(getattr(CaseOutcome, name) for name in SCOPE),
)
#: a case's outcome row as stored, every column (the day rows' facts among them)
_STORED_ROW = tuple(CaseOutcome.__table__.columns)
_STORED_SPAN = tuple(
    getattr(CaseOpenSpan, name)
    for name in ("case_id", "brand_id", "starts_at", "opened_at", "ends_at", "reach", "reach_opened", *SCOPE)
)


def _stored(session: Session, ids: list[int]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The cases' outcome rows and open spans as stored (what the day rows hold of them)."""
    rows: list[dict[str, Any]] = []
    spans: list[dict[str, Any]] = []
    for chunk in queries.chunks(ids):
        rows += [
            dict(row)
            for row in session.execute(select(*_STORED_ROW).where(CaseOutcome.case_id.in_(chunk))).mappings()
        ]
        spans += [
            dict(span)
            for span in session.execute(
                select(*_STORED_SPAN).where(CaseOpenSpan.case_id.in_(chunk))
            ).mappings()
        ]
    return rows, spans


_Rows = tuple[list[dict[str, Any]], list[dict[str, Any]]]


def _changed_cases(before: _Rows, after: _Rows) -> tuple[_Rows, _Rows]:
    """The rows and spans, before and after, of the cases whose day-row sums may change: a case
    whose row and spans come out as they were stored adds and takes away the same, so it is left
    out (most cases a transaction touches keep most facts)."""

    def facts(rows: list[dict[str, Any]], spans: list[dict[str, Any]]) -> dict[int, Any]:
        found: dict[int, Any] = {row["case_id"]: [_facts(row, _ROW_NAMES), []] for row in rows}
        for span in spans:
            found.setdefault(span["case_id"], [None, []])[1].append(_facts(span, _SPAN_NAMES))
        return {case_id: (row, sorted(held, key=repr)) for case_id, (row, held) in found.items()}

    was, now = facts(*before), facts(*after)
    same = {case_id for case_id, held in was.items() if now.get(case_id) == held}
    return tuple(  # type: ignore[return-value]
        (
            [row for row in rows if row["case_id"] not in same],
            [span for span in spans if span["case_id"] not in same],
        )
        for rows, spans in (before, after)
    )


def _facts(row: Mapping[str, Any], names: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(as_utc(row[name]) if isinstance(row[name], datetime) else row[name] for name in names)


_ROW_NAMES = tuple(column.key for column in _DAY_FACTS)
_ALL_NAMES = tuple(column.key for column in _STORED_ROW)


def _as_stored(rows: list[dict[str, Any]], stored: list[dict[str, Any]]) -> set[int]:
    """The cases whose new outcome row is the one stored, column for column."""
    was = {row["case_id"]: _facts(row, _ALL_NAMES) for row in stored}
    return {row["case_id"] for row in rows if was.get(row["case_id"]) == _facts(row, _ALL_NAMES)}


_SPAN_NAMES = tuple(column.key for column in _STORED_SPAN)
_RESOLVED_NAMES = tuple(column.key for column in outcome_reads.RESOLVED_FACTS)
#: any midnight a span begins or ceases to hold at (a span still open ceases at none)
_EVER = (datetime(1, 1, 2, tzinfo=UTC), STILL_OPEN)


def _contributions(
    rows: Iterable[Mapping[str, Any]], spans: Iterable[Mapping[str, Any]]
) -> dict[int, outcome_days.Contributions]:
    """Per brand, what outcome rows and spans add to the day rows (``outcome_days.day_rows``)."""
    found: dict[int, Any] = {}
    for row in rows:
        resolved, opened, _ = found.setdefault(row["brand_id"], ([], [], []))
        held = {name: row[name] for name in SCOPE}
        opened_at = as_utc(row["opened_at"])
        if row["resolution_is_problem"] and row["resolved_at"] is not None:
            facts = tuple(row[name] for name in _RESOLVED_NAMES)
            resolved.append((outcome_reads.resolved_case(facts, opened_in_period=False), held, opened_at))
        if not row["is_junk"]:
            opened.append({**held, "opened_at": opened_at})
    for span in spans:
        _, _, changes = found.setdefault(span["brand_id"], ([], [], []))
        changes += outcome_days.span_changes(
            [
                (
                    {name: span[name] for name in SCOPE},
                    as_utc(span["starts_at"]),
                    as_utc(span["opened_at"]),
                    as_utc(span["ends_at"]),
                    span["reach"],
                    span["reach_opened"],
                )
            ],
            *_EVER,
        )
    return found


#: the first key of the day rows' advisory locks (the second is the brand id); "OD", apart from
#: the runner's brand locks
DAY_ROWS_LOCK_CLASS = 0x4F44


def _lock_days(session: Session, brand_id: int) -> None:
    """On PostgreSQL, hold the brand's day rows until the commit: a day row is read, added to and
    written back, so two transactions adding to the brand's days take turns (the later one reads
    what the earlier one wrote, and neither inserts a row the other has just inserted). One lock a
    brand, not one a day: a transaction adding to several days in two steps (the outcome day
    rows, then the voice's) cannot hold one day another waits on while waiting for one that other
    holds. SQLite's one writer at a time does the same by itself."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(DAY_ROWS_LOCK_CLASS, brand_id)))


def _lock_brands(session: Session, brand_id: int | None) -> None:
    """``_lock_days`` for a rebuild: one brand's, or every brand's with day rows or outcome rows."""
    if session.get_bind().dialect.name != "postgresql":
        return
    brands = (
        [brand_id]
        if brand_id is not None
        else session.scalars(
            select(CaseOutcome.brand_id).union(select(CaseOutcomeDay.brand_id), select(MentionVoice.brand_id))
        )
    )
    for brand in sorted(brands):
        _lock_days(session, brand)


def _stored_days(
    session: Session, table: type[CaseOutcomeDay] | type[MentionVoiceDay], brand_id: int, days: set[datetime]
) -> list[dict[str, Any]]:
    """The brand's stored rows of ``table`` on these days (every dimension), read under the brand's
    day-row lock, so no other transaction adds to them before this one commits."""
    _lock_days(session, brand_id)
    columns = tuple(table.__table__.columns)
    found: list[dict[str, Any]] = []
    for some in queries.chunks(sorted(days)):
        query = select(*columns).where(
            table.brand_id == brand_id,
            table.dimension.in_(list(outcome_days.DIMENSIONS)),
            table.day.in_(some),
        )
        found.extend(map(dict, session.execute(query).mappings()))
    return found


def _write_days(
    session: Session,
    table: type[CaseOutcomeDay] | type[MentionVoiceDay],
    written: list[dict[str, Any]],
    gone: list[int],
) -> None:
    """Store ``written`` day rows (updated where they carry an id, inserted where not) and delete
    the rows of ids ``gone``."""
    updates = [row for row in written if row.get("id") is not None]
    inserts = [{k: v for k, v in row.items() if k != "id"} for row in written if row.get("id") is None]
    if updates:
        session.execute(update(table), updates)
    if inserts:
        session.execute(insert(table), inserts)
    for chunk in queries.chunks(gone):
        session.execute(
            delete(table).where(table.id.in_(chunk)), execution_options={"synchronize_session": False}
        )


def _add_to_days(
    session: Session, brand_id: int, deltas: Mapping[outcome_days.Key, outcome_days.DayDelta]
) -> None:
    """Add what some cases' rewrite changes (``outcome_days.day_deltas``) to the brand's stored day
    rows: work in proportion to the cases rewritten, not to the cases of their days."""
    if not deltas:
        return
    stored = {
        outcome_days.key_of(found): found
        for found in _stored_days(session, CaseOutcomeDay, brand_id, {key[0] for key in deltas})
    }
    written: list[dict[str, Any]] = []
    gone: list[int] = []
    for key, delta in deltas.items():
        found = outcome_days.merged(brand_id, key, stored.get(key), delta)
        row: dict[str, Any] | None = found.row
        if row is not None and found.bounds:
            row["min_opened_at"], row["max_opened_at"] = _opened_bounds(session, brand_id, key)
        if row is not None and found.debt:
            # the spans of the row's own group alone: a case routed away from the team it was
            # opened without empties that group's row in every batch, and the day's other spans
            # (all of them, read for each such row) were most of the refresh's reads
            day, dimension, value = key
            group = (outcome_days.DIMENSIONS[dimension], value)
            changes = _span_changes(session, brand_id, day, day + outcome_days.DAY, group=group)
            rows = outcome_days.day_rows(brand_id, [], [], changes)
            exact = {outcome_days.key_of(exact): exact for exact in rows}.get(key)
            if exact is None:
                row = None  # nothing left in it: as a rebuild, no row
            else:
                row.update({name: exact[name] for name in ("debt_spans", "debt_reach", "debt_reach_opened")})
        if row is None:
            if key in stored:
                gone.append(stored[key]["id"])
        else:
            written.append(row)
    _write_days(session, CaseOutcomeDay, written, gone)


def _opened_bounds(
    session: Session, brand_id: int, key: outcome_days.Key
) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest opening of the cases first resolved on a day row's day and group,
    read on the (brand, resolution) index: one day's entries."""
    day, dimension, value = key
    query = select(func.min(CaseOutcome.opened_at), func.max(CaseOutcome.opened_at)).where(
        CaseOutcome.brand_id == brand_id,
        CaseOutcome.resolved_at >= day,
        CaseOutcome.resolved_at < day + outcome_days.DAY,
        CaseOutcome.resolution_is_problem.is_(True),
    )
    column = outcome_days.DIMENSIONS[dimension]
    if column is not None:
        held = CaseOutcome.__table__.c[column]
        query = query.where(held.is_(None) if value is None else held == value)
    low, high = session.execute(query).one()
    return _utc(low), _utc(high)


def _move_voice(
    session: Session,
    case_ids: list[int],
    held_before: Mapping[int, tuple[Any, ...]],
    held_now: Mapping[int, tuple[Any, ...]],
) -> None:
    """The voice day rows of the cases' messages, counted for the team, agent, channel and category
    each case held before instead (None: no outcome row, no group but the brand's)."""
    before: dict[int, list[Any]] = {}
    after: dict[int, list[Any]] = {}
    for chunk in queries.chunks(case_ids):
        # found through the messages' case index (the voice rows have none on their case); a
        # message's voice row names its case as the message does once its refresh has run, which
        # ``refresh_noted`` does before the cases'
        messages = select(Mention.id).where(Mention.case_id.in_(chunk))
        query = select(*_VOICE_READ).where(
            MentionVoice.mention_id.in_(messages), MentionVoice.case_id.in_(chunk)
        )
        for voice in session.execute(query).mappings():
            was, now = held_before.get(voice["case_id"]), held_now.get(voice["case_id"])
            before.setdefault(voice["brand_id"], []).append((voice, _scope_dict(was)))
            after.setdefault(voice["brand_id"], []).append((voice, _scope_dict(now)))
    for brand_id in sorted(before):
        _add_to_voice_days(session, brand_id, outcome_days.voice_deltas(before[brand_id], after[brand_id]))


def _scope_dict(held: tuple[Any, ...] | None) -> dict[str, Any] | None:
    return None if held is None else dict(zip(SCOPE, held, strict=True))


def _scope_of(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[name] for name in SCOPE)


def _held(session: Session, ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """The team, agent, channel and category the cases' stored outcome rows hold."""
    found: dict[int, tuple[Any, ...]] = {}
    for chunk in queries.chunks(ids):
        query = select(CaseOutcome.case_id, *_HELD).where(CaseOutcome.case_id.in_(chunk))
        found.update((row[0], tuple(row[1:])) for row in session.execute(query))
    return found


# --- the day rows: the outcome rows summed per day ----------------------------------------------


_HELD = tuple(getattr(CaseOutcome, name) for name in SCOPE)


def _sum_days(session: Session, brand_id: int, first: datetime, end: datetime) -> None:
    session.execute(
        delete(CaseOutcomeDay).where(
            CaseOutcomeDay.brand_id == brand_id, CaseOutcomeDay.day >= first, CaseOutcomeDay.day < end
        ),
        execution_options={"synchronize_session": False},
    )
    resolved = session.execute(
        select(*outcome_reads.RESOLVED_FACTS, *_HELD).where(
            CaseOutcome.brand_id == brand_id,
            CaseOutcome.resolved_at >= first,
            CaseOutcome.resolved_at < end,
            CaseOutcome.resolution_is_problem.is_(True),
        )
    )
    sized = len(outcome_reads.RESOLVED_FACTS)
    cases = [
        (
            outcome_reads.resolved_case(row[:sized], opened_in_period=False),
            dict(zip(SCOPE, row[sized:], strict=True)),
            row[2],
        )
        for row in resolved
    ]
    opened = session.execute(
        select(CaseOutcome.opened_at, *_HELD).where(
            CaseOutcome.brand_id == brand_id,
            CaseOutcome.opened_at >= first,
            CaseOutcome.opened_at < end,
            CaseOutcome.is_junk.is_(False),
        )
    )
    held = [dict(zip(("opened_at", *SCOPE), row, strict=True)) for row in opened]
    rows = outcome_days.day_rows(brand_id, cases, held, _span_changes(session, brand_id, first, end))
    for start in range(0, len(rows), queries.CHUNK):
        session.execute(insert(CaseOutcomeDay), rows[start : start + queries.CHUNK])


_SPAN_READ = (
    CaseOpenSpan.id,
    *(getattr(CaseOpenSpan, name) for name in SCOPE),
    CaseOpenSpan.starts_at,
    CaseOpenSpan.opened_at,
    CaseOpenSpan.ends_at,
    CaseOpenSpan.reach,
    CaseOpenSpan.reach_opened,
)


def _span_changes(
    session: Session,
    brand_id: int,
    first: datetime,
    end: datetime,
    *,
    group: tuple[str | None, Any] = (None, None),
) -> list[outcome_days.SpanChange]:
    """What the brand's open spans change at the midnights in [first, end): the spans that may
    begin to hold at one (begun, or their case opened, since the day before) or cease to; with
    ``group`` (a scope column and its value), only the spans of that team, agent, channel or
    category (the day rows of that group are all they change)."""
    before = first - outcome_days.DAY
    column, value = group
    found: dict[int, tuple[Any, ...]] = {}
    for condition in (
        and_(CaseOpenSpan.starts_at > before, CaseOpenSpan.starts_at < end),
        and_(CaseOpenSpan.opened_at >= before, CaseOpenSpan.opened_at < end),
        and_(CaseOpenSpan.ends_at > before, CaseOpenSpan.ends_at < end),
    ):
        query = select(*_SPAN_READ).where(CaseOpenSpan.brand_id == brand_id, condition)
        if column is not None:
            held = CaseOpenSpan.__table__.c[column]
            query = query.where(held.is_(None) if value is None else held == value)
        found.update((row[0], tuple(row[1:])) for row in session.execute(query))
    sized = len(SCOPE)
    return outcome_days.span_changes(
        (
            (
                dict(zip(SCOPE, row[:sized], strict=True)),
                *(as_utc(at) for at in row[sized : sized + 3]),
                *row[sized + 3 :],
            )
            for row in found.values()
        ),
        first,
        end,
    )


def rebuild_days(session: Session, *, brand_id: int | None = None) -> None:
    """Sum every day row again from the outcome rows and the open spans (of one brand, or all), a
    month at a time."""
    rows = select(
        CaseOutcome.brand_id,
        func.min(CaseOutcome.opened_at),
        func.max(CaseOutcome.opened_at),
        func.min(CaseOutcome.resolved_at),
        func.max(CaseOutcome.resolved_at),
    ).group_by(CaseOutcome.brand_id)
    spans = select(
        CaseOpenSpan.brand_id,
        func.min(CaseOpenSpan.starts_at),
        func.max(CaseOpenSpan.starts_at),
        func.max(when((CaseOpenSpan.ends_at < STILL_OPEN, CaseOpenSpan.ends_at))),
    ).group_by(CaseOpenSpan.brand_id)
    gone = delete(CaseOutcomeDay)
    if brand_id is not None:
        rows = rows.where(CaseOutcome.brand_id == brand_id)
        spans = spans.where(CaseOpenSpan.brand_id == brand_id)
        gone = gone.where(CaseOutcomeDay.brand_id == brand_id)
    _lock_brands(session, brand_id)
    session.execute(gone, execution_options={"synchronize_session": False})
    bounds: dict[int, list[datetime]] = {}
    found: list[Any] = [*session.execute(rows).all(), *session.execute(spans).all()]
    for brand, *moments in found:
        bounds.setdefault(brand, []).extend(as_utc(at) for at in moments if at is not None)
    for brand, held in bounds.items():
        # a span's last midnight is the one after it ends
        day, last = outcome_days.day_of(min(held)), outcome_days.day_of(max(held)) + outcome_days.DAY
        while day <= last:
            end = min(day + 31 * outcome_days.DAY, last + outcome_days.DAY)
            _sum_days(session, brand, day, end)
            day = end


#: a span's columns: a case moved to another team has its spans written again
_SPAN_FACTS = ("case_id", "brand_id", "opened_at", "starts_at", "ends_at", "reach", "reach_opened", *SCOPE)


def _changed_spans(session: Session, ids: list[int], spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Delete the cases' spans that are no longer theirs; answer the new ones not stored yet (a
    refresh that finds nothing new writes nothing: running a stage again changes no row)."""
    wanted = {tuple(span[name] for name in _SPAN_FACTS) for span in spans}
    stale: list[int] = []
    stored: set[tuple[Any, ...]] = set()
    columns = [CaseOpenSpan.id, *(getattr(CaseOpenSpan, name) for name in _SPAN_FACTS)]
    for chunk in queries.chunks(ids):
        for span_id, *facts in session.execute(select(*columns).where(CaseOpenSpan.case_id.in_(chunk))):
            key = tuple(as_utc(v) if isinstance(v, datetime) else v for v in facts)
            if key in wanted and key not in stored:
                stored.add(key)
            else:
                stale.append(span_id)
    for chunk in queries.chunks(stale):
        session.execute(
            delete(CaseOpenSpan).where(CaseOpenSpan.id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )
    return [span for span in spans if tuple(span[name] for name in _SPAN_FACTS) not in stored]


def _upsert(session: Session, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        statement: Any = pg_insert(table)
    else:
        statement = sqlite_insert(table)
    changed = {column.name: statement.excluded[column.name] for column in table.columns if column.name != key}
    # executemany: one compiled statement for any number of rows (a multi-VALUES one compiles per row)
    session.execute(statement.on_conflict_do_update(index_elements=[key], set_=changed), rows)


#: cases per rebuild batch: a bounded transaction's worth
REBUILD_BATCH = 5_000


def _next_batch(session: Session, *, brand_id: int | None, after: int, batch: int) -> list[int]:
    query = select(Case.id).where(Case.id > after).order_by(Case.id).limit(batch)
    if brand_id is not None:
        query = query.where(Case.brand_id == brand_id)
    return list(session.scalars(query))


def _drop_orphans(session: Session, *, brand_id: int | None, days: bool = True) -> None:
    """Rows of cases that no longer exist (a foreign key SQLite did not enforce, say)."""
    stale = select(CaseOutcome.case_id).where(~CaseOutcome.case_id.in_(select(Case.id)))
    if brand_id is not None:
        stale = stale.where(CaseOutcome.brand_id == brand_id)
    refresh_case_outcomes(session, list(session.scalars(stale)), days=days)


def rebuild(
    session: Session,
    *,
    brand_id: int | None = None,
    batch: int = REBUILD_BATCH,
    voice: bool = True,
    days: bool = True,
) -> int:
    """Recompute every case's row (of one brand, or all), ``batch`` cases at a time, in the caller's
    transaction, every message's voice row unless ``voice`` is False, and the day rows unless
    ``days`` is False (a schema before them). Answers how many case rows were written."""
    written = after = 0
    while ids := _next_batch(session, brand_id=brand_id, after=after, batch=batch):
        written += refresh_case_outcomes(session, ids, days=False)
        after = ids[-1]
    _drop_orphans(session, brand_id=brand_id, days=days)
    if days:
        rebuild_days(session, brand_id=brand_id)
    if voice:
        rebuild_voice(session, brand_id=brand_id, days=days)
    return written


def rebuild_in_batches(
    factory: sessionmaker[Session], *, brand_id: int | None = None, batch: int = REBUILD_BATCH
) -> int:
    """``rebuild`` with a transaction per batch: a large desk is never locked for the whole run."""
    written = after = 0
    while True:
        with transaction(factory) as session:
            ids = _next_batch(session, brand_id=brand_id, after=after, batch=batch)
            if not ids:
                _drop_orphans(session, brand_id=brand_id)
                rebuild_days(session, brand_id=brand_id)
                rebuild_voice(session, brand_id=brand_id)
                return written
            written += refresh_case_outcomes(session, ids, days=False)
        after = ids[-1]


# --- the voice of the customer: one row per customer message with a category ---------------------


def voice_rows(session: Session, mention_ids: Collection[int]) -> list[dict[str, Any]]:
    """The ``mention_voice`` rows of these messages: the customer's own, with a category."""
    category, sentiment = aliased(Enrichment), aliased(Enrichment)
    rows: list[dict[str, Any]] = []
    for chunk in queries.chunks(mention_ids):
        query = (
            select(
                Mention.id,
                Mention.brand_id,
                Mention.case_id,
                Mention.created_at,
                category.label,
                sentiment.label,
            )
            .join(category, and_(category.mention_id == Mention.id, category.analyzer == queries.CATEGORY))
            .outerjoin(
                sentiment, and_(sentiment.mention_id == Mention.id, sentiment.analyzer == queries.SENTIMENT)
            )
            .where(Mention.id.in_(chunk), Mention.direction == Direction.INBOUND)
        )
        rows += [
            {
                "mention_id": mention_id,
                "brand_id": brand_id,
                "case_id": case_id,
                "created_at": as_utc(at),
                "category": label,
                "is_negative": mood == d.Experience.NEGATIVE.value,
            }
            for mention_id, brand_id, case_id, at, label, mood in session.execute(query)
            if label
        ]
    return rows


def refresh_mention_voice(
    session: Session, mention_ids: Collection[int], *, days: bool = True, forget: bool = False
) -> int:
    """Rewrite the voice rows of these messages (one gone, without a category, or ``forget``: its
    row goes), and add what that changes to the voice day rows (``days``: a rebuild counts every
    day once at its end instead)."""
    ids = sorted(set(mention_ids))
    before: list[dict[str, Any]] = []
    if days:
        for chunk in queries.chunks(ids):
            query = select(*_VOICE_READ).where(MentionVoice.mention_id.in_(chunk))
            before += [dict(row) for row in session.execute(query).mappings()]
    rows = [] if forget else voice_rows(session, ids)
    kept = {row["mention_id"] for row in rows}
    for chunk in queries.chunks([mention_id for mention_id in ids if mention_id not in kept]):
        session.execute(
            delete(MentionVoice).where(MentionVoice.mention_id.in_(chunk)),
            execution_options={"synchronize_session": False},
        )
    for start in range(0, len(rows), queries.CHUNK):
        _upsert(session, MentionVoice.__table__, "mention_id", rows[start : start + queries.CHUNK])  # type: ignore[arg-type]
    if days:
        # each message counts for its case's team, agent, channel and category as stored now
        cases = {row["case_id"] for row in (*before, *rows) if row["case_id"] is not None}
        held = _held(session, sorted(cases))
        by_brand: dict[int, tuple[list[Any], list[Any]]] = {}
        for side, found in enumerate((before, rows)):
            for row in found:
                scope = _scope_dict(held.get(row["case_id"]))
                by_brand.setdefault(row["brand_id"], ([], []))[side].append((row, scope))
        for brand_id, (was, now) in sorted(by_brand.items()):
            _add_to_voice_days(session, brand_id, outcome_days.voice_deltas(was, now))
    return len(rows)


_VOICE_READ = (
    MentionVoice.mention_id,
    MentionVoice.brand_id,
    MentionVoice.case_id,
    MentionVoice.created_at,
    MentionVoice.category,
    MentionVoice.is_negative,
)


def _add_to_voice_days(
    session: Session, brand_id: int, deltas: Mapping[outcome_days.VoiceKey, tuple[int, int]]
) -> None:
    """Add the messages each voice day row gains or loses (``outcome_days.voice_deltas``) to the
    brand's stored ones; a row left with no message goes, as a recount leaves none."""
    if not deltas:
        return
    stored: dict[outcome_days.VoiceKey, dict[str, Any]] = {}
    for held in _stored_days(session, MentionVoiceDay, brand_id, {key[0] for key in deltas}):
        day, dimension, value = outcome_days.key_of(held)
        stored[(day, dimension, value, held["category_said"])] = held
    written: list[dict[str, Any]] = []
    gone: list[int] = []
    for key, (messages, negative) in deltas.items():
        row = stored.get(key)
        if row is None:
            day, dimension, value, said = key
            column = outcome_days.DIMENSIONS[dimension]
            row = {
                "brand_id": brand_id,
                "day": day,
                "dimension": dimension,
                **{name: value if name == column else None for name in SCOPE},
                "category_said": said,
                "messages": 0,
                "negative": 0,
            }
        row["messages"] += messages
        row["negative"] += negative
        if row["messages"] > 0:
            written.append(row)
        elif row.get("id") is not None:
            gone.append(row["id"])
    _write_days(session, MentionVoiceDay, written, gone)


def refresh_voice_days(session: Session, days: Collection[tuple[int, datetime]]) -> None:
    """Count the voice day rows of these (brand, UTC midnight) days again from the voice rows, for
    the whole brand and per team, agent, channel and category of each message's case now."""
    negative = func.sum(when((MentionVoice.is_negative.is_(True), 1), else_=0))
    for brand_id, day in sorted(set(days)):
        end = day + outcome_days.DAY
        session.execute(
            delete(MentionVoiceDay).where(
                MentionVoiceDay.brand_id == brand_id, MentionVoiceDay.day >= day, MentionVoiceDay.day < end
            ),
            execution_options={"synchronize_session": False},
        )
        rows = []
        for dimension, column in outcome_days.DIMENSIONS.items():
            held = CaseOutcome.__table__.c[column] if column is not None else literal(None)
            query = (
                select(MentionVoice.category, held, func.count(), negative)
                .where(
                    MentionVoice.brand_id == brand_id,
                    MentionVoice.created_at >= day,
                    MentionVoice.created_at < end,
                )
                .group_by(MentionVoice.category, held)
            )
            if column is not None:  # a message's case as it is now; one without a case in no group
                query = query.join(CaseOutcome, CaseOutcome.case_id == MentionVoice.case_id)
            rows += [
                {
                    "brand_id": brand_id,
                    "day": day,
                    "dimension": dimension,
                    **{name: value if name == column else None for name in SCOPE},
                    "category_said": said,
                    "messages": messages,
                    "negative": bad or 0,
                }
                for said, value, messages, bad in session.execute(query)
            ]
        if rows:
            session.execute(insert(MentionVoiceDay), rows)


def rebuild_voice_days(session: Session, *, brand_id: int | None = None) -> None:
    """Count every voice day row again from the voice rows (of one brand, or all)."""
    bounds = select(
        MentionVoice.brand_id, func.min(MentionVoice.created_at), func.max(MentionVoice.created_at)
    )
    gone = delete(MentionVoiceDay)
    if brand_id is not None:
        bounds = bounds.where(MentionVoice.brand_id == brand_id)
        gone = gone.where(MentionVoiceDay.brand_id == brand_id)
    _lock_brands(session, brand_id)
    session.execute(gone, execution_options={"synchronize_session": False})
    days: set[tuple[int, datetime]] = set()
    for brand, first, last in session.execute(bounds.group_by(MentionVoice.brand_id)).all():
        day = outcome_days.day_of(first)
        while day <= as_utc(last):
            days.add((brand, day))
            day += outcome_days.DAY
    refresh_voice_days(session, days)


def rebuild_voice(
    session: Session, *, brand_id: int | None = None, batch: int = 20_000, days: bool = True
) -> int:
    """Recompute every message's voice row (of one brand, or all), in the caller's transaction, and
    the voice day rows unless ``days`` is False (a schema before them)."""
    written = after = 0
    while True:
        query = select(Mention.id).where(Mention.id > after).order_by(Mention.id).limit(batch)
        if brand_id is not None:
            query = query.where(Mention.brand_id == brand_id)
        ids = list(session.scalars(query))
        if not ids:
            if days:
                rebuild_voice_days(session, brand_id=brand_id)
            return written
        written += refresh_mention_voice(session, ids, days=False)
        after = ids[-1]


# --- keeping the rows current ---------------------------------------------------------------------


def noted(session: Session) -> set[int]:
    """The cases whose facts this session changed and whose rows are not refreshed yet."""
    found: set[int] = session.info.setdefault(_NOTED, set())
    return found


def _noted_mentions(session: Session) -> set[int]:
    found: set[int] = session.info.setdefault(_NOTED_MENTIONS, set())
    return found


def _note_instance(session: Session, instance: object) -> None:
    table = getattr(instance, "__tablename__", None)
    if table == "event":
        if getattr(instance, "subject_type", None) == "case":
            noted(session).add(instance.subject_id)  # type: ignore[attr-defined]
        return
    if table == "enrichment":
        _noted_mentions(session).add(instance.mention_id)  # type: ignore[attr-defined]
        return
    column = _CASE_COLUMN.get(table or "")
    if column is None:
        return
    if table == "mention" and isinstance(getattr(instance, "id", None), int):
        _noted_mentions(session).add(instance.id)  # type: ignore[attr-defined]
    history = attributes.get_history(instance, column)
    for value in (*history.sum(), getattr(instance, column, None)):
        if isinstance(value, int):
            noted(session).add(value)


def _forget(session: Session, table: str, ids: list[int]) -> None:
    """Messages or cases about to be deleted: the database drops their voice or outcome rows with
    them, so take those off the day rows first."""
    if table == "mention":
        refresh_mention_voice(session, ids, forget=True)
        return
    refresh_case_outcomes(session, ids, forget=True)
    # their messages lose their case (SET NULL): their voice rows must too, or a case given the
    # same id later (SQLite reuses them) would count them
    for chunk in queries.chunks(ids):
        _noted_mentions(session).update(session.scalars(select(Mention.id).where(Mention.case_id.in_(chunk))))


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    """A case or message deleted through the session (``session.delete``), as a bulk delete."""
    for table in ("mention", "case"):
        ids = [
            instance.id for instance in session.deleted if getattr(instance, "__tablename__", None) == table
        ]
        if ids:
            _forget(session, table, ids)


def _after_flush(session: Session, _context: object) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        _note_instance(session, instance)


def _affected(session: Session, table: Table, where: Any) -> None:
    """Note the cases the rows matching ``where`` belong to (before and after a bulk statement)."""
    if table.name == "event":
        query: Any = select(table.c.subject_id).where(table.c.subject_type == "case")
        target = noted(session)
    elif table.name == "enrichment":
        query, target = select(table.c.mention_id), _noted_mentions(session)
    elif table.name in _CASE_COLUMN:
        query, target = select(table.c[_CASE_COLUMN[table.name]]), noted(session)
    else:
        return
    if where is not None:
        query = query.where(where)
    target.update(value for value in session.execute(query).scalars() if value is not None)
    if table.name == "mention":
        query = select(table.c.id) if where is None else select(table.c.id).where(where)
        _noted_mentions(session).update(session.execute(query).scalars())


def _on_execute(state: ORMExecuteState) -> Any:
    if not (state.is_update or state.is_delete or state.is_insert):
        return None
    table = getattr(state.statement, "table", None)
    if not isinstance(table, Table) or table.name not in (*_CASE_COLUMN, "event", "enrichment"):
        return None
    if state.is_insert:
        params: Any = state.parameters
        for row in params if isinstance(params, list) else [params or {}]:
            _note_row(state.session, table.name, row)
        return None
    if (
        state.is_update
        and table.name in _READ_COLUMNS
        and not _sets_read_columns(state.statement, table.name)
    ):
        return None  # e.g. the runner marking the stage a batch passed: no fact of a case changes
    where = state.statement.whereclause  # type: ignore[attr-defined]
    if state.is_delete and table.name in ("mention", "case"):
        query = select(table.c.id) if where is None else select(table.c.id).where(where)
        _forget(state.session, table.name, list(state.session.scalars(query)))
    _affected(state.session, table, where)
    result = state.invoke_statement()
    if state.is_update:
        _affected(state.session, table, where)  # a message moved to another case (a merge)
    return result


#: the columns of a table that a case's outcome or a message's voice row reads; a bulk UPDATE of
#: other columns alone changes neither
_READ_COLUMNS = {
    "mention": {"case_id", "brand_id", "direction", "created_at", "author_followers", "is_public"},
}


def _sets_read_columns(statement: Any, table: str) -> bool:
    values = getattr(statement, "_values", None)
    if not values:
        return True  # not a plain UPDATE ... SET: assume it might
    return any(str(getattr(key, "key", key)) in _READ_COLUMNS[table] for key in values)


def _note_row(session: Session, table: str, row: Mapping[str, Any]) -> None:
    if table == "event":
        if row.get("subject_type") == "case" and isinstance(row.get("subject_id"), int):
            noted(session).add(row["subject_id"])
    elif table == "enrichment":
        if isinstance(row.get("mention_id"), int):
            _noted_mentions(session).add(row["mention_id"])
    elif isinstance(row.get(_CASE_COLUMN[table]), int):
        noted(session).add(row[_CASE_COLUMN[table]])


def refresh_noted(session: Session) -> int:
    """Refresh the rows of the cases and messages this session changed (a commit does it by itself)."""
    session.flush()
    mentions = sorted(_noted_mentions(session))
    _noted_mentions(session).clear()
    refresh_mention_voice(session, mentions)
    for chunk in queries.chunks(mentions):
        noted(session).update(
            case_id
            for case_id in session.scalars(select(Mention.case_id).where(Mention.id.in_(chunk)))
            if case_id is not None
        )
    cases = noted(session)
    ids = list(cases)
    cases.clear()
    return refresh_case_outcomes(session, ids)


def _before_commit(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this hook: note its changes first
    if any(session.info.get(name) for name in (_NOTED, _NOTED_MENTIONS)):
        refresh_noted(session)


def install() -> None:
    """Keep the outcome rows current in every ORM session of this process (idempotent)."""
    for name, listener in (
        ("before_flush", _before_flush),
        ("after_flush", _after_flush),
        ("do_orm_execute", _on_execute),
        ("before_commit", _before_commit),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
