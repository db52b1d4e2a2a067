"""saved views (per person or shared with a team); an index for the inbox's oldest-first order

Revision ID: 5a7c3e9b1d24
Revises: c9d1e5f7a3b2
Create Date: 2026-12-01 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5a7c3e9b1d24'
down_revision: str | None = 'c9d1e5f7a3b2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('saved_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('query', sa.String(length=1000), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(owner_id IS NULL) <> (team_id IS NULL)', name=op.f('ck_saved_view_one_owner_or_team')),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_saved_view_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_saved_view_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_saved_view_owner_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_saved_view_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_view'))
    )
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.create_index('ix_saved_view_brand_owner', ['brand_id', 'owner_id'], unique=False)
        batch_op.create_index('ix_saved_view_brand_team', ['brand_id', 'team_id'], unique=False)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_brand_status_opened', ['brand_id', 'status', 'opened_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_brand_status_opened')
    with op.batch_alter_table('saved_view', schema=None) as batch_op:
        batch_op.drop_index('ix_saved_view_brand_team')
        batch_op.drop_index('ix_saved_view_brand_owner')
    op.drop_table('saved_view')
