"""an index in the inbox's nearest-deadline order (the deadline the case waits on, then priority)

Revision ID: b3d7f1a9c5e2
Revises: f2a8c4e6b1d9
Create Date: 2026-12-03 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ombuds.planner_statistics import sample_again_where_kept

revision: str = 'b3d7f1a9c5e2'
down_revision: str | None = 'f2a8c4e6b1d9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# ``cases.queries._sla_due`` as both databases compile it: an index on an expression serves a
# query only when the query's expression is the same one
DUE = (
    "CASE WHEN (first_responded_at IS NULL AND first_response_due_at IS NOT NULL) "
    "THEN first_response_due_at ELSE resolve_due_at END"
)


def upgrade() -> None:
    op.create_index(
        'ix_case_deadline_order',
        'case',
        ['brand_id', 'status', sa.text(f'(({DUE}) IS NULL)'), sa.text(f'({DUE})'), 'priority', 'id'],
        unique=False,
    )
    sample_again_where_kept(op.get_bind())  # a new index without statistics would be taken for the best


def downgrade() -> None:
    op.drop_index('ix_case_deadline_order', table_name='case')
