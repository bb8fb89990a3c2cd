"""rate limits and idempotency keys: per-caller cost buckets, mutation answers kept for retries

Revision ID: 0015c
Revises: 0015b
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0015c'
down_revision = '0015b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rate_limit_bucket',
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_bucket')),
    )
    op.create_table(
        'idempotency_key',
        sa.Column('caller', sa.String(length=100), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('request_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint('caller', 'key', name=op.f('pk_idempotency_key')),
    )


def downgrade() -> None:
    op.drop_table('idempotency_key')
    op.drop_table('rate_limit_bucket')
