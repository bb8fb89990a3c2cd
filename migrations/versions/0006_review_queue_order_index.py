"""an index that gives a unit's review queue in arrival order without a filter

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_review_step_unit_state', 'review_step', ['unit_id', 'decision', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_review_step_unit_state', table_name='review_step')
