"""case open span scope: each span carries its case's team, agent, channel and category (as the
case's outcome row does), so a scope's debt and a breakdown's read the spans' index alone

Revision ID: b8d4f0a2c6e3
Revises: a7c3e9f1b5d2
Create Date: 2026-12-02 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b8d4f0a2c6e3'
down_revision: str | None = 'a7c3e9f1b5d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPE = ['team_id', 'assignee_id', 'channel', 'category']
SUMMED = ['brand_id', 'ends_at', 'starts_at', 'opened_at', 'reach', 'reach_opened']


def upgrade() -> None:
    op.add_column('case_open_span', sa.Column('team_id', sa.Integer(), nullable=True))
    op.add_column('case_open_span', sa.Column('assignee_id', sa.Integer(), nullable=True))
    op.add_column('case_open_span', sa.Column('channel', sa.String(length=32), nullable=True))
    op.add_column('case_open_span', sa.Column('category', sa.String(length=64), nullable=True))
    # each span's copy of its case's row, as the one writer (metrics/rollup.py) keeps it from now on
    op.execute(
        'UPDATE case_open_span SET '
        + ', '.join(
            f'{name} = (SELECT case_outcome.{name} FROM case_outcome'
            ' WHERE case_outcome.case_id = case_open_span.case_id)'
            for name in SCOPE
        )
    )
    op.drop_index('ix_case_open_span_brand_ends', table_name='case_open_span')
    op.create_index('ix_case_open_span_brand_ends_scope', 'case_open_span', [*SUMMED, *SCOPE])


def downgrade() -> None:
    op.drop_index('ix_case_open_span_brand_ends_scope', table_name='case_open_span')
    op.create_index('ix_case_open_span_brand_ends', 'case_open_span', SUMMED)
    for name in reversed(SCOPE):
        op.drop_column('case_open_span', name)
