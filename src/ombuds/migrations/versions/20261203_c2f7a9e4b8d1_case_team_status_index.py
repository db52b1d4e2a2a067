"""an index on a case's team, status and brand: a team's inbox counts its open cases from it

Revision ID: c2f7a9e4b8d1
Revises: a6e2c8f4d1b7
Create Date: 2026-12-03 19:50:00
"""

from collections.abc import Sequence

from alembic import op

from ombuds.planner_statistics import sample_again_where_kept

revision: str = 'c2f7a9e4b8d1'
down_revision: str | None = 'a6e2c8f4d1b7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_case_team_status', 'case', ['team_id', 'status', 'brand_id'], unique=False)
    sample_again_where_kept(op.get_bind())  # a new index without statistics would be taken for the best


def downgrade() -> None:
    op.drop_index('ix_case_team_status', table_name='case')
