"""an index on enrichment (brand, analyzer, label, mention), so search's category: filter finds a
label's messages from the index instead of reading every enrichment

Revision ID: 0b9e4d7a2c61
Revises: f6c2a8d4e1b7
Create Date: 2026-12-01 18:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0b9e4d7a2c61'
down_revision: str | None = 'f6c2a8d4e1b7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('enrichment', schema=None) as batch_op:
        batch_op.create_index(
            'ix_enrichment_brand_analyzer_label', ['brand_id', 'analyzer', 'label', 'mention_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('enrichment', schema=None) as batch_op:
        batch_op.drop_index('ix_enrichment_brand_analyzer_label')
