"""units and routes: permission applications, reporting paths, committees, unit search, audit log

Revision ID: 0002
Revises: 0001

Hand-written parts: `unit_name_grams` (1- and 2-character substrings of a unit name, for
short search terms that pg_trgm cannot help) and the audit log's append-only triggers.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


UNIT_NAME_GRAMS = """
CREATE OR REPLACE FUNCTION unit_name_grams(name character varying) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}') FROM (
        SELECT substr(name, i, 1) AS g FROM generate_series(1, char_length(name)) AS i
        UNION ALL
        SELECT substr(name, i, 2) FROM generate_series(1, char_length(name) - 1) AS i
    ) AS grams
$$
"""

# The log is append-only for the application: rows are never updated or deleted, and the
# table is truncated only by test harnesses that set zhicheng.allow_truncate = 'on'.
AUDIT_TRIGGERS = [
    """
    CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_entry is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    """
    CREATE FUNCTION audit_entry_guard_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF coalesce(current_setting('zhicheng.allow_truncate', true), '') <> 'on' THEN
            RAISE EXCEPTION 'audit_entry is append-only (TRUNCATE refused)' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
    """,
    """
    CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_guard_truncate()
    """,
]


def upgrade() -> None:
    op.execute(UNIT_NAME_GRAMS)
    op.create_table('audit_entry',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=True),
    sa.Column('account_kind', sa.String(length=16), nullable=True),
    sa.Column('login_name', sa.String(length=64), nullable=True),
    sa.Column('unit_id', sa.BigInteger(), nullable=True),
    sa.Column('admin_id', sa.BigInteger(), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=True),
    sa.Column('object_id', sa.BigInteger(), nullable=True),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('hash', sa.LargeBinary(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_entry_hash'))
    )
    op.create_index('ix_audit_entry_region_id', 'audit_entry', ['region_code', 'id'], unique=False)
    for statement in AUDIT_TRIGGERS:
        op.execute(statement)
    op.create_table('uscc_registry',
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('uscc', name=op.f('pk_uscc_registry'))
    )
    op.create_table('committee',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('series_code', sa.String(length=64), nullable=False),
    sa.Column('levels', postgresql.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('accepting_unit_id', sa.BigInteger(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['accepting_unit_id'], ['unit.id'], name=op.f('fk_committee_accepting_unit_id_unit')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_committee_region_code_region')),
    sa.ForeignKeyConstraint(['series_code'], ['catalog_series.code'], name=op.f('fk_committee_series_code_catalog_series')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee'))
    )
    op.create_index(op.f('ix_committee_accepting_unit_id'), 'committee', ['accepting_unit_id'], unique=False)
    op.create_table('permission_application',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('NOT_APPLIED', 'DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', name='permission_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('unit_type', sa.Enum('ENTERPRISE', 'INSTITUTION', 'GOVERNMENT', 'SOCIAL_ORGANIZATION', 'OTHER', name='unit_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('supervisor_name', sa.String(length=100), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('manual_review_requested', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('manual_review_reason', sa.Text(), nullable=True),
    sa.Column('round', sa.Integer(), server_default='0', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_permission_application_region_code_region')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_permission_application_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permission_application')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_permission_application_unit_id'))
    )
    op.create_index(op.f('ix_permission_application_region_code'), 'permission_application', ['region_code'], unique=False)
    op.create_table('reporting_path',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=False),
    sa.Column('target_unit_id', sa.BigInteger(), nullable=False),
    sa.Column('series_code', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Enum('SENIOR', 'ASSOCIATE_SENIOR', 'INTERMEDIATE', 'ASSISTANT', 'JUNIOR', name='title_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'APPROVED', 'REJECTED', 'REPLACED', 'REVOKED', name='path_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('replaced_by_id', sa.BigInteger(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by_unit_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['ended_by_unit_id'], ['unit.id'], name=op.f('fk_reporting_path_ended_by_unit_id_unit')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['reporting_path.id'], name=op.f('fk_reporting_path_replaced_by_id_reporting_path')),
    sa.ForeignKeyConstraint(['series_code'], ['catalog_series.code'], name=op.f('fk_reporting_path_series_code_catalog_series')),
    sa.ForeignKeyConstraint(['target_unit_id'], ['unit.id'], name=op.f('fk_reporting_path_target_unit_id_unit')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_reporting_path_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_path'))
    )
    op.create_index('ix_reporting_path_target', 'reporting_path', ['target_unit_id', 'status'], unique=False)
    op.create_index('uq_reporting_path_effective', 'reporting_path', ['unit_id', 'series_code', 'level'], unique=True, postgresql_where=sa.text("status = 'APPROVED'"))
    op.create_index('uq_reporting_path_pending', 'reporting_path', ['unit_id', 'series_code', 'level'], unique=True, postgresql_where=sa.text("status = 'PENDING'"))
    op.create_table('permission_round',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('application_id', sa.BigInteger(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('code_check', sa.Enum('PASSED', 'NO_CODE', 'CHECK_DIGIT', 'NOT_IN_REGISTRY', 'NAME_MISMATCH', name='code_check', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('registry_name', sa.String(length=200), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.Enum('APPROVED', 'APPROVED_MANUALLY', 'REJECTED', name='permission_decision', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.BigInteger(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['permission_application.id'], name=op.f('fk_permission_round_application_id_permission_application')),
    sa.ForeignKeyConstraint(['decided_by'], ['admin.id'], name=op.f('fk_permission_round_decided_by_admin')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permission_round'))
    )
    op.create_index('ix_permission_round_application', 'permission_round', ['application_id', 'round'], unique=True)
    op.create_index('ix_unit_name_grams', 'unit', [sa.literal_column('unit_name_grams(name)')], unique=False, postgresql_using='gin')
    op.create_index('ix_unit_name_trgm', 'unit', ['name'], unique=False, postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
    op.create_index('ix_unit_permitted_name', 'unit', ['permission_status', 'name', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_unit_permitted_name', table_name='unit')
    op.drop_index('ix_unit_name_trgm', table_name='unit', postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
    op.drop_index('ix_unit_name_grams', table_name='unit', postgresql_using='gin')
    op.drop_index('ix_permission_round_application', table_name='permission_round')
    op.drop_table('permission_round')
    op.drop_index('uq_reporting_path_pending', table_name='reporting_path', postgresql_where=sa.text("status = 'PENDING'"))
    op.drop_index('uq_reporting_path_effective', table_name='reporting_path', postgresql_where=sa.text("status = 'APPROVED'"))
    op.drop_index('ix_reporting_path_target', table_name='reporting_path')
    op.drop_table('reporting_path')
    op.drop_index(op.f('ix_permission_application_region_code'), table_name='permission_application')
    op.drop_table('permission_application')
    op.drop_index(op.f('ix_committee_accepting_unit_id'), table_name='committee')
    op.drop_table('committee')
    op.drop_table('uscc_registry')
    op.drop_index('ix_audit_entry_region_id', table_name='audit_entry')
    op.drop_table('audit_entry')
    op.execute("DROP FUNCTION audit_entry_append_only()")
    op.execute("DROP FUNCTION audit_entry_guard_truncate()")
    op.execute("DROP FUNCTION unit_name_grams(character varying)")
