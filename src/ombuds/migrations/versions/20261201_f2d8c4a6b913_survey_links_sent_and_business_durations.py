"""survey links sent through the outbox (per-brand wording); a case's business-time durations

Revision ID: f2d8c4a6b913
Revises: a3c5e8f1b7d2
Create Date: 2026-12-01 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'f2d8c4a6b913'
down_revision: str | None = 'a3c5e8f1b7d2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('survey_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_survey_setting_brand_id_brand'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_setting')),
    sa.UniqueConstraint('brand_id', name=op.f('uq_survey_setting_brand_id'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery', sa.Enum('queued', 'unreachable', 'skipped', name='surveydelivery', native_enum=False, length=16), nullable=True))
        batch_op.add_column(sa.Column('reply_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_survey_reply_id_reply'), 'reply', ['reply_id'], ['id'], ondelete='SET NULL')
    # surveys offered before links were sent automatically stay with the agent who has the link
    op.execute("UPDATE survey SET delivery = 'skipped'")
    with op.batch_alter_table('reply', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_survey', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_response_business_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolution_business_seconds', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('resolution_business_seconds')
        batch_op.drop_column('first_response_business_seconds')
    with op.batch_alter_table('reply', schema=None) as batch_op:
        batch_op.drop_column('is_survey')
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_survey_reply_id_reply'), type_='foreignkey')
        batch_op.drop_column('reply_id')
        batch_op.drop_column('delivery')
    op.drop_table('survey_setting')
