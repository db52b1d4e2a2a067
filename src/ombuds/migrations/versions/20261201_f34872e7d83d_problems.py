"""problems: causes behind many cases, what they explain, and telling each customer when fixed

Revision ID: f34872e7d83d
Revises: c3f9a7e2d816
Create Date: 2026-12-01 22:27:10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ombuds.db

revision: str = 'f34872e7d83d'
down_revision: str | None = 'c3f9a7e2d816'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('problem_proposal_dismissal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
    sa.Column('dismissed_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_problem_proposal_dismissal_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['user_account.id'], name=op.f('fk_problem_proposal_dismissal_dismissed_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_proposal_dismissal')),
    sa.UniqueConstraint('brand_id', 'key', name=op.f('uq_problem_proposal_dismissal_brand_id'))
    )
    op.create_table('problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('investigating', 'fix_in_progress', 'fixed', 'verified', name='problemstatus', native_enum=False, length=16), nullable=False),
    sa.Column('owner_team_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('expected_fix_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('fix_message', sa.Text(), nullable=True),
    sa.Column('talking_point_id', sa.Integer(), nullable=True),
    sa.Column('proposal_key', sa.String(length=200), nullable=True),
    sa.Column('fix_round', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('fixed_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('verified_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('reopened_at', ombuds.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_problem_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_problem_confirmed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_problem_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_problem_owner_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_team_id'], ['team.id'], name=op.f('fk_problem_owner_team_id_team'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['talking_point_id'], ['talking_point.id'], name=op.f('fk_problem_talking_point_id_talking_point'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem'))
    )
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.create_index('ix_problem_brand_status', ['brand_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_owner_team_id'), ['owner_team_id'], unique=False)

    op.create_table('problem_case',
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_problem_case_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_problem_case_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['linked_by_id'], ['user_account.id'], name=op.f('fk_problem_case_linked_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_problem_case_problem_id_problem'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('problem_id', 'case_id', name=op.f('pk_problem_case')),
    sa.UniqueConstraint('case_id', name=op.f('uq_problem_case_case_id'))
    )
    op.create_table('problem_incident',
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_problem_incident_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_problem_incident_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_problem_incident_problem_id_problem'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('problem_id', 'incident_id', name=op.f('pk_problem_incident'))
    )
    with op.batch_alter_table('problem_incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_incident_incident_id'), ['incident_id'], unique=False)

    op.create_table('problem_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('fix_round', sa.Integer(), nullable=False),
    sa.Column('reply_id', sa.Integer(), nullable=True),
    sa.Column('refused', sa.Text(), nullable=True),
    sa.Column('created_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_problem_notice_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_problem_notice_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], name=op.f('fk_problem_notice_customer_id_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_problem_notice_problem_id_problem'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reply_id'], ['reply.id'], name=op.f('fk_problem_notice_reply_id_reply'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_notice')),
    sa.UniqueConstraint('problem_id', 'case_id', 'fix_round', name=op.f('uq_problem_notice_problem_id'))
    )
    with op.batch_alter_table('problem_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_notice_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_notice_reply_id'), ['reply_id'], unique=False)

    op.create_table('problem_promise',
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('promise_id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', ombuds.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_problem_promise_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['problem_id'], ['problem.id'], name=op.f('fk_problem_promise_problem_id_problem'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['promise_id'], ['promise.id'], name=op.f('fk_problem_promise_promise_id_promise'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('problem_id', 'promise_id', name=op.f('pk_problem_promise'))
    )
    with op.batch_alter_table('problem_promise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_promise_promise_id'), ['promise_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('problem_promise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_promise_promise_id'))

    op.drop_table('problem_promise')
    with op.batch_alter_table('problem_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_notice_reply_id'))
        batch_op.drop_index(batch_op.f('ix_problem_notice_case_id'))

    op.drop_table('problem_notice')
    with op.batch_alter_table('problem_incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_incident_incident_id'))

    op.drop_table('problem_incident')
    op.drop_table('problem_case')
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_owner_team_id'))
        batch_op.drop_index('ix_problem_brand_status')

    op.drop_table('problem')
    op.drop_table('problem_proposal_dismissal')
