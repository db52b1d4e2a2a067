"""privacy: a brand's retention, the daily roll-up purges leave, erasure records

Revision ID: d4a7c2e9f610
Revises: b3e8f1a2c4d6
Create Date: 2026-12-01 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = 'd4a7c2e9f610'
down_revision: str | None = 'b3e8f1a2c4d6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('retention_policy',
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=True),
    sa.Column('last_purged_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_retention_policy_brand_id_brand'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('brand_id', name=op.f('pk_retention_policy'))
    )
    op.create_table('daily_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('sentiment', sa.String(length=64), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('mentions', sa.Integer(), nullable=False),
    sa.Column('cases_opened', sa.Integer(), nullable=False),
    sa.Column('cases_resolved', sa.Integer(), nullable=False),
    sa.Column('first_responses', sa.Integer(), nullable=False),
    sa.Column('first_response_seconds', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_daily_rollup_brand_id_brand'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_rollup')),
    sa.UniqueConstraint('brand_id', 'day', 'channel', 'category', 'sentiment', 'priority', name=op.f('uq_daily_rollup_brand_id'))
    )
    op.create_table('erasure_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('erased_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_erasure_record_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_erasure_record_brand_id_brand'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_record'))
    )
    with op.batch_alter_table('erasure_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_record_brand_id'), ['brand_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('erasure_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erasure_record_brand_id'))
    op.drop_table('erasure_record')
    op.drop_table('daily_rollup')
    op.drop_table('retention_policy')
