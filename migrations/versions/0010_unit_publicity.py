"""unit publicity (单位公示): publicity batches, their entries and objections

Revision ID: 0010
Revises: 0009

The timeline gains four actions (START_PUBLICITY, RAISE_OBJECTION, DISMISS_OBJECTION,
UPHOLD_OBJECTION): declaration_event.action is a VARCHAR with a CHECK of the allowed values
(models.base.str_enum), so the CHECK is replaced. Downgrading deletes the timeline events of
those actions with the tables they describe.
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# What the CHECK holds after 0009 (corrections): downgrading restores exactly that.
ACTIONS = ('CREATE', 'EDIT', 'CONFIRM', 'WITHDRAW', 'APPROVE', 'REJECT', 'REPORT', 'ACCEPT',
           'REQUEST_CORRECTION', 'RESUBMIT', 'ABANDON', 'RETURN_DOWN')
PUBLICITY_ACTIONS = ('START_PUBLICITY', 'RAISE_OBJECTION', 'DISMISS_OBJECTION', 'UPHOLD_OBJECTION')


def _action_check(actions: tuple[str, ...]) -> None:
    op.drop_constraint(op.f('ck_declaration_event_declaration_action'), 'declaration_event', type_='check')
    allowed = ", ".join(f"'{a}'" for a in actions)
    op.create_check_constraint(op.f('ck_declaration_event_declaration_action'), 'declaration_event',
                               f"action IN ({allowed})")


def upgrade() -> None:
    _action_check(ACTIONS + PUBLICITY_ACTIONS)
    op.create_table('unit_publicity',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('working_days', sa.SmallInteger(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_account_id', sa.BigInteger(), nullable=False),
    sa.Column('created_by_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['created_by_account_id'], ['account.id'], name=op.f('fk_unit_publicity_created_by_account_id_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_publicity_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_publicity'))
    )
    op.create_index(op.f('ix_unit_publicity_unit_id'), 'unit_publicity', ['unit_id'], unique=False)
    op.create_table('unit_publicity_entry',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('publicity_id', sa.BigInteger(), nullable=False),
    sa.Column('review_step_id', sa.BigInteger(), nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_unit_publicity_entry_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['publicity_id'], ['unit_publicity.id'], name=op.f('fk_unit_publicity_entry_publicity_id_unit_publicity')),
    sa.ForeignKeyConstraint(['review_step_id'], ['review_step.id'], name=op.f('fk_unit_publicity_entry_review_step_id_review_step')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_publicity_entry_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_publicity_entry')),
    sa.UniqueConstraint('review_step_id', name=op.f('uq_unit_publicity_entry_review_step_id'))
    )
    op.create_index(op.f('ix_unit_publicity_entry_declaration_id'), 'unit_publicity_entry', ['declaration_id'], unique=False)
    op.create_index('ix_unit_publicity_entry_list', 'unit_publicity_entry', ['unit_id', 'ends_at', 'id'], unique=False)
    op.create_index(op.f('ix_unit_publicity_entry_publicity_id'), 'unit_publicity_entry', ['publicity_id'], unique=False)
    op.create_table('publicity_objection',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('entry_id', sa.BigInteger(), nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('raised_by_account_id', sa.BigInteger(), nullable=False),
    sa.Column('raised_by_name', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.Enum('UPHELD', 'DISMISSED', 'SUPERSEDED', name='objection_outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('resolution', sa.String(length=500), nullable=True),
    sa.Column('resolved_by_account_id', sa.BigInteger(), nullable=True),
    sa.Column('resolved_by_name', sa.String(length=100), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_publicity_objection_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['entry_id'], ['unit_publicity_entry.id'], name=op.f('fk_publicity_objection_entry_id_unit_publicity_entry')),
    sa.ForeignKeyConstraint(['raised_by_account_id'], ['account.id'], name=op.f('fk_publicity_objection_raised_by_account_id_account')),
    sa.ForeignKeyConstraint(['resolved_by_account_id'], ['account.id'], name=op.f('fk_publicity_objection_resolved_by_account_id_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_publicity_objection_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publicity_objection'))
    )
    op.create_index(op.f('ix_publicity_objection_declaration_id'), 'publicity_objection', ['declaration_id'], unique=False)
    op.create_index(op.f('ix_publicity_objection_entry_id'), 'publicity_objection', ['entry_id'], unique=False)
    op.create_index('ix_publicity_objection_open', 'publicity_objection', ['entry_id'], unique=False, postgresql_where=sa.text('outcome IS NULL'))
    op.create_index('ix_publicity_objection_unit', 'publicity_objection', ['unit_id', 'id'], unique=False)
    op.create_index('ix_publicity_objection_unit_open', 'publicity_objection', ['unit_id', 'id'], unique=False, postgresql_where=sa.text('outcome IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_publicity_objection_unit_open', table_name='publicity_objection', postgresql_where=sa.text('outcome IS NULL'))
    op.drop_index('ix_publicity_objection_unit', table_name='publicity_objection')
    op.drop_index('ix_publicity_objection_open', table_name='publicity_objection', postgresql_where=sa.text('outcome IS NULL'))
    op.drop_index(op.f('ix_publicity_objection_entry_id'), table_name='publicity_objection')
    op.drop_index(op.f('ix_publicity_objection_declaration_id'), table_name='publicity_objection')
    op.drop_table('publicity_objection')
    op.drop_index(op.f('ix_unit_publicity_entry_publicity_id'), table_name='unit_publicity_entry')
    op.drop_index('ix_unit_publicity_entry_list', table_name='unit_publicity_entry')
    op.drop_index(op.f('ix_unit_publicity_entry_declaration_id'), table_name='unit_publicity_entry')
    op.drop_table('unit_publicity_entry')
    op.drop_index(op.f('ix_unit_publicity_unit_id'), table_name='unit_publicity')
    op.drop_table('unit_publicity')
    op.execute(sa.text("DELETE FROM declaration_event WHERE action = ANY(:actions)")
               .bindparams(actions=list(PUBLICITY_ACTIONS)))
    _action_check(ACTIONS)
