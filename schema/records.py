"""GraphQL surface of the categorised records (分类录入) and their proof materials: one
type per category behind the `DeclarationRecord` interface, one `DeclarationRecordInput`
with exactly one member set (@oneOf), the trio addRecord / updateRecord / deleteRecord,
and the `Material` node (here, beside the records it links to, so neither module imports
the other)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import asdict, is_dataclass
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from models import DeclarationRecord as RecordModel
from models import Material as MaterialModel
from resolvers import materials, records
from rules import catalog as catalog_rules
from rules import records as rules
from rules.records import parse_payload_date
from schema.catalog import TitleLevel
from schema.context import Info
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.mutation import Actor, GlobalIdArg, MutationSpec
from schema.nodes import resolve_visible

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    RecordCategory = rules.RecordCategory
    EducationLevel = rules.EducationLevel
    AchievementKind = rules.AchievementKind
else:
    RecordCategory = gql_enum(
        rules.RecordCategory,
        {"QUALIFICATION": "现专业技术资格", "EDUCATION": "学历", "WORK_EXPERIENCE": "工作经历",
         "CONTINUING_EDUCATION": "继续教育", "ACHIEVEMENT": "业绩成果"},
        name="RecordCategory", description="申报记录的类别",
    )
    EducationLevel = gql_enum(
        rules.EducationLevel,
        {"DOCTORATE": "博士研究生", "MASTER": "硕士研究生", "BACHELOR": "大学本科",
         "JUNIOR_COLLEGE": "大学专科", "SECONDARY": "中专、高中及以下"},
        name="EducationLevel", description="学历",
    )
    AchievementKind = gql_enum(
        rules.AchievementKind,
        {"PAPER": "论文", "BOOK": "著作", "AWARD": "获奖", "PATENT": "专利", "PROJECT": "项目"},
        name="AchievementKind", description="业绩成果类别",
    )

#: The type name inside record global ids. Kept from before the interface was renamed
#: (Record → DeclarationRecord), so ids clients already hold stay valid.
RECORD_ID_TYPE = "Record"


@strawberry.interface(description="申报的一条分类记录（现专业技术资格、学历、工作经历、继续教育、业绩成果）")
class DeclarationRecord(relay.Node):
    id: relay.NodeID[int]
    category: RecordCategory = strawberry.field(description="记录类别")
    created_at: dt.datetime = strawberry.field(description="录入时间")
    updated_at: dt.datetime = strawberry.field(description="最近修改时间")
    declaration_row_id: strawberry.Private[int]

    @strawberry.field(description="该记录的证明材料")
    async def materials(self, info: Info) -> list[Material]:
        rows = await info.context.loaders.materials_by_declaration.load(self.declaration_row_id)
        return [Material.of(m) for m in rows if m.record_id == self.id]

    @classmethod
    def resolve_typename(cls, root, info) -> str:
        return RECORD_ID_TYPE

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await resolve_visible(info, node_ids, records.visible_records, record_of)


@strawberry.type(description="现专业技术资格")
class Qualification(DeclarationRecord):
    series_code: str = strawberry.field(description="职称系列代码")
    series_name: str = strawberry.field(description="职称系列名称")
    level: TitleLevel = strawberry.field(description="资格级别")
    title_code: str = strawberry.field(description="资格名称代码")
    title_name: str = strawberry.field(description="资格名称")
    obtained_on: dt.date = strawberry.field(description="取得时间")
    certificate_number: str = strawberry.field(description="证书编号")
    issuing_authority: str = strawberry.field(description="发证机关")


@strawberry.type(description="学历")
class Education(DeclarationRecord):
    school: str = strawberry.field(description="毕业院校")
    major: str = strawberry.field(description="所学专业")
    education_level: EducationLevel = strawberry.field(description="学历层次")
    degree: str | None = strawberry.field(description="学位")
    start_date: dt.date = strawberry.field(description="入学时间")
    end_date: dt.date = strawberry.field(description="毕业时间")


@strawberry.type(description="工作经历")
class WorkExperience(DeclarationRecord):
    employer: str = strawberry.field(description="工作单位")
    position: str = strawberry.field(description="职务或岗位")
    start_date: dt.date = strawberry.field(description="起始时间")
    end_date: dt.date | None = strawberry.field(description="截止时间；为空表示至今")


@strawberry.type(description="继续教育")
class ContinuingEducation(DeclarationRecord):
    year: int = strawberry.field(description="年度")
    hours: int = strawberry.field(description="学时（每年须满90学时）")
    subject: str = strawberry.field(description="培训内容")
    provider: str = strawberry.field(description="培训机构")


@strawberry.type(description="业绩成果：论文、著作、获奖、专利、项目")
class Achievement(DeclarationRecord):
    kind: AchievementKind = strawberry.field(description="成果类别")
    title: str = strawberry.field(description="成果名称")
    date: dt.date = strawberry.field(description="取得（发表、出版、授权、立项）时间")
    role: str | None = strawberry.field(description="本人排名或角色")
    journal: str | None = strawberry.field(description="论文：刊物名称")
    publisher: str | None = strawberry.field(description="著作：出版社")
    isbn: str | None = strawberry.field(description="著作：ISBN")
    issuer: str | None = strawberry.field(description="获奖：授奖单位")
    award_grade: str | None = strawberry.field(description="获奖：奖励等级")
    patent_number: str | None = strawberry.field(description="专利：专利号")
    project_source: str | None = strawberry.field(description="项目：项目来源")
    end_date: dt.date | None = strawberry.field(description="项目：结题日期")


def _common(row: RecordModel) -> dict:
    return dict(id=row.id, category=row.category, created_at=row.created_at, updated_at=row.updated_at,
                declaration_row_id=row.declaration_id)


def _dates(payload: dict, *keys: str) -> dict:
    return {**payload, **{k: parse_payload_date(payload.get(k)) for k in keys}}


def qualification_of(row: RecordModel) -> Qualification:
    p = _dates(row.payload, "obtained_on")
    return Qualification(**_common(row), series_code=p["series_code"],
                         series_name=catalog_rules.series_name(p["series_code"]) or "",
                         level=catalog_rules.TitleLevel(p["level"]), title_code=p["title_code"],
                         title_name=catalog_rules.title_name(p["title_code"]) or "", obtained_on=p["obtained_on"],
                         certificate_number=p["certificate_number"], issuing_authority=p["issuing_authority"])


# Fields of the other kinds of achievement are absent from a payload.
_NO_KIND_FIELDS = {k: None for fields in rules.KIND_FIELDS.values() for k in fields}

_BUILDERS = {
    rules.RecordCategory.QUALIFICATION: qualification_of,
    rules.RecordCategory.EDUCATION: lambda r: Education(**_common(r), **_dates(r.payload, "start_date", "end_date")),
    rules.RecordCategory.WORK_EXPERIENCE: lambda r: WorkExperience(
        **_common(r), **_dates(r.payload, "start_date", "end_date")),
    rules.RecordCategory.CONTINUING_EDUCATION: lambda r: ContinuingEducation(**_common(r), **r.payload),
    rules.RecordCategory.ACHIEVEMENT: lambda r: Achievement(
        **_common(r), **{**_NO_KIND_FIELDS, **_dates(r.payload, "date", "end_date")}),
}


def record_of(row: RecordModel) -> DeclarationRecord:
    return _BUILDERS[row.category](row)


@strawberry.type(description="证明材料（PDF、JPG 或 PNG），按内容哈希存储")
class Material(relay.Node):
    id: relay.NodeID[int]
    file_name: str = strawberry.field(description="原文件名（仅用于显示）")
    content_type: str = strawberry.field(description="按文件内容识别的类型")
    size: int = strawberry.field(description="字节数")
    sha256: str = strawberry.field(description="内容的 SHA-256（十六进制）")
    uploaded_at: dt.datetime = strawberry.field(description="上传时间")
    download_url: str = strawberry.field(
        description="下载地址（GET，带 Authorization: Bearer 令牌）；单位和管理机构的下载会被记录"
    )
    declaration_row_id: strawberry.Private[int]
    record_row_id: strawberry.Private[int | None]

    @strawberry.field(description="所属记录；直接挂在申报上时为空")
    async def record(self, info: Info) -> DeclarationRecord | None:
        if self.record_row_id is None:
            return None
        rows = await info.context.loaders.records_by_declaration.load(self.declaration_row_id)
        return next((record_of(r) for r in rows if r.id == self.record_row_id), None)

    @classmethod
    def of(cls, m: MaterialModel) -> "Material":
        return cls(
            id=m.id, file_name=m.file_name, content_type=m.content_type, size=m.size, sha256=m.sha256,
            uploaded_at=m.uploaded_at, download_url=f"/materials/{m.id}",
            declaration_row_id=m.declaration_id, record_row_id=m.record_id,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await resolve_visible(info, node_ids, materials.visible_materials, cls.of)


# --- inputs ----------------------------------------------------------------------------


@strawberry.input(description="现专业技术资格")
class QualificationInput:
    series_code: str = strawberry.field(description="职称系列代码")
    level: TitleLevel = strawberry.field(description="资格级别")
    title_code: str = strawberry.field(description="资格名称（职称代码，须属于所选系列和级别）")
    obtained_on: dt.date = strawberry.field(description="取得时间（不晚于今天）")
    certificate_number: str = strawberry.field(description="证书编号")
    issuing_authority: str = strawberry.field(description="发证机关")


@strawberry.input(description="学历")
class EducationInput:
    school: str = strawberry.field(description="毕业院校")
    major: str = strawberry.field(description="所学专业")
    education_level: EducationLevel = strawberry.field(description="学历层次")
    start_date: dt.date = strawberry.field(description="入学时间（不晚于今天）")
    end_date: dt.date = strawberry.field(description="毕业时间：不早于入学时间，不晚于今天")
    degree: str | None = strawberry.field(default=None, description="学位（如有）")


@strawberry.input(description="工作经历")
class WorkExperienceInput:
    employer: str = strawberry.field(description="工作单位")
    position: str = strawberry.field(description="职务或岗位")
    start_date: dt.date = strawberry.field(description="起始时间")
    end_date: dt.date | None = strawberry.field(default=None, description="为空表示至今")


@strawberry.input(description="继续教育")
class ContinuingEducationInput:
    year: int = strawberry.field(description="年度")
    hours: int = strawberry.field(description="学时")
    subject: str = strawberry.field(description="培训内容")
    provider: str = strawberry.field(description="培训机构")


@strawberry.input(description="业绩成果；只填所选类别适用的项（论文：journal；著作：publisher、isbn；"
                              "获奖：issuer、awardGrade；专利：patentNumber；项目：projectSource、endDate）")
class AchievementInput:
    kind: AchievementKind = strawberry.field(description="成果类别")
    title: str = strawberry.field(description="成果名称")
    date: dt.date = strawberry.field(description="取得（发表、出版、授权、立项）时间，不晚于今天")
    role: str | None = strawberry.field(default=None, description="本人排名或角色")
    journal: str | None = strawberry.field(default=None, description="论文：刊物名称")
    publisher: str | None = strawberry.field(default=None, description="著作：出版社")
    isbn: str | None = strawberry.field(default=None, description="著作：ISBN")
    issuer: str | None = strawberry.field(default=None, description="获奖：授奖单位")
    award_grade: str | None = strawberry.field(default=None, description="获奖：奖励等级")
    patent_number: str | None = strawberry.field(default=None, description="专利：专利号")
    project_source: str | None = strawberry.field(default=None, description="项目：项目来源")
    end_date: dt.date | None = strawberry.field(default=None, description="项目：结题日期")


@strawberry.input(one_of=True, description="一条记录：恰好填写其中一个类别")
class DeclarationRecordInput:
    qualification: QualificationInput | None = strawberry.field(default=strawberry.UNSET, description="现专业技术资格")
    education: EducationInput | None = strawberry.field(default=strawberry.UNSET, description="学历")
    work_experience: WorkExperienceInput | None = strawberry.field(default=strawberry.UNSET, description="工作经历")
    continuing_education: ContinuingEducationInput | None = strawberry.field(
        default=strawberry.UNSET, description="继续教育")
    achievement: AchievementInput | None = strawberry.field(default=strawberry.UNSET, description="业绩成果")


_MEMBERS = {
    "qualification": rules.RecordCategory.QUALIFICATION,
    "education": rules.RecordCategory.EDUCATION,
    "work_experience": rules.RecordCategory.WORK_EXPERIENCE,
    "continuing_education": rules.RecordCategory.CONTINUING_EDUCATION,
    "achievement": rules.RecordCategory.ACHIEVEMENT,
}


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def category_values(input: DeclarationRecordInput) -> tuple[rules.RecordCategory, dict]:
    """The one member set (@oneOf guarantees exactly one) as a category and plain values."""
    for member, category in _MEMBERS.items():
        value = getattr(input, member)
        if value is not None and value is not strawberry.UNSET:
            # An input object (an instance: is_dataclass also accepts the class itself).
            data = asdict(value) if is_dataclass(value) and not isinstance(value, type) else vars(value)
            return category, {k: _plain(v) for k, v in data.items()}
    raise AssertionError("oneOf input without a member")


@strawberry.type(description="新增或修改记录的结果")
class RecordPayload:
    record: DeclarationRecord | None = strawberry.field(default=None, description="保存后的记录；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="删除记录的结果")
class DeleteRecordPayload:
    deleted_record_id: strawberry.ID | None = strawberry.field(
        default=None, description="已删除记录的全局 ID；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


def _record_payload(row: RecordModel) -> RecordPayload:
    return RecordPayload(record=record_of(row))


_ADD = MutationSpec(RecordPayload, actor=Actor.PERSON,
                   ids={"declaration_id": GlobalIdArg("Declaration", "declarationId")})
_UPDATE = MutationSpec(RecordPayload, actor=Actor.PERSON, ids={"record_id": GlobalIdArg("Record", "id")})
_DELETE = MutationSpec(DeleteRecordPayload, actor=Actor.PERSON, ids={"record_id": GlobalIdArg("Record", "id")})


@strawberry.type
class RecordMutation:
    @strawberry.mutation(description="新增一条记录（现专业技术资格、学历、工作经历、继续教育、业绩成果）")
    async def add_record(
        self, info: Info,
        declaration_id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
        input: Annotated[DeclarationRecordInput, strawberry.argument(description="记录内容（恰好一个类别）")],
    ) -> RecordPayload:
        category, values = category_values(input)
        return await _ADD.run(info, records.add_record, _record_payload,
                              declaration_id=declaration_id, category=category, values=values)

    @strawberry.mutation(description="修改一条记录（类别不变）")
    async def update_record(
        self, info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="记录的全局 ID")],
        input: Annotated[DeclarationRecordInput, strawberry.argument(description="记录的新内容（类别须与原记录相同）")],
    ) -> RecordPayload:
        category, values = category_values(input)
        return await _UPDATE.run(info, records.update_record, _record_payload,
                                 record_id=id, category=category, values=values)

    @strawberry.mutation(description="删除一条记录及其证明材料")
    async def delete_record(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="记录的全局 ID")],
    ) -> DeleteRecordPayload:
        return await _DELETE.run(info, records.delete_record, lambda _: DeleteRecordPayload(deleted_record_id=id),
                                 record_id=id)
