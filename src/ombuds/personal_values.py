"""The personal values the PII analyzer found in messages: those of whole cases and customers.

A value found in one message of a customer (a booking reference after "booking ref") is personal
in every other message where it comes back bare; ``known_values.KnownValues`` masks them once
read here. Read by the masking of answers (``shown_messages``) and of alerts sent outside the app.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ombuds.cases.privacy import pii_marks, values
from ombuds.db import IN_LIST, chunks
from ombuds.enrichment.analyzers.pii import find_pii
from ombuds.enrichment.findings import PII
from ombuds.enrichment.models import Enrichment
from ombuds.mentions.models import Mention

#: An execution option: this read of messages' texts is not shown (the values' own reads).
NOT_SHOWN = "ombuds_not_shown"


def values_around(session: Session, mention_ids: Sequence[int]) -> set[tuple[str, str]]:
    """The values in every message of these messages' cases and customers (and in these messages)."""
    cases, customers, alone = owners(session, mention_ids)
    return values_in(session, case_ids=sorted(cases), customer_ids=sorted(customers), mention_ids=alone)


def owners(session: Session, mention_ids: Sequence[int]) -> tuple[set[int], set[int], list[int]]:
    """The cases and customers of messages noted by id, and those with neither (a plain repost)."""
    cases: set[int] = set()
    customers: set[int] = set()
    alone: list[int] = []
    for chunk in chunks(mention_ids):
        for mention_id, case_id, customer_id in session.execute(
            select(Mention.id, Mention.case_id, Mention.customer_id).where(Mention.id.in_(chunk))
        ):
            if case_id is not None:
                cases.add(case_id)
            if customer_id is not None:
                customers.add(customer_id)
            if case_id is None and customer_id is None:
                alone.append(mention_id)
    return cases, customers, alone


def values_in(
    session: Session, *, case_ids: Sequence[int], customer_ids: Sequence[int], mention_ids: Sequence[int]
) -> set[tuple[str, str]]:
    """The values at the PII spans of the messages of these cases and customers (and of these
    messages), each message read once; a message analysis has not reached yet is searched anew."""
    found: set[tuple[str, str]] = set()
    by = [
        (column, ids)
        for column, ids in (
            (Mention.case_id, case_ids),
            (Mention.customer_id, customer_ids),
            (Mention.id, mention_ids),
        )
        if ids
    ]
    share = IN_LIST // max(1, len(by))  # the bound parameters of one read, shared between the lists
    for start in range(0, max((len(ids) for _, ids in by), default=0), share):
        conditions = [column.in_(ids[start : start + share]) for column, ids in by if len(ids) > start]
        rows = session.execute(
            select(Mention.id, Mention.text, Enrichment.id, Enrichment.data)
            .outerjoin(Enrichment, (Enrichment.mention_id == Mention.id) & (Enrichment.analyzer == PII))
            .where(or_(*conditions), or_(Enrichment.id.is_(None), Enrichment.label.is_not(None)))
            .execution_options(**{NOT_SHOWN: True})
        )
        for mention_id, text, enrichment_id, data in rows:
            if enrichment_id is None:
                found.update((text[s.start : s.end], s.kind) for s in find_pii(text))
            else:
                found.update(values(text, pii_marks(data, text=text, where=f"mention {mention_id}")))
    return found
