"""digest schedule: the day and hour each brand's weekly digest goes out, and the week last sent

Revision ID: b8e4d1f7c2a9
Revises: 3d7e1f9a5b20
Create Date: 2026-12-01 20:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = 'b8e4d1f7c2a9'
down_revision: str | None = '3d7e1f9a5b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('digest_schedule',
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('last_week', sa.Date(), nullable=True),
    sa.Column('last_sent_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_digest_schedule_brand_id_brand'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('brand_id', name=op.f('pk_digest_schedule'))
    )


def downgrade() -> None:
    op.drop_table('digest_schedule')
