"""A per-user session version, and an index for finding mentions by brand and external id

Revision ID: dc982e31b42b
Revises: ef411397dfbc
Create Date: 2026-12-01 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'dc982e31b42b'
down_revision: str | None = 'ef411397dfbc'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Cookies signed before this revision carry no version, so their people sign in once more.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.create_index('ix_mention_brand_external', ['brand_id', 'external_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.drop_index('ix_mention_brand_external')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_version')
