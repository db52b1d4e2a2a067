"""an index on a case's team, status and brand: a team's inbox counts its open cases from it

Revision ID: c2f7a9e4b8d1
Revises: a6e2c8f4d1b7
Create Date: 2026-12-03 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c2f7a9e4b8d1'
down_revision: str | None = 'a6e2c8f4d1b7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_case_team_status', 'case', ['team_id', 'status', 'brand_id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and _has_statistics(bind):
        # an index without statistics is taken for the best one where the others have them
        # (migration b3d7f1a9c5e2); sampled again as ``refresh_statistics`` samples
        op.execute(sa.text("PRAGMA analysis_limit = 1000"))
        op.execute(sa.text("ANALYZE"))


def _has_statistics(bind: sa.Connection) -> bool:
    found = bind.execute(sa.text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"))
    return found.first() is not None


def downgrade() -> None:
    op.drop_index('ix_case_team_status', table_name='case')
