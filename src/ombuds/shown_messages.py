"""The messages an answer shows, noted on the request's session, and the personal values in them.

A value the PII analyzer found in one message of a customer (a booking reference after "booking
ref") is personal in every other message and copy where it comes back bare ("still nothing for
QX7Y92"), where nothing around it says so. So the masking of an answer (``web/masking.py``) also
masks the values found in every message of the cases and customers whose rows the answer read,
as ``ombuds.shown_brands`` lets it mask by the brands whose rows it read.

Noting is automatic: ``watch_shown_messages`` hooks the session, and every row it loads that is a
message, a case or a customer, or belongs to one (a task's ``case_id``, a promise match's
``mention_id``), or quotes one (an incident's representative and loudest messages, an alert's
incident), is noted; so is every message whose text a read selects as a column beside its id or
its case's (a dashboard's quotes). A read that shows texts otherwise can say so with
``note_shown_messages``. Noting only collects ids; the values are read when a masked answer asks
for them (stored PII spans, the text searched anew where analysis has not run yet), a few
queries for what was noted since the last time and none when nothing was.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Result, Select, event, select
from sqlalchemy.orm import InstrumentedAttribute, ORMExecuteState, Session

from ombuds.cases.models import Case, Customer
from ombuds.db import chunks
from ombuds.incidents.models import Incident
from ombuds.known_values import KnownValues
from ombuds.mentions.models import Mention
from ombuds.personal_values import NOT_SHOWN, owners, values_in

_KEY = "ombuds.shown_messages"

#: What a noted id is the id of. An incident stands for the messages it quotes.
Kind = Literal["incident", "mention", "case", "customer"]
KINDS: tuple[Kind, ...] = ("incident", "mention", "case", "customer")

#: What a loaded row says about the messages it belongs to: (kind, attribute) pairs, by class.
_OWN: dict[type[Any], tuple[tuple[Kind, str], ...]] = {
    Mention: (("case", "case_id"), ("customer", "customer_id")),
    Case: (("case", "id"), ("customer", "customer_id")),
    Customer: (("customer", "id"),),
    Incident: (("mention", "representative_mention_id"),),
}
#: Any other row: these columns tie it to a message, a case, a customer or an incident (an alert).
_BELONGS: tuple[tuple[Kind, str], ...] = (
    ("mention", "mention_id"),
    ("case", "case_id"),
    ("customer", "customer_id"),
    ("incident", "incident_id"),
)
_attributes_of: dict[type[Any], tuple[tuple[Kind, str], ...]] = {}


def _no_ids() -> dict[Kind, set[int]]:
    return {kind: set() for kind in KINDS}


@dataclass
class _Shown:
    """What the session's reads noted, what of it was read already, and the values found so far."""

    noted: dict[Kind, set[int]] = field(default_factory=_no_ids)
    read: dict[Kind, set[int]] = field(default_factory=_no_ids)
    known: KnownValues = field(default_factory=KnownValues)

    @property
    def is_pending(self) -> bool:
        return any(len(self.noted[kind]) > len(self.read[kind]) for kind in KINDS)

    def take(self, kind: Kind) -> list[int]:
        """The ids of ``kind`` noted and not read yet, counted as read from now."""
        ids = sorted(self.noted[kind] - self.read[kind])
        self.read[kind].update(ids)
        return ids


def _shown(session: Session) -> _Shown:
    found = session.info.get(_KEY)
    if not isinstance(found, _Shown):
        found = session.info[_KEY] = _Shown()
    return found


def _attributes(cls: type[Any]) -> tuple[tuple[Kind, str], ...]:
    known = _attributes_of.get(cls)
    if known is None:
        known = _OWN.get(cls) or tuple((kind, name) for kind, name in _BELONGS if hasattr(cls, name))
        _attributes_of[cls] = known
    return known


def _quoted_mentions(evidence: object) -> Iterator[int]:
    """The messages an incident's evidence quotes (its representative and loudest messages)."""
    if not isinstance(evidence, Mapping):
        return
    quoted = [evidence.get("representative"), *(evidence.get("top_messages") or ())]
    for item in quoted:
        if isinstance(item, Mapping) and isinstance(item.get("mention_id"), int):
            yield item["mention_id"]


def _note_row(session: Session, instance: object) -> None:
    attributes = _attributes(type(instance))
    if not attributes:
        return
    noted = _shown(session).noted
    loaded = instance.__dict__  # what the row holds; reading a column it left out would load it here
    for kind, name in attributes:
        value = loaded.get(name)
        if isinstance(value, int):
            noted[kind].add(value)
    if isinstance(instance, Mention) and loaded.get("case_id") is None and loaded.get("customer_id") is None:
        noted["mention"].add(loaded["id"])  # a message of no case and no customer stands for itself
    elif isinstance(instance, Incident):
        noted["mention"].update(_quoted_mentions(loaded.get("evidence")))


#: The columns that say which message a row read as columns belongs to.
_ROW_IDS: tuple[tuple[Kind, InstrumentedAttribute[Any]], ...] = (
    ("mention", Mention.id),
    ("case", Mention.case_id),
    ("customer", Mention.customer_id),
)


def _note_text_read(state: ORMExecuteState) -> Result[Any] | None:
    """A read that selects messages' texts as columns (a dashboard's quotes) notes their ids.

    Its rows are buffered to be read twice, so a streamed read (``yield_per``) is left alone.
    """
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return None
    options = state.execution_options
    if options.get(NOT_SHOWN) or options.get("yield_per") or options.get("stream_results"):
        return None
    statement = state.statement
    if not isinstance(statement, Select):
        return None
    columns = [column.get("expr") for column in statement.column_descriptions]
    if not any(column is Mention.text for column in columns):
        return None
    positions = [
        (index, kind)
        for index, column in enumerate(columns)
        for kind, attribute in _ROW_IDS
        if column is attribute
    ]
    if not positions:
        return None
    frozen = state.invoke_statement().freeze()
    noted = _shown(state.session).noted
    for row in frozen().all():
        for index, kind in positions:
            if isinstance(row[index], int):
                noted[kind].add(row[index])
    return frozen()


def watch_shown_messages(session: Session) -> None:
    """Note the messages of every row this session loads from now on (and has loaded), and of
    every read of messages' texts as columns."""
    if event.contains(session, "loaded_as_persistent", _note_row):
        return
    event.listen(session, "loaded_as_persistent", _note_row)
    event.listen(session, "do_orm_execute", _note_text_read)
    for instance in list(session.identity_map.values()):
        _note_row(session, instance)


def note_shown_messages(
    session: Session,
    *,
    mention_ids: Iterable[int | None] = (),
    case_ids: Iterable[int | None] = (),
    customer_ids: Iterable[int | None] = (),
) -> None:
    """Note messages (and cases, customers) an answer shows that the session did not load itself:
    search notes its results so as to mask them before it cuts its excerpts."""
    noted = _shown(session).noted
    noted["mention"].update(i for i in mention_ids if i is not None)
    noted["case"].update(i for i in case_ids if i is not None)
    noted["customer"].update(i for i in customer_ids if i is not None)


def has_unread(session: Session) -> bool:
    """Whether rows were noted since the values were last read (cheap: for every printed value)."""
    shown = session.info.get(_KEY)
    return isinstance(shown, _Shown) and shown.is_pending


def shown_personal_values(session: Session) -> KnownValues:
    """The personal values in every message of the cases and customers noted on this session.

    Reads only what was noted since the last call; nothing when nothing was.
    """
    shown = _shown(session)
    if not shown.is_pending:
        return shown.known
    noted = shown.noted
    with session.no_autoflush:  # a read, whatever the request is writing
        noted["mention"].update(_quoted_by_incidents(session, shown.take("incident")))
        cases, customers, alone = owners(session, shown.take("mention"))
        noted["case"].update(cases)
        noted["customer"].update(customers)
        found = values_in(
            session, case_ids=shown.take("case"), customer_ids=shown.take("customer"), mention_ids=alone
        )
    shown.known.add(found)
    return shown.known


def _quoted_by_incidents(session: Session, incident_ids: Sequence[int]) -> set[int]:
    """The messages incidents noted by id alone quote (an alert's incident)."""
    quoted: set[int] = set()
    for chunk in chunks(incident_ids):
        for representative, evidence in session.execute(
            select(Incident.representative_mention_id, Incident.evidence).where(Incident.id.in_(chunk))
        ):
            if representative is not None:
                quoted.add(representative)
            quoted.update(_quoted_mentions(evidence))
    return quoted
