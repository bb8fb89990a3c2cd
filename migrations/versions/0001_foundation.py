"""foundation: accounts, sessions, regions and the title catalogue

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # pg_trgm backs the fuzzy Chinese unit-name search; it ships with PostgreSQL's contrib.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('account',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.Enum('PERSON', 'UNIT', 'ADMIN', name='account_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('login_name', sa.String(length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('failed_logins >= 0', name=op.f('ck_account_failed_logins_non_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account'))
    )
    op.create_index('uq_account_login_name_lower', 'account', [sa.literal_column('lower(login_name)')], unique=True)
    op.create_table('catalog_series',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_catalog_series'))
    )
    op.create_table('region',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('parent_code', sa.String(length=6), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['region.code'], name=op.f('fk_region_parent_code_region')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_region'))
    )
    op.create_table('admin',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_admin_account_id_account')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_admin_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin')),
    sa.UniqueConstraint('account_id', name=op.f('uq_admin_account_id'))
    )
    op.create_table('auth_session',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('token_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_auth_session_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_auth_session_token_hash'))
    )
    op.create_index(op.f('ix_auth_session_account_id'), 'auth_session', ['account_id'], unique=False)
    op.create_table('catalog_specialty',
    sa.Column('code', sa.String(length=96), nullable=False),
    sa.Column('series_code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['series_code'], ['catalog_series.code'], name=op.f('fk_catalog_specialty_series_code_catalog_series')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_catalog_specialty'))
    )
    op.create_index(op.f('ix_catalog_specialty_series_code'), 'catalog_specialty', ['series_code'], unique=False)
    op.create_table('catalog_title',
    sa.Column('code', sa.String(length=96), nullable=False),
    sa.Column('series_code', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Enum('SENIOR', 'ASSOCIATE_SENIOR', 'INTERMEDIATE', 'ASSISTANT', 'JUNIOR', name='title_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['series_code'], ['catalog_series.code'], name=op.f('fk_catalog_title_series_code_catalog_series')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_catalog_title'))
    )
    op.create_index(op.f('ix_catalog_title_series_code'), 'catalog_title', ['series_code'], unique=False)
    op.create_table('person',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.Enum('MALE', 'FEMALE', name='sex', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('mobile', sa.String(length=11), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_person_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('account_id', name=op.f('uq_person_account_id')),
    sa.UniqueConstraint('id_number', name=op.f('uq_person_id_number'))
    )
    op.create_table('unit',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_mobile', sa.String(length=11), nullable=False),
    sa.Column('permission_status', sa.Enum('NOT_APPLIED', 'DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', name='permission_status', native_enum=False, create_constraint=True, length=32), server_default='NOT_APPLIED', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_unit_account_id_account')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_unit_region_code_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('account_id', name=op.f('uq_unit_account_id'))
    )
    op.create_index(op.f('ix_unit_region_code'), 'unit', ['region_code'], unique=False)
    op.create_index('uq_unit_uscc', 'unit', ['uscc'], unique=True, postgresql_where=sa.text('uscc IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('uq_unit_uscc', table_name='unit', postgresql_where=sa.text('uscc IS NOT NULL'))
    op.drop_index(op.f('ix_unit_region_code'), table_name='unit')
    op.drop_table('unit')
    op.drop_table('person')
    op.drop_index(op.f('ix_catalog_title_series_code'), table_name='catalog_title')
    op.drop_table('catalog_title')
    op.drop_index(op.f('ix_catalog_specialty_series_code'), table_name='catalog_specialty')
    op.drop_table('catalog_specialty')
    op.drop_index(op.f('ix_auth_session_account_id'), table_name='auth_session')
    op.drop_table('auth_session')
    op.drop_table('admin')
    op.drop_table('region')
    op.drop_table('catalog_series')
    op.drop_index('uq_account_login_name_lower', table_name='account')
    op.drop_table('account')
