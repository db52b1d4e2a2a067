"""mention voice: each customer message's category, time and tone, for the voice of the customer,
filled for the messages already there

Revision ID: d8a3f6c2b4e9
Revises: b5d2e8f4a6c1
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

import ombuds.db

revision: str = 'd8a3f6c2b4e9'
down_revision: str | None = 'b5d2e8f4a6c1'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'mention_voice',
        sa.Column('mention_id', sa.Integer(), nullable=False),
        sa.Column('brand_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('category', sa.String(length=64), nullable=False),
        sa.Column('is_negative', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_mention_voice_brand_id_brand'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['mention_id'], ['mention.id'], name=op.f('fk_mention_voice_mention_id_mention'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('mention_id', name=op.f('pk_mention_voice')),
    )
    op.create_index(
        'ix_mention_voice_brand_created',
        'mention_voice',
        ['brand_id', 'created_at', 'category', 'is_negative', 'mention_id', 'case_id'],
    )
    # Fill the rows of the messages already there with the one writer, a bounded batch at a time.
    bind = op.get_bind()
    if bind.execute(sa.text('SELECT 1 FROM mention LIMIT 1')).first() is not None:
        from ombuds.metrics.rollup import rebuild_voice

        with Session(bind=bind) as session:
            rebuild_voice(session, days=False)  # the day rows come later
            session.commit()  # the session's part: the migration's transaction stays open


def downgrade() -> None:
    op.drop_index('ix_mention_voice_brand_created', table_name='mention_voice')
    op.drop_table('mention_voice')
