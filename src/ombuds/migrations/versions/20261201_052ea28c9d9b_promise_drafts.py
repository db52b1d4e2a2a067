"""promise drafts: claims checked against customers before launch, and care's comments on them

Revision ID: 052ea28c9d9b
Revises: f34872e7d83d
Create Date: 2026-12-01 22:28:56.788496
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = '052ea28c9d9b'
down_revision: str | None = 'f34872e7d83d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('promise_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('checked_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('promise_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_promise_draft_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_promise_draft_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['promise_id'], ['promise.id'], name=op.f('fk_promise_draft_promise_id_promise'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promise_draft'))
    )
    with op.batch_alter_table('promise_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promise_draft_brand_id'), ['brand_id'], unique=False)

    op.create_table('promise_draft_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_promise_draft_comment_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_promise_draft_comment_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['draft_id'], ['promise_draft.id'], name=op.f('fk_promise_draft_comment_draft_id_promise_draft'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promise_draft_comment'))
    )
    with op.batch_alter_table('promise_draft_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promise_draft_comment_brand_id'), ['brand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promise_draft_comment_draft_id'), ['draft_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('promise_draft_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promise_draft_comment_draft_id'))
        batch_op.drop_index(batch_op.f('ix_promise_draft_comment_brand_id'))

    op.drop_table('promise_draft_comment')
    with op.batch_alter_table('promise_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promise_draft_brand_id'))

    op.drop_table('promise_draft')
