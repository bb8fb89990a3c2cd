"""corrections: correction notices (一次性告知补正), return down the route, the integrity list (职称诚信档案)

Revision ID: 0009
Revises: 0008

Statuses, actions and step decisions are VARCHAR columns with a CHECK listing their values
(models.base.str_enum). This revision adds its values to whatever list the CHECK holds when
it runs, and its downgrade removes only them, so it composes with other revisions that
extend the same lists (the unit-publicity one), in either order.
"""

import re

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: (table, CHECK constraint, column) → the values this revision adds.
NEW_VALUES = {
    ('declaration', 'ck_declaration_declaration_status', 'status'): ['ABANDONED'],
    ('declaration_event', 'ck_declaration_event_event_from_status', 'from_status'): ['ABANDONED'],
    ('declaration_event', 'ck_declaration_event_event_to_status', 'to_status'): ['ABANDONED'],
    ('declaration_event', 'ck_declaration_event_declaration_action', 'action'):
        ['REQUEST_CORRECTION', 'RESUBMIT', 'ABANDON', 'RETURN_DOWN'],
    ('review_step', 'ck_review_step_step_decision', 'decision'): ['CORRECTION_REQUESTED', 'RETURNED_DOWN'],
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
    # The name is already the full conventional one: op.f keeps the naming convention off it.
    op.create_check_constraint(op.f(constraint), table, f"{column} IN ({listed})")


def _extend_checks() -> None:
    for (table, constraint, column), added in NEW_VALUES.items():
        current = _values(table, constraint)
        _set_values(table, constraint, column, current + [v for v in added if v not in current])


def _shrink_checks() -> None:
    for (table, constraint, column), added in NEW_VALUES.items():
        _set_values(table, constraint, column, [v for v in _values(table, constraint) if v not in added])


# What the rows of this revision's values become when it is undone: an abandoned declaration
# is again one returned to its applicant; a notice or a return down reads as the unit's
# rejection; the system's events (no actor account) and resubmissions' events go.
DOWNGRADE_DATA = (
    "UPDATE declaration SET status = 'RETURNED' WHERE status = 'ABANDONED'",
    "DELETE FROM declaration_event WHERE actor_account_id IS NULL OR action IN ('ABANDON', 'RETURN_DOWN')",
    "UPDATE declaration_event SET action = 'REJECT' WHERE action = 'REQUEST_CORRECTION'",
    "UPDATE declaration_event SET action = 'CONFIRM' WHERE action = 'RESUBMIT'",
    "UPDATE declaration_event SET from_status = 'RETURNED' WHERE from_status = 'ABANDONED'",
    "UPDATE declaration_event SET to_status = 'RETURNED' WHERE to_status = 'ABANDONED'",
    "UPDATE review_step SET decision = 'REJECTED' WHERE decision IN ('CORRECTION_REQUESTED', 'RETURNED_DOWN')",
)


def upgrade() -> None:
    _extend_checks()
    op.add_column('declaration', sa.Column('correction_deadline', sa.Date(), nullable=True))
    op.alter_column('declaration_event', 'actor_account_id', existing_type=sa.BigInteger(), nullable=True)
    op.create_table('correction_notice',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('step_id', sa.BigInteger(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('items', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_account_id', sa.BigInteger(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.Enum('RESUBMITTED', 'ABANDONED', name='notice_outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.CheckConstraint('(resolved_at IS NULL) = (outcome IS NULL)', name=op.f('ck_correction_notice_resolved_with_outcome')),
    sa.ForeignKeyConstraint(['created_by_account_id'], ['account.id'], name=op.f('fk_correction_notice_created_by_account_id_account')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_correction_notice_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['step_id'], ['review_step.id'], name=op.f('fk_correction_notice_step_id_review_step')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_correction_notice_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_notice'))
    )
    op.create_index('ix_correction_notice_declaration', 'correction_notice', ['declaration_id', 'id'], unique=False)
    op.create_index('uq_correction_notice_open', 'correction_notice', ['declaration_id'], unique=True, postgresql_where=sa.text('resolved_at IS NULL'))
    op.create_table('integrity_record',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.Enum('FALSIFIED_MATERIALS', 'OTHER', name='integrity_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_by_admin_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_integrity_record_period_order')),
    sa.ForeignKeyConstraint(['created_by_admin_id'], ['admin.id'], name=op.f('fk_integrity_record_created_by_admin_id_admin')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_integrity_record_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrity_record'))
    )
    op.create_index('ix_integrity_record_person', 'integrity_record', ['person_id', 'ends_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_integrity_record_person', table_name='integrity_record')
    op.drop_table('integrity_record')
    op.drop_index('uq_correction_notice_open', table_name='correction_notice', postgresql_where=sa.text('resolved_at IS NULL'))
    op.drop_index('ix_correction_notice_declaration', table_name='correction_notice')
    op.drop_table('correction_notice')
    for statement in DOWNGRADE_DATA:
        op.execute(statement)
    op.alter_column('declaration_event', 'actor_account_id', existing_type=sa.BigInteger(), nullable=False)
    op.drop_column('declaration', 'correction_deadline')
    _shrink_checks()
