"""case outcome covering indexes: a period's figures and opened count read from the index alone

Revision ID: e4b7c1d9a2f5
Revises: d8a3f6c2b4e9
Create Date: 2026-12-02 02:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'e4b7c1d9a2f5'
down_revision: str | None = 'd8a3f6c2b4e9'
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


def upgrade() -> None:
    op.drop_index('ix_case_outcome_brand_resolved', table_name='case_outcome')
    op.drop_index('ix_case_outcome_brand_opened', table_name='case_outcome')
    op.create_index(
        'ix_case_outcome_brand_resolved_facts', 'case_outcome', ['brand_id', 'resolved_at', *RESOLVED_FACTS]
    )
    op.create_index('ix_case_outcome_brand_opened_junk', 'case_outcome', ['brand_id', 'opened_at', 'is_junk'])


def downgrade() -> None:
    op.drop_index('ix_case_outcome_brand_opened_junk', table_name='case_outcome')
    op.drop_index('ix_case_outcome_brand_resolved_facts', table_name='case_outcome')
    op.create_index('ix_case_outcome_brand_resolved', 'case_outcome', ['brand_id', 'resolved_at'])
    op.create_index('ix_case_outcome_brand_opened', 'case_outcome', ['brand_id', 'opened_at'])
