"""analysis pass: mentions each reading path (accurate, fast, re-read) read per brand and minute,
and the seconds it took; reread waiting: the mentions the fast path read in a burst, for the
accurate model to re-read

Revision ID: a9c4e2f7b1d3
Revises: e4b7c1d9a2f5
Create Date: 2026-12-02 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = 'a9c4e2f7b1d3'
down_revision: str | None = 'e4b7c1d9a2f5'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'analysis_pass',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('brand_id', sa.Integer(), nullable=False),
        sa.Column('minute', ombuds.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('path', sa.String(length=16), nullable=False),
        sa.Column('mentions', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_analysis_pass_brand_id_brand'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_analysis_pass')),
        sa.UniqueConstraint('brand_id', 'minute', 'path', name=op.f('uq_analysis_pass_brand_id')),
    )
    op.create_index('ix_analysis_pass_minute', 'analysis_pass', ['minute'])
    op.create_table(
        'reread_waiting',
        sa.Column('mention_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('brand_id', sa.Integer(), nullable=False),
        sa.Column('read_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_reread_waiting_brand_id_brand'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['mention_id'], ['mention.id'], name=op.f('fk_reread_waiting_mention_id_mention'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('mention_id', name=op.f('pk_reread_waiting')),
    )
    op.create_index('ix_reread_waiting_brand_mention', 'reread_waiting', ['brand_id', 'mention_id'])


def downgrade() -> None:
    op.drop_index('ix_reread_waiting_brand_mention', table_name='reread_waiting')
    op.drop_table('reread_waiting')
    op.drop_index('ix_analysis_pass_minute', table_name='analysis_pass')
    op.drop_table('analysis_pass')
