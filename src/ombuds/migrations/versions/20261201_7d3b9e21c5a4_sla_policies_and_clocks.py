"""SLA policies per brand and each case's SLA clock (pause, escalated deadline)

Revision ID: 7d3b9e21c5a4
Revises: e7b2d94c1a58
Create Date: 2026-12-01 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = '7d3b9e21c5a4'
down_revision: str | None = 'e7b2d94c1a58'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sla_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('hours', sa.JSON(), nullable=False),
    sa.Column('holidays', sa.JSON(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('channel_targets', sa.JSON(), nullable=False),
    sa.Column('near_breach_percent', sa.Integer(), nullable=False),
    sa.Column('raise_priority_on_breach', sa.Boolean(), nullable=False),
    sa.Column('notify_managers_on_breach', sa.Boolean(), nullable=False),
    sa.Column('move_to_team_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_sla_policy_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['move_to_team_id'], ['team.id'], name=op.f('fk_sla_policy_move_to_team_id_team'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policy')),
    sa.UniqueConstraint('brand_id', name=op.f('uq_sla_policy_brand_id'))
    )
    op.create_table('sla_clock',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('paused_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('escalated_due_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_sla_clock_case_id_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_sla_clock'))
    )


def downgrade() -> None:
    op.drop_table('sla_clock')
    op.drop_table('sla_policy')
