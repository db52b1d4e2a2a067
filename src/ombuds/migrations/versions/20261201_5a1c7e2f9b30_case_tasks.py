"""case tasks: work asked of another team, which keeps the case open until done or waived

Revision ID: 5a1c7e2f9b30
Revises: c4f1e0a7d2b6
Create Date: 2026-12-01 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = '5a1c7e2f9b30'
down_revision: str | None = 'c4f1e0a7d2b6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', 'waived', name='taskstatus', native_enum=False, length=16), nullable=False),
    sa.Column('due_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_case_task_assignee_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_case_task_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_task_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_case_task_closed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_case_task_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_case_task_team_id_team'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_task'))
    )
    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_task_brand_id'), ['brand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_task_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_task_team_id'), ['team_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_task_team_id'))
        batch_op.drop_index(batch_op.f('ix_case_task_case_id'))
        batch_op.drop_index(batch_op.f('ix_case_task_brand_id'))

    op.drop_table('case_task')
