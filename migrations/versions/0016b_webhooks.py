"""webhooks: subscriptions of API clients, deliveries (the outbox fanned out), attempts

Revision ID: 0016b
Revises: 0016

`webhook_fanout` holds the dispatcher's position in the feed (one row, starting at the
migrating transaction: no webhook exists before it, so nothing earlier is owed).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0016b'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'webhook',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('api_client_id', sa.BigInteger(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('event_types', postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column('secret', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['api_client_id'], ['api_client.id'], name=op.f('fk_webhook_api_client_id_api_client')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook')),
    )
    # Alembic has no xid8 type (models.feed.Xid8).
    op.execute("ALTER TABLE webhook ADD COLUMN created_txid xid8 NOT NULL DEFAULT pg_current_xact_id()")
    op.create_index('ix_webhook_api_client_id', 'webhook', ['api_client_id', 'id'])
    op.create_table(
        'webhook_delivery',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('webhook_id', sa.BigInteger(), nullable=False),
        sa.Column('event_id', sa.BigInteger(), nullable=False),
        sa.Column('state', sa.Enum('PENDING', 'DELIVERED', 'FAILED', name='delivery_state', native_enum=False,
                                   create_constraint=True, length=32), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('give_up_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('leased_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['feed_event.id'], name=op.f('fk_webhook_delivery_event_id_feed_event')),
        sa.ForeignKeyConstraint(['webhook_id'], ['webhook.id'], name=op.f('fk_webhook_delivery_webhook_id_webhook')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_delivery')),
    )
    op.create_index('uq_webhook_delivery_webhook_event', 'webhook_delivery', ['webhook_id', 'event_id'], unique=True)
    op.create_index('ix_webhook_delivery_due', 'webhook_delivery', ['next_attempt_at'],
                    postgresql_where=sa.text("state = 'PENDING'"))
    op.create_table(
        'webhook_attempt',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('delivery_id', sa.BigInteger(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.Column('status_code', sa.SmallInteger(), nullable=True),
        sa.Column('error', sa.String(length=200), nullable=True),
        sa.Column('success', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['webhook_delivery.id'],
                                name=op.f('fk_webhook_attempt_delivery_id_webhook_delivery')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempt')),
    )
    op.create_index('ix_webhook_attempt_delivery_id', 'webhook_attempt', ['delivery_id', 'id'])
    op.create_table(
        'webhook_fanout',
        sa.Column('id', sa.SmallInteger(), nullable=False),
        sa.Column('event_id', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_fanout')),
    )
    op.execute("ALTER TABLE webhook_fanout ADD COLUMN txid xid8 NOT NULL")
    op.execute("INSERT INTO webhook_fanout (id, txid, event_id) VALUES (1, pg_current_xact_id(), 0)")


def downgrade() -> None:
    op.drop_table('webhook_fanout')
    op.drop_table('webhook_attempt')
    op.drop_table('webhook_delivery')
    op.drop_table('webhook')
