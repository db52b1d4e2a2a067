"""A case's reach: its customer's largest audience on any channel, stored on the case.

The inbox's widest-reach order reads it from an index (``ix_case_reach_order``) instead of
looking up every open case's identities to sort them (1.3 s a page at a million messages).
Whatever changes a customer's identities or a case's customer calls ``refresh_reach`` in the
same transaction: threading (a new identity, a new follower count, a new case) and customer
merges and their undoing.
"""

from __future__ import annotations

from collections.abc import Collection
from itertools import islice

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from ombuds.cases.models import Case, Identity

#: customers per statement: far below every database's limit on bound values
CHUNK = 500


def largest_audience() -> ColumnElement[int]:
    """The largest follower count among the case's customer's identities, 0 when none is known."""
    largest = select(func.max(Identity.followers)).where(Identity.customer_id == Case.customer_id)
    return func.coalesce(largest.scalar_subquery(), 0)


def refresh_reach(session: Session, *, customer_ids: Collection[int]) -> None:
    """Store on every case of these customers their largest audience as their identities now say."""
    ids = iter(sorted(set(customer_ids)))
    while chunk := list(islice(ids, CHUNK)):
        reach = largest_audience()
        session.execute(
            update(Case)
            .where(Case.customer_id.in_(chunk), Case.reach != reach)
            .values(reach=reach)
            .execution_options(synchronize_session="fetch")
        )
