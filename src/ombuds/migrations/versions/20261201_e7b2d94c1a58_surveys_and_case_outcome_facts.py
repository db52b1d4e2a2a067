"""surveys, and a case's outcome facts (handoffs, reopens, first-contact resolution); brand reopen window

Revision ID: e7b2d94c1a58
Revises: 5a1c7e2f9b30
Create Date: 2026-12-01 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = 'e7b2d94c1a58'
down_revision: str | None = '5a1c7e2f9b30'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('offered_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('answered_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_survey_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_survey_case_id_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey')),
    sa.UniqueConstraint('case_id', name=op.f('uq_survey_case_id')),
    sa.UniqueConstraint('token', name=op.f('uq_survey_token'))
    )
    op.create_index(op.f('ix_survey_brand_id'), 'survey', ['brand_id'], unique=False)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handoffs', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('reopened', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('first_contact_resolution', sa.Boolean(), nullable=True))
    with op.batch_alter_table('brand', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopen_window_days', sa.Integer(), server_default='7', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('brand', schema=None) as batch_op:
        batch_op.drop_column('reopen_window_days')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('first_contact_resolution')
        batch_op.drop_column('reopened')
        batch_op.drop_column('handoffs')
    op.drop_index(op.f('ix_survey_brand_id'), table_name='survey')
    op.drop_table('survey')
