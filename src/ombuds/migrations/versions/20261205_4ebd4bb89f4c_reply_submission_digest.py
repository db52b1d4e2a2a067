"""a reply keeps a digest of the request its Idempotency-Key came with

A client that sent a key again with another body got the first reply back as if its new words
were stored; the digest lets the desk refuse that instead (422) and replay only the same request.

Revision ID: 4ebd4bb89f4c
Revises: c9e3a7d1f5b8
Create Date: 2026-12-05 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4ebd4bb89f4c"
down_revision: str | None = "c9e3a7d1f5b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("reply", sa.Column("submission_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reply") as batch:
        batch.drop_column("submission_digest")
