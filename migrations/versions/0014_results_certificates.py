"""results stage (评审结果): results publicity and objections, confirmation, certificates

Revision ID: 0014
Revises: 0013

The results stage's declaration actions join the CHECK list of declaration_event.action the
way 0013 did (added to whatever the CHECK holds; the downgrade removes only them). Its
states (GRANTED, REVOKED) came with 0013. Downgrading deletes the stage's rows and events and
returns granted and revoked declarations to PASSED.
"""

import re

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


_ACTIONS = ['START_RESULTS_PUBLICITY', 'RAISE_RESULT_OBJECTION', 'DISMISS_RESULT_OBJECTION', 'WITHDRAW_RESULT',
            'GRANT', 'CONFIRM_NOT_PASSED', 'REVOKE']
_ACTION_CHECK = ('declaration_event', 'ck_declaration_event_declaration_action', 'action')


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


def upgrade() -> None:
    table, constraint, column = _ACTION_CHECK
    current = _values(table, constraint)
    _set_values(table, constraint, column, current + [a for a in _ACTIONS if a not in current])
    op.create_table('certificate_sequence',
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('level', sa.Enum('SENIOR', 'ASSOCIATE_SENIOR', 'INTERMEDIATE', 'ASSISTANT', 'JUNIOR', name='title_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('region_code', 'year', 'level', name=op.f('pk_certificate_sequence'))
    )
    op.create_table('results_publicity',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('session_id', sa.BigInteger(), nullable=False),
    sa.Column('committee_id', sa.BigInteger(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('working_days', sa.SmallInteger(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_account_id', sa.BigInteger(), nullable=False),
    sa.Column('created_by_name', sa.String(length=100), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_admin_id', sa.BigInteger(), nullable=True),
    sa.Column('granted_count', sa.Integer(), nullable=True),
    sa.Column('not_passed_count', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], name=op.f('fk_results_publicity_committee_id_committee')),
    sa.ForeignKeyConstraint(['confirmed_by_admin_id'], ['admin.id'], name=op.f('fk_results_publicity_confirmed_by_admin_id_admin')),
    sa.ForeignKeyConstraint(['created_by_account_id'], ['account.id'], name=op.f('fk_results_publicity_created_by_account_id_account')),
    sa.ForeignKeyConstraint(['session_id'], ['review_session.id'], name=op.f('fk_results_publicity_session_id_review_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_publicity')),
    sa.UniqueConstraint('session_id', name=op.f('uq_results_publicity_session_id'))
    )
    op.create_index(op.f('ix_results_publicity_committee_id'), 'results_publicity', ['committee_id'], unique=False)
    op.create_table('certificate',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('number', sa.String(length=19), nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('publicity_id', sa.BigInteger(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('level', sa.Enum('SENIOR', 'ASSOCIATE_SENIOR', 'INTERMEDIATE', 'ASSISTANT', 'JUNIOR', name='title_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('holder_name', sa.String(length=50), nullable=False),
    sa.Column('masked_id_number', sa.String(length=18), nullable=False),
    sa.Column('series_name', sa.String(length=100), nullable=False),
    sa.Column('level_name', sa.String(length=16), nullable=False),
    sa.Column('title_name', sa.String(length=100), nullable=False),
    sa.Column('specialty_name', sa.String(length=100), nullable=False),
    sa.Column('committee_name', sa.String(length=100), nullable=False),
    sa.Column('issued_by', sa.String(length=100), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_admin_id', sa.BigInteger(), nullable=True),
    sa.Column('revoke_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_certificate_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_certificate_person_id_person')),
    sa.ForeignKeyConstraint(['publicity_id'], ['results_publicity.id'], name=op.f('fk_certificate_publicity_id_results_publicity')),
    sa.ForeignKeyConstraint(['revoked_by_admin_id'], ['admin.id'], name=op.f('fk_certificate_revoked_by_admin_id_admin')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('declaration_id', name=op.f('uq_certificate_declaration_id')),
    sa.UniqueConstraint('number', name=op.f('uq_certificate_number'))
    )
    op.create_index(op.f('ix_certificate_person_id'), 'certificate', ['person_id'], unique=False)
    op.create_index(op.f('ix_certificate_publicity_id'), 'certificate', ['publicity_id'], unique=False)
    op.create_table('results_publicity_entry',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('publicity_id', sa.BigInteger(), nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('holder_name', sa.String(length=50), nullable=False),
    sa.Column('masked_id_number', sa.String(length=18), nullable=False),
    sa.Column('unit_name', sa.String(length=100), nullable=False),
    sa.Column('series_name', sa.String(length=100), nullable=False),
    sa.Column('title_name', sa.String(length=100), nullable=False),
    sa.Column('specialty_name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.Enum('SENIOR', 'ASSOCIATE_SENIOR', 'INTERMEDIATE', 'ASSISTANT', 'JUNIOR', name='title_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_results_publicity_entry_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['publicity_id'], ['results_publicity.id'], name=op.f('fk_results_publicity_entry_publicity_id_results_publicity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_publicity_entry')),
    sa.UniqueConstraint('declaration_id', name=op.f('uq_results_publicity_entry_declaration_id'))
    )
    op.create_index('ix_results_publicity_entry_list', 'results_publicity_entry', ['publicity_id', 'id'], unique=False)
    op.create_table('result_objection',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('publicity_id', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('raised_by_account_id', sa.BigInteger(), nullable=False),
    sa.Column('raised_by_name', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.Enum('UPHELD', 'DISMISSED', 'SUPERSEDED', name='objection_outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('resolution', sa.String(length=500), nullable=True),
    sa.Column('resolved_by_account_id', sa.BigInteger(), nullable=True),
    sa.Column('resolved_by_name', sa.String(length=100), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_result_objection_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['entry_id'], ['results_publicity_entry.id'], name=op.f('fk_result_objection_entry_id_results_publicity_entry')),
    sa.ForeignKeyConstraint(['publicity_id'], ['results_publicity.id'], name=op.f('fk_result_objection_publicity_id_results_publicity')),
    sa.ForeignKeyConstraint(['raised_by_account_id'], ['account.id'], name=op.f('fk_result_objection_raised_by_account_id_account')),
    sa.ForeignKeyConstraint(['resolved_by_account_id'], ['account.id'], name=op.f('fk_result_objection_resolved_by_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_objection'))
    )
    op.create_index(op.f('ix_result_objection_declaration_id'), 'result_objection', ['declaration_id'], unique=False)
    op.create_index(op.f('ix_result_objection_entry_id'), 'result_objection', ['entry_id'], unique=False)
    op.create_index('ix_result_objection_open', 'result_objection', ['publicity_id'], unique=False, postgresql_where=sa.text('outcome IS NULL'))
    op.create_index('ix_result_objection_publicity', 'result_objection', ['publicity_id', 'id'], unique=False)


def downgrade() -> None:
    listed = ", ".join(f"'{a}'" for a in _ACTIONS)
    op.execute(f"DELETE FROM declaration_event WHERE action IN ({listed})")
    op.execute("UPDATE declaration SET status = 'PASSED' WHERE status IN ('GRANTED', 'REVOKED')")
    op.execute("DELETE FROM login_throttle WHERE key LIKE 'verify:%'")
    op.drop_index('ix_result_objection_publicity', table_name='result_objection')
    op.drop_index('ix_result_objection_open', table_name='result_objection', postgresql_where=sa.text('outcome IS NULL'))
    op.drop_index(op.f('ix_result_objection_entry_id'), table_name='result_objection')
    op.drop_index(op.f('ix_result_objection_declaration_id'), table_name='result_objection')
    op.drop_table('result_objection')
    op.drop_index('ix_results_publicity_entry_list', table_name='results_publicity_entry')
    op.drop_table('results_publicity_entry')
    op.drop_index(op.f('ix_certificate_publicity_id'), table_name='certificate')
    op.drop_index(op.f('ix_certificate_person_id'), table_name='certificate')
    op.drop_table('certificate')
    op.drop_index(op.f('ix_results_publicity_committee_id'), table_name='results_publicity')
    op.drop_table('results_publicity')
    op.drop_table('certificate_sequence')
    table, constraint, column = _ACTION_CHECK
    _set_values(table, constraint, column, [v for v in _values(table, constraint) if v not in _ACTIONS])
