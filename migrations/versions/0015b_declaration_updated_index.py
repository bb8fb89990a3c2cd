"""declarations by updated_at: the index of the `declarations` query's keyset order

Revision ID: 0015b
Revises: 0015

HR systems page through a region's declarations by (updated_at, id) from `updatedSince`.
"""

from alembic import op

revision = '0015b'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_declaration_updated_at_id', 'declaration', ['updated_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_declaration_updated_at_id', table_name='declaration')
