"""digest send retries: failures in a row, the last error and when the next attempt is due

Revision ID: c4f1a9e2d7b3
Revises: a7d3c5e9b214
Create Date: 2026-12-02 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = 'c4f1a9e2d7b3'
down_revision: str | None = 'a7d3c5e9b214'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('digest_schedule') as batch:
        batch.add_column(sa.Column('failures', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch.add_column(sa.Column('last_failed_at', ombuds.db.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('next_attempt_at', ombuds.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('digest_schedule') as batch:
        batch.drop_column('next_attempt_at')
        batch.drop_column('last_failed_at')
        batch.drop_column('last_error')
        batch.drop_column('failures')
