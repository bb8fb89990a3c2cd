"""committee stage (评审): committee offices, the expert pool, review sessions, panels, the secret ballot

Revision ID: 0013
Revises: 0012

The committee stage's declaration states and actions, and the committee office's account
kind, join the CHECK lists of their VARCHAR columns (models.base.str_enum) the way 0009 did:
this revision adds its values to whatever the CHECK holds and its downgrade removes only
them, so a later revision extending the same lists (the results stage's actions) composes.
Downgrading deletes the committee stage's rows and returns its declarations to ACCEPTED.
"""

import re

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_STATES = ['CHECKED', 'IN_REVIEW', 'PASSED', 'NOT_PASSED', 'GRANTED', 'REVOKED']
#: (table, CHECK constraint, column) → the values this revision adds.
NEW_VALUES = {
    ('account', 'ck_account_account_kind', 'kind'): ['COMMITTEE_OFFICE'],
    ('declaration', 'ck_declaration_declaration_status', 'status'): _STATES,
    ('declaration_event', 'ck_declaration_event_event_from_status', 'from_status'): _STATES,
    ('declaration_event', 'ck_declaration_event_event_to_status', 'to_status'): _STATES,
    ('declaration_event', 'ck_declaration_event_declaration_action', 'action'):
        ['CHECK', 'RESUBMIT_TO_COMMITTEE', 'SCHEDULE', 'PASS', 'FAIL'],
}


def _values(table: str, constraint: str) -> list[str]:
    definition = op.get_bind().scalar(sa.text(
        "SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.conname = :name AND c.conrelid = CAST(:table AS regclass)"), {"name": constraint, "table": table})
    if definition is None:
        raise RuntimeError(f"CHECK {constraint} on {table} not found")
    return re.findall(r"'([^']*)'::", definition)


def _set_values(table: str, constraint: str, column: str, values: list[str]) -> None:
    listed = ", ".join(f"'{v}'" for v in values)
    op.drop_constraint(op.f(constraint), table, type_='check')
    op.create_check_constraint(op.f(constraint), table, f"{column} IN ({listed})")


def _extend_checks() -> None:
    for (table, constraint, column), added in NEW_VALUES.items():
        current = _values(table, constraint)
        _set_values(table, constraint, column, current + [v for v in added if v not in current])


def _shrink_checks() -> None:
    for (table, constraint, column), added in NEW_VALUES.items():
        _set_values(table, constraint, column, [v for v in _values(table, constraint) if v not in added])


# Undoing the stage: its declarations are again accepted and waiting, its events go, and the
# office accounts (with their sessions and audit rows' links) go with the offices.
DOWNGRADE_DATA = (
    "UPDATE declaration SET status = 'ACCEPTED' WHERE status IN ('CHECKED', 'IN_REVIEW', 'PASSED', 'NOT_PASSED', "
    "'GRANTED', 'REVOKED')",
    "DELETE FROM declaration_event WHERE action IN ('CHECK', 'RESUBMIT_TO_COMMITTEE', 'SCHEDULE', 'PASS', 'FAIL') "
    "OR from_status IN ('CHECKED', 'IN_REVIEW', 'PASSED', 'NOT_PASSED', 'GRANTED', 'REVOKED') "
    "OR to_status IN ('CHECKED', 'IN_REVIEW', 'PASSED', 'NOT_PASSED', 'GRANTED', 'REVOKED')",
    "DELETE FROM declaration_event WHERE actor_account_id IN (SELECT id FROM account WHERE kind = 'COMMITTEE_OFFICE')",
    "UPDATE correction_notice SET created_by_account_id = (SELECT account_id FROM unit WHERE unit.id = "
    "correction_notice.unit_id) WHERE committee_id IS NOT NULL",
    "DELETE FROM auth_session WHERE account_id IN (SELECT id FROM account WHERE kind = 'COMMITTEE_OFFICE')",
    "DELETE FROM login_throttle WHERE key IN (SELECT 'account:' || id FROM account WHERE kind = 'COMMITTEE_OFFICE')",
)
_DROP_OFFICE_ACCOUNTS = "DELETE FROM account WHERE kind = 'COMMITTEE_OFFICE'"


def upgrade() -> None:
    _extend_checks()
    op.add_column('correction_notice', sa.Column('committee_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_correction_notice_committee_id_committee'), 'correction_notice', 'committee',
                          ['committee_id'], ['id'])
    op.create_table('committee_office',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('committee_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_account_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_committee_office_account_id_account')),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], name=op.f('fk_committee_office_committee_id_committee')),
    sa.ForeignKeyConstraint(['created_by_account_id'], ['account.id'], name=op.f('fk_committee_office_created_by_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_office')),
    sa.UniqueConstraint('account_id', name=op.f('uq_committee_office_account_id'))
    )
    op.create_index(op.f('ix_committee_office_committee_id'), 'committee_office', ['committee_id'], unique=False)
    op.create_table('expert',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('committee_id', sa.BigInteger(), nullable=False),
    sa.Column('series_code', sa.String(length=64), nullable=False),
    sa.Column('specialty_codes', postgresql.ARRAY(sa.String(length=64)), nullable=False),
    sa.Column('held_level', sa.Enum('SENIOR', 'ASSOCIATE_SENIOR', 'INTERMEDIATE', 'ASSISTANT', 'JUNIOR', name='title_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=False),
    sa.Column('term_end', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('ACTIVE', 'SUSPENDED', 'RETIRED', name='expert_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('current', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('term_end > term_start', name=op.f('ck_expert_term_order')),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], name=op.f('fk_expert_committee_id_committee')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_expert_person_id_person')),
    sa.ForeignKeyConstraint(['series_code'], ['catalog_series.code'], name=op.f('fk_expert_series_code_catalog_series')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_expert_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert'))
    )
    op.create_index(op.f('ix_expert_person_id'), 'expert', ['person_id'], unique=False)
    op.create_index('ix_expert_pool', 'expert', ['committee_id', 'series_code', 'status', 'current'], unique=False)
    op.create_index('uq_expert_current', 'expert', ['committee_id', 'person_id'], unique=True, postgresql_where=sa.text('current'))
    op.create_table('review_session',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('committee_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('year', sa.BigInteger(), nullable=False),
    sa.Column('series_code', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Enum('SENIOR', 'ASSOCIATE_SENIOR', 'INTERMEDIATE', 'ASSISTANT', 'JUNIOR', name='title_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('meeting_on', sa.Date(), nullable=False),
    sa.Column('panel_size', sa.SmallInteger(), nullable=False),
    sa.Column('state', sa.Enum('CREATED', 'PANEL_DRAWN', 'VOTING', 'CLOSED', name='session_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_account_id', sa.BigInteger(), nullable=False),
    sa.Column('draw_seed', sa.LargeBinary(length=32), nullable=True),
    sa.Column('eligible_count', sa.BigInteger(), nullable=True),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attendance_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('present_count', sa.SmallInteger(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('panel_size % 2 = 1 AND panel_size >= 3', name=op.f('ck_review_session_panel_size_odd')),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], name=op.f('fk_review_session_committee_id_committee')),
    sa.ForeignKeyConstraint(['created_by_account_id'], ['account.id'], name=op.f('fk_review_session_created_by_account_id_account')),
    sa.ForeignKeyConstraint(['series_code'], ['catalog_series.code'], name=op.f('fk_review_session_series_code_catalog_series')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_session'))
    )
    op.create_index('ix_review_session_committee', 'review_session', ['committee_id', 'year', 'id'], unique=False)
    op.create_table('expert_conflict',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('committee_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('declared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('declared_by_account_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], name=op.f('fk_expert_conflict_committee_id_committee')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_expert_conflict_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['declared_by_account_id'], ['account.id'], name=op.f('fk_expert_conflict_declared_by_account_id_account')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_expert_conflict_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expert_conflict'))
    )
    op.create_index('uq_expert_conflict', 'expert_conflict', ['declaration_id', 'person_id'], unique=True)
    op.create_table('panel_member',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.BigInteger(), nullable=False),
    sa.Column('expert_id', sa.BigInteger(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('draw_position', sa.SmallInteger(), nullable=False),
    sa.Column('group_no', sa.SmallInteger(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], name=op.f('fk_panel_member_expert_id_expert')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_panel_member_person_id_person')),
    sa.ForeignKeyConstraint(['session_id'], ['review_session.id'], name=op.f('fk_panel_member_session_id_review_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_member'))
    )
    op.create_index('ix_panel_member_person', 'panel_member', ['person_id'], unique=False)
    op.create_index('uq_panel_member_person', 'panel_member', ['session_id', 'person_id'], unique=True)
    op.create_table('session_candidate',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.BigInteger(), nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('work_unit_id', sa.BigInteger(), nullable=False),
    sa.Column('group_no', sa.SmallInteger(), nullable=True),
    sa.Column('present', sa.SmallInteger(), nullable=True),
    sa.Column('agree', sa.SmallInteger(), nullable=True),
    sa.Column('disagree', sa.SmallInteger(), nullable=True),
    sa.Column('abstain', sa.SmallInteger(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('tallied_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_session_candidate_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['session_id'], ['review_session.id'], name=op.f('fk_session_candidate_session_id_review_session')),
    sa.ForeignKeyConstraint(['work_unit_id'], ['unit.id'], name=op.f('fk_session_candidate_work_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_candidate'))
    )
    op.create_index('ix_session_candidate_session', 'session_candidate', ['session_id', 'id'], unique=False)
    op.create_index('uq_session_candidate_declaration', 'session_candidate', ['declaration_id'], unique=True)
    op.create_table('ballot',
    sa.Column('candidate_id', sa.BigInteger(), nullable=False),
    sa.Column('ballot_key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('session_id', sa.BigInteger(), nullable=False),
    sa.Column('nonce', sa.LargeBinary(length=16), nullable=False),
    sa.Column('seal', sa.LargeBinary(length=33), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['session_candidate.id'], name=op.f('fk_ballot_candidate_id_session_candidate')),
    sa.ForeignKeyConstraint(['session_id'], ['review_session.id'], name=op.f('fk_ballot_session_id_review_session')),
    sa.PrimaryKeyConstraint('candidate_id', 'ballot_key', name=op.f('pk_ballot'))
    )
    op.create_index(op.f('ix_ballot_session_id'), 'ballot', ['session_id'], unique=False)
    op.create_table('ballot_voter',
    sa.Column('session_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['panel_member.id'], name=op.f('fk_ballot_voter_member_id_panel_member')),
    sa.ForeignKeyConstraint(['session_id'], ['review_session.id'], name=op.f('fk_ballot_voter_session_id_review_session')),
    sa.PrimaryKeyConstraint('session_id', 'member_id', name=op.f('pk_ballot_voter'))
    )
    op.create_table('opinion',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('candidate_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['session_candidate.id'], name=op.f('fk_opinion_candidate_id_session_candidate')),
    sa.ForeignKeyConstraint(['member_id'], ['panel_member.id'], name=op.f('fk_opinion_member_id_panel_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opinion'))
    )
    op.create_index('uq_opinion_candidate', 'opinion', ['candidate_id'], unique=True)
    op.create_table('panel_recusal',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.BigInteger(), nullable=False),
    sa.Column('candidate_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['session_candidate.id'], name=op.f('fk_panel_recusal_candidate_id_session_candidate')),
    sa.ForeignKeyConstraint(['member_id'], ['panel_member.id'], name=op.f('fk_panel_recusal_member_id_panel_member')),
    sa.ForeignKeyConstraint(['session_id'], ['review_session.id'], name=op.f('fk_panel_recusal_session_id_review_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_recusal'))
    )
    op.create_index(op.f('ix_panel_recusal_session_id'), 'panel_recusal', ['session_id'], unique=False)
    op.create_index('uq_panel_recusal', 'panel_recusal', ['candidate_id', 'member_id'], unique=True)


def downgrade() -> None:
    for statement in DOWNGRADE_DATA:
        op.execute(statement)
    op.drop_index('uq_panel_recusal', table_name='panel_recusal')
    op.drop_index(op.f('ix_panel_recusal_session_id'), table_name='panel_recusal')
    op.drop_table('panel_recusal')
    op.drop_index('uq_opinion_candidate', table_name='opinion')
    op.drop_table('opinion')
    op.drop_table('ballot_voter')
    op.drop_index(op.f('ix_ballot_session_id'), table_name='ballot')
    op.drop_table('ballot')
    op.drop_index('uq_session_candidate_declaration', table_name='session_candidate')
    op.drop_index('ix_session_candidate_session', table_name='session_candidate')
    op.drop_table('session_candidate')
    op.drop_index('uq_panel_member_person', table_name='panel_member')
    op.drop_index('ix_panel_member_person', table_name='panel_member')
    op.drop_table('panel_member')
    op.drop_index('uq_expert_conflict', table_name='expert_conflict')
    op.drop_table('expert_conflict')
    op.drop_index('ix_review_session_committee', table_name='review_session')
    op.drop_table('review_session')
    op.drop_index('uq_expert_current', table_name='expert', postgresql_where=sa.text('current'))
    op.drop_index('ix_expert_pool', table_name='expert')
    op.drop_index(op.f('ix_expert_person_id'), table_name='expert')
    op.drop_table('expert')
    op.drop_index(op.f('ix_committee_office_committee_id'), table_name='committee_office')
    op.drop_table('committee_office')
    op.drop_constraint(op.f('fk_correction_notice_committee_id_committee'), 'correction_notice', type_='foreignkey')
    op.drop_column('correction_notice', 'committee_id')
    op.execute(_DROP_OFFICE_ACCOUNTS)
    _shrink_checks()
