"""case outcome scope in the covering indexes: a team's, agent's, channel's or category's figures
and a breakdown's groups read from the index alone

Revision ID: a7c3e9f1b5d2
Revises: a9c4e2f7b1d3
Create Date: 2026-12-02 04:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'a7c3e9f1b5d2'
down_revision: str | None = 'a9c4e2f7b1d3'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESOLVED_FACTS = [
    'resolution_is_problem',
    'opened_at',
    'reopened_within_window',
    'first_contact_resolution',
    'handoffs',
    'met_sla',
    'survey_sent',
    'survey_score',
    'experience',
    'sentiment_before',
    'sentiment_after',
    'public_complaint',
    'closed_in_public',
    'first_response_seconds',
    'resolution_seconds',
]
SCOPE = ['team_id', 'assignee_id', 'channel', 'category']


def upgrade() -> None:
    op.drop_index('ix_case_outcome_brand_resolved_facts', table_name='case_outcome')
    op.drop_index('ix_case_outcome_brand_opened_junk', table_name='case_outcome')
    op.create_index(
        'ix_case_outcome_brand_resolved_scope',
        'case_outcome',
        ['brand_id', 'resolved_at', *RESOLVED_FACTS, *SCOPE],
    )
    op.create_index(
        'ix_case_outcome_brand_opened_scope', 'case_outcome', ['brand_id', 'opened_at', 'is_junk', *SCOPE]
    )


def downgrade() -> None:
    op.drop_index('ix_case_outcome_brand_opened_scope', table_name='case_outcome')
    op.drop_index('ix_case_outcome_brand_resolved_scope', table_name='case_outcome')
    op.create_index(
        'ix_case_outcome_brand_resolved_facts', 'case_outcome', ['brand_id', 'resolved_at', *RESOLVED_FACTS]
    )
    op.create_index('ix_case_outcome_brand_opened_junk', 'case_outcome', ['brand_id', 'opened_at', 'is_junk'])
