"""follow-ups: pending until a date, check-ins, and when a follow-up brought a case back

Revision ID: c4f1e0a7d2b6
Revises: 8e4483564075
Create Date: 2026-12-01 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = 'c4f1e0a7d2b6'
down_revision: str | None = '8e4483564075'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('pending', 'check_in', name='followupkind', native_enum=False, length=16), nullable=False),
    sa.Column('waiting_on', sa.Enum('customer', 'team', 'refund', name='waitingon', native_enum=False, length=16), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('due_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('done_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('returned', 'skipped', 'replaced', name='outcome', native_enum=False, length=16), nullable=True),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_follow_up_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_follow_up_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_follow_up_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up'))
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_due', ['done_at', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_up_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('returned_at', ombuds.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('returned_at')

    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_case_id'))
        batch_op.drop_index('ix_follow_up_due')

    op.drop_table('follow_up')
