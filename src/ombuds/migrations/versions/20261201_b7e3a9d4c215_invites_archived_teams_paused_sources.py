"""invites (one-time links to join a brand), archived teams, paused sources

Revision ID: b7e3a9d4c215
Revises: 41f31f884b95
Create Date: 2026-12-01 16:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = 'b7e3a9d4c215'
down_revision: str | None = '41f31f884b95'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('admin', 'manager', 'agent', 'pr', 'viewer', name='role', native_enum=False, length=16), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_invite_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user_account.id'], name=op.f('fk_invite_invited_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite')),
    sa.UniqueConstraint('digest', name=op.f('uq_invite_digest'))
    )
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_brand_id'), ['brand_id'], unique=False)
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', ombuds.db.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_at', ombuds.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_column('paused_at')
    with op.batch_alter_table('team', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invite_brand_id'))
    op.drop_table('invite')
