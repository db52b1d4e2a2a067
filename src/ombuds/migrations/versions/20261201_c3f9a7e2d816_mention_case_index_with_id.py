"""the mention's case index holds the id too, so a case's messages are found by the index alone
(search's category: looks through each newest message's case for a message in the category)

Revision ID: c3f9a7e2d816
Revises: b8e4d1f7c2a9
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'c3f9a7e2d816'
down_revision: str | None = 'b8e4d1f7c2a9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.drop_index('ix_mention_case_id')
        batch_op.create_index('ix_mention_case_id', ['case_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.drop_index('ix_mention_case_id')
        batch_op.create_index('ix_mention_case_id', ['case_id'], unique=False)
