"""failed logins throttled per account and per address in login_throttle (no more 30-minute
locks anyone could renew); a server key for fingerprints of unknown logins; the source
address of login attempts in the audit log

Revision ID: 0007
Revises: 0006
"""

import secrets

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('failures >= 0', name=op.f('ck_login_throttle_failures_non_negative')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )
    op.create_table('server_key',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('secret', sa.LargeBinary(length=32), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_server_key'))
    )
    # One key per installation, made here so every worker and host reads the same one.
    op.get_bind().execute(sa.text("INSERT INTO server_key (name, secret) VALUES ('login', :secret)"),
                          {"secret": secrets.token_bytes(32)})
    # A lock still running carries over as a block that ends when the lock would have.
    op.execute("""
        INSERT INTO login_throttle (key, failures, last_failure_at, blocked_until)
        SELECT 'account:' || id, failed_logins, now(), locked_until FROM account WHERE locked_until > now()
    """)
    op.drop_column('account', 'locked_until')
    op.drop_column('account', 'failed_logins')
    op.add_column('audit_entry', sa.Column('client_address', sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column('audit_entry', 'client_address')
    op.add_column('account', sa.Column('failed_logins', sa.INTEGER(), server_default=sa.text('0'),
                                       autoincrement=False, nullable=False))
    op.add_column('account', sa.Column('locked_until', postgresql.TIMESTAMP(timezone=True),
                                       autoincrement=False, nullable=True))
    op.create_check_constraint(op.f('ck_account_failed_logins_non_negative'), 'account', 'failed_logins >= 0')
    op.drop_table('server_key')
    op.drop_table('login_throttle')
