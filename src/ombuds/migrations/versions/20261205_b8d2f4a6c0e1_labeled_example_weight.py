"""a labelled example's weight: imported labels that came with their annotators' confidence

A crowd-labelled file gives each label the share of annotators who agreed; an example weighs that
share squared in the brand's models (a person's correction weighs 1, as every row did before).

Revision ID: b8d2f4a6c0e1
Revises: c9e3a7d1f5b8
Create Date: 2026-12-05 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8d2f4a6c0e1"
down_revision: str | None = "c9e3a7d1f5b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("labeled_example") as batch:
        batch.add_column(sa.Column("weight", sa.Float(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("labeled_example") as batch:
        batch.drop_column("weight")
