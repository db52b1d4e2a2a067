"""an index in the inbox's default order (returned by a follow-up first, then priority, then age)

Revision ID: f2a8c4e6b1d9
Revises: c9e5a1d7f3b2
Create Date: 2026-12-03 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'f2a8c4e6b1d9'
down_revision: str | None = 'c9e5a1d7f3b2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_case_inbox_order',
        'case',
        [
            'brand_id',
            'status',
            sa.text('(returned_at IS NULL)'),
            sa.text('returned_at DESC'),
            'priority',
            'opened_at',
            'id',
        ],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_case_inbox_order', table_name='case')
