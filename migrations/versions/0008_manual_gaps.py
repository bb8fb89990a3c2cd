"""the manual's two gaps: units without a code, the title → specialty cascade, 破格 conditions

- unit.no_code_reason: a unit may register without a 统一社会信用代码 and says why; a unit
  row without a code must carry a reason (units that lost their code to a manual approval
  before this revision take their application's 人工审核 reason).
- catalog_title_specialty: which specialties each title offers (filled at start by
  resolvers.reference.sync_reference_data, like the rest of the catalogue).
- declaration.exceptional_condition_codes: the 破格条件 chosen, only with 破格.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Shown where a unit without a code predates the reason being asked for.
_UNRECORDED = '（本字段启用前登记，未记录无代码原因）'


def upgrade() -> None:
    op.add_column('unit', sa.Column('no_code_reason', sa.Text(), nullable=True))
    op.execute(sa.text(
        "UPDATE unit u SET no_code_reason = coalesce("
        " (SELECT a.manual_review_reason FROM permission_application a WHERE a.unit_id = u.id), :unrecorded)"
        " WHERE u.uscc IS NULL"
    ).bindparams(unrecorded=_UNRECORDED))
    op.create_check_constraint(
        op.f('ck_unit_no_code_reason_without_code'), 'unit', 'uscc IS NOT NULL OR no_code_reason IS NOT NULL'
    )

    op.create_table('catalog_title_specialty',
    sa.Column('title_code', sa.String(length=96), nullable=False),
    sa.Column('specialty_code', sa.String(length=96), nullable=False),
    sa.ForeignKeyConstraint(['specialty_code'], ['catalog_specialty.code'], name=op.f('fk_catalog_title_specialty_specialty_code_catalog_specialty')),
    sa.ForeignKeyConstraint(['title_code'], ['catalog_title.code'], name=op.f('fk_catalog_title_specialty_title_code_catalog_title')),
    sa.PrimaryKeyConstraint('title_code', 'specialty_code', name=op.f('pk_catalog_title_specialty'))
    )
    op.create_index(op.f('ix_catalog_title_specialty_specialty_code'), 'catalog_title_specialty', ['specialty_code'], unique=False)

    op.add_column('declaration', sa.Column(
        'exceptional_condition_codes', postgresql.ARRAY(sa.String(length=64)), server_default='{}', nullable=False
    ))
    op.create_check_constraint(
        op.f('ck_declaration_exceptional_conditions_with_method'), 'declaration',
        "method = 'EXCEPTIONAL' OR cardinality(exceptional_condition_codes) = 0",
    )


def downgrade() -> None:
    op.drop_constraint(op.f('ck_declaration_exceptional_conditions_with_method'), 'declaration', type_='check')
    op.drop_column('declaration', 'exceptional_condition_codes')
    op.drop_index(op.f('ix_catalog_title_specialty_specialty_code'), table_name='catalog_title_specialty')
    op.drop_table('catalog_title_specialty')
    op.drop_constraint(op.f('ck_unit_no_code_reason_without_code'), 'unit', type_='check')
    op.drop_column('unit', 'no_code_reason')
