"""staff downloads of materials go to the audit log; drop the interim material_download table

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f('ix_material_download_material_id'), table_name='material_download')
    op.drop_table('material_download')


def downgrade() -> None:
    op.create_table('material_download',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('material_id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_material_download_account_id_account')),
    sa.ForeignKeyConstraint(['material_id'], ['material.id'], name=op.f('fk_material_download_material_id_material')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_download'))
    )
    op.create_index(op.f('ix_material_download_material_id'), 'material_download', ['material_id'], unique=False)
