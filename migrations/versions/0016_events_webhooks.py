"""the change feed: feed_event (the feed and the webhooks' outbox in one table)

Revision ID: 0016
Revises: 0015c

Each row carries the id of the transaction that wrote it (`xid8`, default
`pg_current_xact_id()`): the feed reads only transactions older than the oldest one still
running, in (txid, id) order, so a reader never skips a row that commits late.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0016'
down_revision = '0015c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'feed_event',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('type', sa.String(length=64), nullable=False),
        sa.Column('object_type', sa.String(length=32), nullable=False),
        sa.Column('object_id', sa.BigInteger(), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_event')),
    )
    # Alembic has no xid8 type; the column is plain SQL (models.feed.Xid8 on the Python side).
    op.execute("ALTER TABLE feed_event ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id()")
    op.create_index('ix_feed_event_txid_id', 'feed_event', ['txid', 'id'])
    op.create_index('ix_feed_event_region_txid_id', 'feed_event', ['region_code', 'txid', 'id'])
    op.create_index('ix_feed_event_type_txid_id', 'feed_event', ['type', 'txid', 'id'])


def downgrade() -> None:
    op.drop_table('feed_event')
