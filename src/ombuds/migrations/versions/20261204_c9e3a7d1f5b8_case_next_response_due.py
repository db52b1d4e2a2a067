"""a case's next-response deadline, stored, and the inbox's nearest-deadline index reading it

Revision ID: c9e3a7d1f5b8
Revises: a4c8e2f6b0d3
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db
from ombuds.planner_statistics import sample_again_where_kept

revision: str = "c9e3a7d1f5b8"
down_revision: str | None = "a4c8e2f6b0d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# ``cases.queries._sla_due`` as both databases compile it, before and after: an index on an
# expression serves a query only when the query's expression is the same one
DUE_BEFORE = (
    "CASE WHEN (first_responded_at IS NULL AND first_response_due_at IS NOT NULL) "
    "THEN first_response_due_at ELSE resolve_due_at END"
)
DUE = (
    "CASE WHEN (first_responded_at IS NULL AND first_response_due_at IS NOT NULL) "
    "THEN first_response_due_at "
    "WHEN (next_response_due_at IS NOT NULL AND (resolve_due_at IS NULL OR next_response_due_at < resolve_due_at)) "
    "THEN next_response_due_at ELSE resolve_due_at END"
)


def _deadline_index(due: str) -> None:
    op.create_index(
        "ix_case_deadline_order",
        "case",
        ["brand_id", "status", sa.text(f"(({due}) IS NULL)"), sa.text(f"({due})"), "priority", "id"],
        unique=False,
    )


def upgrade() -> None:
    # filled by the runner's next SLA round for every case a customer waits on (routing.sla_actions)
    op.add_column(
        "case", sa.Column("next_response_due_at", ombuds.db.UtcDateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_case_next_response_due", "case", ["next_response_due_at"], unique=False)
    op.drop_index("ix_case_deadline_order", table_name="case")
    _deadline_index(DUE)
    sample_again_where_kept(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_case_deadline_order", table_name="case")
    _deadline_index(DUE_BEFORE)
    op.drop_index("ix_case_next_response_due", table_name="case")
    # not through a batch: rebuilding the table on SQLite would lose the indexes on expressions
    op.execute(sa.text('ALTER TABLE "case" DROP COLUMN next_response_due_at'))
