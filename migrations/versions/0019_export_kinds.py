"""export kinds RESULTS (评审结果) and CERTIFICATES (职称证书) join the CHECK on export.kind

Revision ID: 0019
Revises: 0018b

Downgrading deletes the exports of the new kinds before the CHECK narrows back; their files
stay in the export folder, unserved (the download route needs the row), until removed by hand.
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018b'
branch_labels = None
depends_on = None

_CONSTRAINT = 'ck_export_export_kind'


def _set_kinds(kinds: list[str]) -> None:
    listed = ", ".join(f"'{k}'" for k in kinds)
    op.drop_constraint(op.f(_CONSTRAINT), 'export', type_='check')
    op.create_check_constraint(op.f(_CONSTRAINT), 'export', f"kind IN ({listed})")


def upgrade() -> None:
    _set_kinds(['DECLARATIONS', 'RESULTS', 'CERTIFICATES'])


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM export WHERE kind IN ('RESULTS', 'CERTIFICATES')"))
    _set_kinds(['DECLARATIONS'])
