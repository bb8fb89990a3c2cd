"""trusted documents: the registry of persisted queries (issue 16)

Revision ID: 0017
Revises: 0012

`trusted_document` holds each registered GraphQL document under the SHA-256 of its text;
a retired one keeps its row (retired_at), so its id never names another text.
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'trusted_document',
        sa.Column('id', sa.CHAR(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.Column('source', sa.Enum('FILE', 'ADMIN', name='document_source', native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column('added_by', sa.BigInteger(), nullable=True),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['added_by'], ['account.id'], name=op.f('fk_trusted_document_added_by_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trusted_document')),
    )


def downgrade() -> None:
    op.drop_table('trusted_document')
