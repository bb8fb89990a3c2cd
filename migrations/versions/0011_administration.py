"""administration: forced password change, disabled accounts, the registry's load history

Revision ID: 0011
Revises: 0010

`account.must_change_password` marks a password someone else chose (an admin's initial or
reset password, the first start's one-time password); `account.disabled_at` a disabled
account. `registry_load` records each replacement of the 统一社会信用代码 registry; a
registry loaded before this revision gets one row (loaded now, by nobody) so its status
is not blank.
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('account', sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                       nullable=False))
    op.add_column('account', sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'registry_load',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('loaded_by', sa.BigInteger(), nullable=True),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(['loaded_by'], ['account.id'], name=op.f('fk_registry_load_loaded_by_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_load')),
    )
    op.execute("INSERT INTO registry_load (loaded_at, entries) "
               "SELECT now(), count(*) FROM uscc_registry HAVING count(*) > 0")


def downgrade() -> None:
    op.drop_table('registry_load')
    op.drop_column('account', 'disabled_at')
    op.drop_column('account', 'must_change_password')
