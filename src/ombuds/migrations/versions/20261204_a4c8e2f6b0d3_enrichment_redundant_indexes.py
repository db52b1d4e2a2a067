"""drop the enrichment indexes that only repeat the first column of another

``ix_enrichment_mention_id`` repeats the unique (mention_id, analyzer) index's first column and
``ix_enrichment_brand_id`` the (brand_id, analyzer, label, mention_id) index's: both databases
find a mention's or a brand's findings through those as fast. Every finding written kept five
b-trees up to date, nine rows a mention; now three.

Revision ID: a4c8e2f6b0d3
Revises: e7a1c3f5b9d2
Create Date: 2026-12-04 12:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a4c8e2f6b0d3"
down_revision: str | None = "e7a1c3f5b9d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_enrichment_mention_id", table_name="enrichment")
    op.drop_index("ix_enrichment_brand_id", table_name="enrichment")


def downgrade() -> None:
    op.create_index("ix_enrichment_brand_id", "enrichment", ["brand_id"], unique=False)
    op.create_index("ix_enrichment_mention_id", "enrichment", ["mention_id"], unique=False)
