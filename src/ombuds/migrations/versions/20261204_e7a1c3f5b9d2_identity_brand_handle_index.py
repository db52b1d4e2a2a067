"""an index on an identity's brand and lower-cased handle: who wrote, whatever the network's name

Threading looks a batch's authors up by brand and handle across the names of one network ("x",
"twitter"), which the unique (brand, channel, handle) index serves only by its brand: every
identity of the brand was read for each batch (53 ms a batch of 500 at 300,000 identities on
SQLite, 5-7 ms with this index). Lower-cased, it also finds a customer page's other records of
the same handle spelled in another case ("Ann_Lee", "ann_lee").

Revision ID: e7a1c3f5b9d2
Revises: d5e9b2f7a3c6
Create Date: 2026-12-04 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ombuds.planner_statistics import sample_again_where_kept

revision: str = "e7a1c3f5b9d2"
down_revision: str | None = "d5e9b2f7a3c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_identity_brand_handle", "identity", ["brand_id", sa.text("lower(handle)")], unique=False
    )
    sample_again_where_kept(op.get_bind())  # a new index without statistics would be taken for the best


def downgrade() -> None:
    op.drop_index("ix_identity_brand_handle", table_name="identity")
