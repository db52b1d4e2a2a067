"""``db.insert_returning_ids``: a batch of new rows and their ids, in the rows' order, on SQLite in
one statement where SQLAlchemy alone would send one a row."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from ombuds.accounts.models import Brand
from ombuds.cases.models import Customer
from ombuds.db import insert_returning_ids


def _names(session: Session, ids: list[int]) -> list[str]:
    found = dict(
        session.execute(select(Customer.id, Customer.display_name).where(Customer.id.in_(ids))).all()
    )
    return [found[customer_id] for customer_id in ids]


def test_each_id_is_its_rows_in_the_order_given(session: Session, brand: Brand) -> None:
    rows = [{"brand_id": brand.id, "display_name": f"customer {i}"} for i in range(700)]
    statements: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *args: statements.append(args[2]))

    ids = insert_returning_ids(session, Customer, rows)

    assert _names(session, ids) == [row["display_name"] for row in rows]
    assert len(set(ids)) == len(rows)
    inserts = [s for s in statements if s.startswith("INSERT")]
    assert len(inserts) <= 2, "a batch of rows is a few statements, not one a row"


@pytest.mark.one_database
def test_a_table_numbered_up_to_the_largest_integer_still_ties_each_id_to_its_row(
    session: Session, brand: Brand
) -> None:
    """SQLite numbers at random past the largest id: one row a statement, and still in order."""
    session.execute(
        text(
            "INSERT INTO customer (id, brand_id, display_name, created_at) "
            "VALUES (9223372036854775807, :brand, 'last', '2026-12-01 00:00:00.000000')"
        ),
        {"brand": brand.id},
    )
    rows = [{"brand_id": brand.id, "display_name": f"late {i}"} for i in range(5)]

    ids = insert_returning_ids(session, Customer, rows)

    assert _names(session, ids) == [row["display_name"] for row in rows]
