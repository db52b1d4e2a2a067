"""talking points, reply templates and news items

Revision ID: 8e4483564075
Revises: bb80d0102eed
Create Date: 2026-12-01 11:35:01.530504
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = '8e4483564075'
down_revision: str | None = 'bb80d0102eed'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('news_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('launch', 'outage', 'good_news', name='newskind', native_enum=False, length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('may_share', sa.Boolean(), nullable=False),
    sa.Column('valid_from', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_news_item_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_news_item_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_item'))
    )
    with op.batch_alter_table('news_item', schema=None) as batch_op:
        batch_op.create_index('ix_news_item_brand_valid', ['brand_id', 'valid_until'], unique=False)

    op.create_table('reply_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('variants', sa.JSON(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('usage_count', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_reply_template_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_reply_template_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reply_template')),
    sa.UniqueConstraint('brand_id', 'name', name=op.f('uq_reply_template_brand_id'))
    )
    op.create_table('talking_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_talking_point_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_talking_point_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_talking_point_owner_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talking_point'))
    )
    with op.batch_alter_table('talking_point', schema=None) as batch_op:
        batch_op.create_index('ix_talking_point_brand_incident', ['brand_id', 'incident_id'], unique=False)

    op.create_table('talking_point_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('talking_point_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user_account.id'], name=op.f('fk_talking_point_version_approved_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_talking_point_version_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_talking_point_version_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['talking_point_id'], ['talking_point.id'], name=op.f('fk_talking_point_version_talking_point_id_talking_point'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talking_point_version')),
    sa.UniqueConstraint('talking_point_id', 'version', name=op.f('uq_talking_point_version_talking_point_id'))
    )
    with op.batch_alter_table('talking_point_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talking_point_version_brand_id'), ['brand_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('talking_point_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_talking_point_version_brand_id'))

    op.drop_table('talking_point_version')
    with op.batch_alter_table('talking_point', schema=None) as batch_op:
        batch_op.drop_index('ix_talking_point_brand_incident')

    op.drop_table('talking_point')
    op.drop_table('reply_template')
    with op.batch_alter_table('news_item', schema=None) as batch_op:
        batch_op.drop_index('ix_news_item_brand_valid')

    op.drop_table('news_item')
