"""source polling: each source's schedule and health, dead letters, webhook signatures seen

Revision ID: a7d3c5e9b214
Revises: 052ea28c9d9b
Create Date: 2026-12-01 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ombuds.db import UtcDateTime

revision: str = "a7d3c5e9b214"
down_revision: str | None = "052ea28c9d9b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_state",
        sa.Column(
            "source_id", sa.Integer(), sa.ForeignKey("source.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("every_seconds", sa.Integer(), nullable=False),
        sa.Column("next_poll_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("newest_created_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("window_started_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("window_items", sa.Integer(), nullable=False),
        sa.Column("items_per_hour", sa.Double(), nullable=True),
    )
    op.create_table(
        "dead_letter",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("brand_id", sa.Integer(), sa.ForeignKey("brand.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("raw_format", sa.String(32), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("field", sa.String(100), nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(16), nullable=True),
        sa.Column(
            "resolved_by_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "mention_id", sa.Integer(), sa.ForeignKey("mention.id", ondelete="SET NULL"), nullable=True
        ),
        sa.UniqueConstraint("source_id", "digest"),
    )
    op.create_index("ix_dead_letter_brand_open", "dead_letter", ["brand_id", "resolved_at"])
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("source.id", ondelete="CASCADE"), nullable=False),
        sa.Column("signature", sa.String(80), nullable=False),
        sa.Column("received_at", UtcDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source_id", "signature"),
    )
    op.create_index("ix_webhook_delivery_received_at", "webhook_delivery", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_delivery_received_at", "webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_dead_letter_brand_open", "dead_letter")
    op.drop_table("dead_letter")
    op.drop_table("source_state")
