"""an SLA clock keeps the next-response deadline its breach missed

A breach that raised the priority moved the waiting message's deadline earlier (the higher
priority's shorter target, counted from the same message), so the case read a day more overdue
than the breach said. The missed deadline now stands for that message.

Revision ID: 1331f9cf7ed9
Revises: 4ebd4bb89f4c
Create Date: 2026-12-05 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1331f9cf7ed9"
down_revision: str | None = "4ebd4bb89f4c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sla_clock", sa.Column("escalated_next_due", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sla_clock") as batch:
        batch.drop_column("escalated_next_due")
