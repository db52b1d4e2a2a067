"""team members; each person's capacity, skills and availability; each team's assignment policy

Revision ID: a3c5e8f1b7d2
Revises: 7d3b9e21c5a4
Create Date: 2026-12-01 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = 'a3c5e8f1b7d2'
down_revision: str | None = '7d3b9e21c5a4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('team_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_team_member_team_id_team'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_team_member_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_member')),
    sa.UniqueConstraint('team_id', 'user_id', name=op.f('uq_team_member_team_id'))
    )
    op.create_index(op.f('ix_team_member_user_id'), 'team_member', ['user_id'], unique=False)
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('languages', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column('channels', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column('categories', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch_op.add_column(sa.Column('away_since', ombuds.db.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignment', sa.Enum('manual', 'round_robin', 'least_loaded', name='assignmentpolicy', native_enum=False, length=16), server_default='manual', nullable=False))
        batch_op.add_column(sa.Column('last_assigned_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_team_last_assigned_user_id_user_account'), 'user_account', ['last_assigned_user_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_team_last_assigned_user_id_user_account'), type_='foreignkey')
        batch_op.drop_column('last_assigned_user_id')
        batch_op.drop_column('assignment')
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_column('away_since')
        batch_op.drop_column('categories')
        batch_op.drop_column('channels')
        batch_op.drop_column('languages')
        batch_op.drop_column('capacity')
    op.drop_index(op.f('ix_team_member_user_id'), table_name='team_member')
    op.drop_table('team_member')
