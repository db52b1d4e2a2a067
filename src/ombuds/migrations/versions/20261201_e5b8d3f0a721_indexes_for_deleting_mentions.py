"""indexes on the columns that point at a mention without one, so deleting messages (retention
purges, erasure) does not scan replies, promise examples and incidents once per message

Revision ID: e5b8d3f0a721
Revises: d4a7c2e9f610
Create Date: 2026-12-01 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = 'e5b8d3f0a721'
down_revision: str | None = 'd4a7c2e9f610'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reply_mention_id'), ['mention_id'], unique=False)
    with op.batch_alter_table('promise_example', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promise_example_mention_id'), ['mention_id'], unique=False)
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_representative_mention_id'), ['representative_mention_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_representative_mention_id'))
    with op.batch_alter_table('promise_example', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promise_example_mention_id'))
    with op.batch_alter_table('reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_mention_id'))
