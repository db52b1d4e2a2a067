"""each case's reach (its customer's largest audience) stored, with an index in the inbox's widest-reach order

Revision ID: a6e2c8f4d1b7
Revises: b3d7f1a9c5e2
Create Date: 2026-12-03 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ombuds.planner_statistics import sample_again_where_kept

revision: str = 'a6e2c8f4d1b7'
down_revision: str | None = 'b3d7f1a9c5e2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('case', sa.Column('reach', sa.Integer(), nullable=False, server_default='0'))
    # what ``cases.reach.refresh_reach`` stores, for the cases there already
    op.execute(
        sa.text(
            'UPDATE "case" SET reach = coalesce('
            '(SELECT max(identity.followers) FROM identity WHERE identity.customer_id = "case".customer_id), 0)'
        )
    )
    # The brand's cases in the order itself, status last: the page walks it from the top and
    # keeps the open ones, with no sort. Led by (brand, status) like the other orders' indexes,
    # it would be a sort of three runs, and SQLite took it for those orders too (the deadline
    # order 82 → 748 ms at a million messages).
    op.create_index(
        'ix_case_reach_order',
        'case',
        ['brand_id', sa.text('reach DESC'), 'priority', 'opened_at', 'id', 'status'],
        unique=False,
    )
    sample_again_where_kept(op.get_bind())  # a new index without statistics would be taken for the best


def downgrade() -> None:
    op.drop_index('ix_case_reach_order', table_name='case')
    # not through a batch: rebuilding the table on SQLite would lose the indexes on expressions
    op.execute(sa.text('ALTER TABLE "case" DROP COLUMN reach'))
