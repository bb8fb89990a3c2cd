"""declarations: commitment letter, declaration years, declarations, records, materials, timeline

Revision ID: 0003
Revises: 0002

Seeds version 1 of the commitment letter (职称申报承诺书).
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

COMMITMENT_V1_TITLE = "职称申报承诺书"
COMMITMENT_V1_TEXT = """本人自愿申报专业技术职称评审，郑重承诺如下：

一、本人所填报的个人基本信息、学历、现专业技术资格、工作经历、继续教育和业绩成果等申报信息真实、准确、完整，所上传的证明材料均为原件扫描件或照片，不存在伪造、变造、冒用他人材料等情况。

二、本人申报的论文、著作、获奖、专利、项目等业绩成果均为本人参与完成，署名及排名真实，不存在抄袭、剽窃、侵占他人成果或学术不端行为。

三、本人遵守国家法律法规和职业道德，近年来未受到影响职称申报的党纪政务处分、行政处罚，未处于相关处分影响期内。

四、本人已认真阅读并知悉本年度职称评审的有关政策规定和申报条件，符合所申报职称的申报条件；如为破格申报，本人具备破格申报条件。

五、本人同意所在单位和职称评审管理机构对申报材料进行审核、公示，并对公示中反映的问题如实说明。

如有弄虚作假，本人自愿承担相应责任：已取得的职称予以撤销，并按规定记入职称申报评审诚信档案库，纳入全国信用信息共享平台，记录期限为3年；情节严重的，依法依规追究相关责任。

本人确认已仔细阅读以上内容，选择“我同意”即视为本人签署本承诺书。"""


def upgrade() -> None:
    op.create_table('commitment_letter',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_commitment_letter'))
    )
    # Version 1 of the letter: the text is data, so a new version is one more row.
    op.bulk_insert(
        sa.table("commitment_letter", sa.column("version", sa.Integer), sa.column("title", sa.String),
                 sa.column("text", sa.Text), sa.column("published_at", sa.DateTime(timezone=True))),
        [{"version": 1, "title": COMMITMENT_V1_TITLE, "text": COMMITMENT_V1_TEXT,
          "published_at": datetime(2026, 1, 1, tzinfo=UTC)}],
    )
    op.create_table('declaration_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_account_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_account_id'], ['account.id'], name=op.f('fk_declaration_year_changed_by_account_id_account')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_declaration_year'))
    )
    op.create_table('commitment_acceptance',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_commitment_acceptance_person_id_person')),
    sa.ForeignKeyConstraint(['version'], ['commitment_letter.version'], name=op.f('fk_commitment_acceptance_version_commitment_letter')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_acceptance')),
    sa.UniqueConstraint('person_id', 'version', name='uq_commitment_acceptance_person_version')
    )
    op.create_table('declaration',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.BigInteger(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('series_code', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Enum('SENIOR', 'ASSOCIATE_SENIOR', 'INTERMEDIATE', 'ASSISTANT', 'JUNIOR', name='title_level', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title_code', sa.String(length=96), nullable=False),
    sa.Column('specialty_code', sa.String(length=96), nullable=False),
    sa.Column('method', sa.Enum('NORMAL', 'EXCEPTIONAL', 'SERIES_CHANGE', name='declaration_method', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('exceptional_reason', sa.Text(), nullable=True),
    sa.Column('former_series_code', sa.String(length=64), nullable=True),
    sa.Column('work_unit_id', sa.BigInteger(), nullable=False),
    sa.Column('current_unit_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.Enum('DRAFT', 'PENDING_REVIEW', 'APPROVED', 'RETURNED', 'ACCEPTED', name='declaration_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('education_level', sa.Enum('DOCTORATE', 'MASTER', 'BACHELOR', 'JUNIOR_COLLEGE', 'SECONDARY', name='education_level', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('current_title', sa.String(length=100), nullable=True),
    sa.Column('current_title_obtained_on', sa.Date(), nullable=True),
    sa.Column('years_in_specialty', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(method = 'EXCEPTIONAL') = (exceptional_reason IS NOT NULL)", name=op.f('ck_declaration_exceptional_reason_with_method')),
    sa.CheckConstraint("(method = 'SERIES_CHANGE') = (former_series_code IS NOT NULL)", name=op.f('ck_declaration_former_series_with_method')),
    sa.ForeignKeyConstraint(['current_unit_id'], ['unit.id'], name=op.f('fk_declaration_current_unit_id_unit')),
    sa.ForeignKeyConstraint(['former_series_code'], ['catalog_series.code'], name=op.f('fk_declaration_former_series_code_catalog_series')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_declaration_person_id_person')),
    sa.ForeignKeyConstraint(['series_code'], ['catalog_series.code'], name=op.f('fk_declaration_series_code_catalog_series')),
    sa.ForeignKeyConstraint(['specialty_code'], ['catalog_specialty.code'], name=op.f('fk_declaration_specialty_code_catalog_specialty')),
    sa.ForeignKeyConstraint(['title_code'], ['catalog_title.code'], name=op.f('fk_declaration_title_code_catalog_title')),
    sa.ForeignKeyConstraint(['work_unit_id'], ['unit.id'], name=op.f('fk_declaration_work_unit_id_unit')),
    sa.ForeignKeyConstraint(['year'], ['declaration_year.year'], name=op.f('fk_declaration_year_declaration_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration'))
    )
    op.create_index('ix_declaration_queue', 'declaration', ['current_unit_id', 'status', 'year', 'level'], unique=False)
    op.create_index(op.f('ix_declaration_work_unit_id'), 'declaration', ['work_unit_id'], unique=False)
    op.create_index('uq_declaration_person_year', 'declaration', ['person_id', 'year'], unique=True)
    op.create_table('declaration_event',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('action', sa.Enum('CREATE', 'EDIT', 'CONFIRM', 'WITHDRAW', 'APPROVE', 'REJECT', 'REPORT', 'ACCEPT', name='declaration_action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('from_status', sa.Enum('DRAFT', 'PENDING_REVIEW', 'APPROVED', 'RETURNED', 'ACCEPTED', name='event_from_status', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('to_status', sa.Enum('DRAFT', 'PENDING_REVIEW', 'APPROVED', 'RETURNED', 'ACCEPTED', name='event_to_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('actor_account_id', sa.BigInteger(), nullable=False),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_account_id'], ['account.id'], name=op.f('fk_declaration_event_actor_account_id_account')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_declaration_event_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_declaration_event_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_event'))
    )
    op.create_index('ix_declaration_event_declaration_id', 'declaration_event', ['declaration_id', 'id'], unique=False)
    op.create_table('declaration_record',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.Enum('QUALIFICATION', 'EDUCATION', 'WORK_EXPERIENCE', 'CONTINUING_EDUCATION', 'ACHIEVEMENT', name='record_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('payload', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_declaration_record_declaration_id_declaration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_record'))
    )
    op.create_index(op.f('ix_declaration_record_declaration_id'), 'declaration_record', ['declaration_id'], unique=False)
    op.create_table('material',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('declaration_id', sa.BigInteger(), nullable=False),
    sa.Column('record_id', sa.BigInteger(), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_material_size_positive')),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_material_declaration_id_declaration')),
    sa.ForeignKeyConstraint(['record_id'], ['declaration_record.id'], name=op.f('fk_material_record_id_declaration_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material'))
    )
    op.create_index(op.f('ix_material_declaration_id'), 'material', ['declaration_id'], unique=False)
    op.create_index(op.f('ix_material_record_id'), 'material', ['record_id'], unique=False)
    op.create_table('material_download',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('material_id', sa.BigInteger(), nullable=False),
    sa.Column('account_id', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_material_download_account_id_account')),
    sa.ForeignKeyConstraint(['material_id'], ['material.id'], name=op.f('fk_material_download_material_id_material')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_download'))
    )
    op.create_index(op.f('ix_material_download_material_id'), 'material_download', ['material_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_material_download_material_id'), table_name='material_download')
    op.drop_table('material_download')
    op.drop_index(op.f('ix_material_record_id'), table_name='material')
    op.drop_index(op.f('ix_material_declaration_id'), table_name='material')
    op.drop_table('material')
    op.drop_index(op.f('ix_declaration_record_declaration_id'), table_name='declaration_record')
    op.drop_table('declaration_record')
    op.drop_index('ix_declaration_event_declaration_id', table_name='declaration_event')
    op.drop_table('declaration_event')
    op.drop_index('uq_declaration_person_year', table_name='declaration')
    op.drop_index(op.f('ix_declaration_work_unit_id'), table_name='declaration')
    op.drop_index('ix_declaration_queue', table_name='declaration')
    op.drop_table('declaration')
    op.drop_table('commitment_acceptance')
    op.drop_table('declaration_year')
    op.drop_table('commitment_letter')
