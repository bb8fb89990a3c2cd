"""api clients: machine clients of the HR systems, their secrets and access tokens

Revision ID: 0015
Revises: 0012

`api_client` is a registered client (scopes, region, allowed networks); its secrets and
tokens are stored as SHA-256 digests (models/api_client.py says why not Argon2).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0015'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'api_client',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('scopes', postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('allowed_networks', postgresql.ARRAY(postgresql.CIDR()), nullable=True),
        sa.Column('created_by_account_id', sa.BigInteger(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_account_id'], ['account.id'],
                                name=op.f('fk_api_client_created_by_account_id_account')),
        sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_api_client_region_code_region')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_client')),
        sa.UniqueConstraint('client_id', name=op.f('uq_api_client_client_id')),
    )
    op.create_index('uq_api_client_live_name', 'api_client', [sa.text('lower(name)')], unique=True,
                    postgresql_where=sa.text('deleted_at IS NULL'))
    op.create_table(
        'api_client_secret',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('api_client_id', sa.BigInteger(), nullable=False),
        sa.Column('secret_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['api_client_id'], ['api_client.id'],
                                name=op.f('fk_api_client_secret_api_client_id_api_client')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_client_secret')),
        sa.UniqueConstraint('secret_hash', name=op.f('uq_api_client_secret_secret_hash')),
    )
    op.create_index(op.f('ix_api_client_secret_api_client_id'), 'api_client_secret', ['api_client_id'])
    op.create_table(
        'api_client_token',
        sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column('api_client_id', sa.BigInteger(), nullable=False),
        sa.Column('token_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('scopes', postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['api_client_id'], ['api_client.id'],
                                name=op.f('fk_api_client_token_api_client_id_api_client')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_client_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_client_token_token_hash')),
    )
    op.create_index(op.f('ix_api_client_token_api_client_id'), 'api_client_token', ['api_client_id'])


def downgrade() -> None:
    op.drop_table('api_client_token')
    op.drop_table('api_client_secret')
    op.drop_index('uq_api_client_live_name', table_name='api_client')
    op.drop_table('api_client')
