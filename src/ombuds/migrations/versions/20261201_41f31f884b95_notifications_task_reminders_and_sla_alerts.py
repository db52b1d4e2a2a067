"""notifications, task reminders and SLA breach alerts

Revision ID: 41f31f884b95
Revises: f2d8c4a6b913
Create Date: 2026-12-01 13:48:31.492848
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = '41f31f884b95'
down_revision: str | None = 'f2d8c4a6b913'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('read_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_notification_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_read', ['user_id', 'read_at'], unique=False)

    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.alter_column('incident_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_alert_case_id'), ['case_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_alert_case_id_case'), 'case', ['case_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', ombuds.db.UtcDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('sla_clock', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalated_next_since', ombuds.db.UtcDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('sla_clock', schema=None) as batch_op:
        batch_op.drop_column('escalated_next_since')

    with op.batch_alter_table('case_task', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')

    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_alert_case_id_case'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_alert_case_id'))
        batch_op.alter_column('incident_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('case_id')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_read')

    op.drop_table('notification')
