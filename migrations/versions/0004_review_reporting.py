"""review and reporting: review_step (数据审核 / 数据上报), the committee that accepted a declaration

Revision ID: 0004
Revises: 0003

Declarations already waiting at a unit (confirmed before this revision) get their open
review step, so they appear in that unit's review queue.
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


BACKFILL_OPEN_STEPS = """
INSERT INTO review_step (declaration_id, unit_id, round, arrived_at, year, series_code, level, level_rank,
                         title_code, title_name, applicant_name, work_unit_id, work_unit_name, confirmed_at)
SELECT d.id, d.current_unit_id, 1, d.confirmed_at, d.year, d.series_code, d.level,
       array_position(ARRAY['SENIOR', 'ASSOCIATE_SENIOR', 'INTERMEDIATE', 'ASSISTANT', 'JUNIOR'], d.level::text),
       d.title_code, t.name, p.name, d.work_unit_id, u.name, d.confirmed_at
FROM declaration d
JOIN person p ON p.id = d.person_id
JOIN unit u ON u.id = d.work_unit_id
JOIN catalog_title t ON t.code = d.title_code
WHERE d.status = 'PENDING_REVIEW' AND d.current_unit_id IS NOT NULL
"""


def upgrade() -> None:
    op.create_table('review_step',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('from_unit_id', sa.BigInteger(), nullable=True),
    sa.Column('decision', sa.Enum('APPROVED', 'REJECTED', 'WITHDRAWN', name='step_decision', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewer_account_id', sa.BigInteger(), nullable=True),
    sa.Column('reviewer_name', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('awaiting_report', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reported_to_unit_id', sa.BigInteger(), nullable=True),
    sa.Column('committee_id', sa.BigInteger(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('series_code', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Enum('SENIOR', 'ASSOCIATE_SENIOR', 'INTERMEDIATE', 'ASSISTANT', 'JUNIOR', name='title_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('level_rank', sa.SmallInteger(), nullable=False),
    sa.Column('title_code', sa.String(length=96), nullable=False),
    sa.Column('title_name', sa.String(length=100), nullable=False),
    sa.Column('applicant_name', sa.String(length=50), nullable=False),
    sa.Column('work_unit_id', sa.BigInteger(), nullable=False),
    sa.Column('work_unit_name', sa.String(length=100), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], name=op.f('fk_review_step_committee_id_committee')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_review_step_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['from_unit_id'], ['unit.id'], name=op.f('fk_review_step_from_unit_id_unit')),
    sa.ForeignKeyConstraint(['reported_to_unit_id'], ['unit.id'], name=op.f('fk_review_step_reported_to_unit_id_unit')),
    sa.ForeignKeyConstraint(['reviewer_account_id'], ['account.id'], name=op.f('fk_review_step_reviewer_account_id_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_review_step_unit_id_unit')),
    sa.ForeignKeyConstraint(['work_unit_id'], ['unit.id'], name=op.f('fk_review_step_work_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_step'))
    )
    op.create_index('ix_review_step_declaration', 'review_step', ['declaration_id', 'unit_id'], unique=False)
    op.create_index('ix_review_step_report_applicant', 'review_step', ['unit_id', 'year', 'level', 'title_code', 'applicant_name', 'id'], unique=False, postgresql_where=sa.text('awaiting_report'))
    op.create_index('ix_review_step_report_confirmed', 'review_step', ['unit_id', 'year', 'level', 'title_code', 'confirmed_at', 'id'], unique=False, postgresql_where=sa.text('awaiting_report'))
    op.create_index('ix_review_step_report_level', 'review_step', ['unit_id', 'year', 'level_rank', 'id'], unique=False, postgresql_where=sa.text('awaiting_report'))
    op.create_index('ix_review_step_report_title', 'review_step', ['unit_id', 'year', 'title_name', 'id'], unique=False, postgresql_where=sa.text('awaiting_report'))
    op.create_index('ix_review_step_report_work_unit', 'review_step', ['unit_id', 'year', 'level', 'title_code', 'work_unit_name', 'id'], unique=False, postgresql_where=sa.text('awaiting_report'))
    op.create_index('ix_review_step_review_queue', 'review_step', ['unit_id', 'decision', 'year', 'level', 'title_code', 'id'], unique=False)
    op.create_index('ix_review_step_work_unit_name_trgm', 'review_step', ['work_unit_name'], unique=False, postgresql_using='gin', postgresql_ops={'work_unit_name': 'gin_trgm_ops'}, postgresql_where=sa.text('awaiting_report'))
    op.create_index('uq_review_step_open', 'review_step', ['declaration_id'], unique=True, postgresql_where=sa.text('decision IS NULL'))
    op.add_column('declaration', sa.Column('committee_id', sa.BigInteger(), nullable=True))
    op.add_column('declaration', sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(op.f('fk_declaration_committee_id_committee'), 'declaration', 'committee', ['committee_id'], ['id'])
    op.execute(BACKFILL_OPEN_STEPS)


def downgrade() -> None:
    op.drop_constraint(op.f('fk_declaration_committee_id_committee'), 'declaration', type_='foreignkey')
    op.drop_column('declaration', 'accepted_at')
    op.drop_column('declaration', 'committee_id')
    op.drop_index('uq_review_step_open', table_name='review_step', postgresql_where=sa.text('decision IS NULL'))
    op.drop_index('ix_review_step_work_unit_name_trgm', table_name='review_step', postgresql_using='gin', postgresql_ops={'work_unit_name': 'gin_trgm_ops'}, postgresql_where=sa.text('awaiting_report'))
    op.drop_index('ix_review_step_review_queue', table_name='review_step')
    op.drop_index('ix_review_step_report_work_unit', table_name='review_step', postgresql_where=sa.text('awaiting_report'))
    op.drop_index('ix_review_step_report_title', table_name='review_step', postgresql_where=sa.text('awaiting_report'))
    op.drop_index('ix_review_step_report_level', table_name='review_step', postgresql_where=sa.text('awaiting_report'))
    op.drop_index('ix_review_step_report_confirmed', table_name='review_step', postgresql_where=sa.text('awaiting_report'))
    op.drop_index('ix_review_step_report_applicant', table_name='review_step', postgresql_where=sa.text('awaiting_report'))
    op.drop_index('ix_review_step_declaration', table_name='review_step')
    op.drop_table('review_step')
