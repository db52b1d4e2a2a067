"""the detectors' journal: each batch's observations kept after the last whole state, so a batch
stores what it changed instead of the whole detector state

Revision ID: 3d7e1f9a5b20
Revises: 0b9e4d7a2c61
Create Date: 2026-12-01 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = "3d7e1f9a5b20"
down_revision: str | None = "0b9e4d7a2c61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident_detector_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.Column("created_at", ombuds.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brand.id"],
            name=op.f("fk_incident_detector_journal_brand_id_brand"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_detector_journal")),
    )
    with op.batch_alter_table("incident_detector_journal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_detector_journal_brand_id"), ["brand_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incident_detector_journal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_detector_journal_brand_id"))
    op.drop_table("incident_detector_journal")
