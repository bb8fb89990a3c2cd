"""GraphQL surface of the categorised records (分类录入): one type per category behind a
`Record` interface, one `RecordInput` with exactly one member set (@oneOf), and the trio
addRecord / updateRecord / deleteRecord."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import asdict, is_dataclass

import strawberry

from models import DeclarationRecord
from resolvers import records
from rules import catalog as catalog_rules
from rules import records as rules
from rules.records import parse_payload_date
from schema.catalog import TitleLevel
from schema.context import Info
from schema.enums import gql_enum
from schema.errors import UserError
from schema.ids import encode_id
from schema.materials import Material
from schema.mutation import Actor, GlobalIdArg, MutationSpec

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


@strawberry.interface(description="申报的一条分类记录")
class Record:
    id: strawberry.ID = strawberry.field(description="全局 ID")
    category: RecordCategory
    created_at: dt.datetime
    updated_at: dt.datetime
    declaration_row_id: strawberry.Private[int]
    row_id: strawberry.Private[int]

    @strawberry.field(description="该记录的证明材料")
    async def materials(self, info: Info) -> list[Material]:
        rows = await info.context.loaders.materials_by_declaration.load(self.declaration_row_id)
        return [Material.of(m) for m in rows if m.record_id == self.row_id]


@strawberry.type(description="现专业技术资格")
class Qualification(Record):
    series_code: str
    series_name: str
    level: TitleLevel
    title_code: str = strawberry.field(description="资格名称代码")
    title_name: str = strawberry.field(description="资格名称")
    obtained_on: dt.date = strawberry.field(description="取得时间")
    certificate_number: str = strawberry.field(description="证书编号")
    issuing_authority: str = strawberry.field(description="发证机关")


@strawberry.type(description="学历")
class Education(Record):
    school: str = strawberry.field(description="毕业院校")
    major: str = strawberry.field(description="所学专业")
    education_level: EducationLevel
    degree: str | None = strawberry.field(description="学位")
    start_date: dt.date = strawberry.field(description="入学时间")
    end_date: dt.date = strawberry.field(description="毕业时间")


@strawberry.type(description="工作经历")
class WorkExperience(Record):
    employer: str = strawberry.field(description="工作单位")
    position: str = strawberry.field(description="职务或岗位")
    start_date: dt.date
    end_date: dt.date | None = strawberry.field(description="截止时间；为空表示至今")


@strawberry.type(description="继续教育")
class ContinuingEducation(Record):
    year: int = strawberry.field(description="年度")
    hours: int = strawberry.field(description="学时（每年须满90学时）")
    subject: str = strawberry.field(description="培训内容")
    provider: str = strawberry.field(description="培训机构")


@strawberry.type(description="业绩成果：论文、著作、获奖、专利、项目")
class Achievement(Record):
    kind: AchievementKind
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


def _common(row: DeclarationRecord) -> dict:
    return dict(id=strawberry.ID(encode_id("Record", row.id)), category=row.category,
                created_at=row.created_at, updated_at=row.updated_at,
                declaration_row_id=row.declaration_id, row_id=row.id)


def _dates(payload: dict, *keys: str) -> dict:
    return {**payload, **{k: parse_payload_date(payload.get(k)) for k in keys}}


def _qualification(row: DeclarationRecord) -> Qualification:
    p = _dates(row.payload, "obtained_on")
    return Qualification(**_common(row), series_code=p["series_code"],
                         series_name=catalog_rules.series_name(p["series_code"]) or "",
                         level=catalog_rules.TitleLevel(p["level"]), title_code=p["title_code"],
                         title_name=catalog_rules.title_name(p["title_code"]) or "", obtained_on=p["obtained_on"],
                         certificate_number=p["certificate_number"], issuing_authority=p["issuing_authority"])


# Fields of the other kinds of achievement are absent from a payload.
_NO_KIND_FIELDS = {k: None for fields in rules.KIND_FIELDS.values() for k in fields}

_BUILDERS = {
    rules.RecordCategory.QUALIFICATION: _qualification,
    rules.RecordCategory.EDUCATION: lambda r: Education(**_common(r), **_dates(r.payload, "start_date", "end_date")),
    rules.RecordCategory.WORK_EXPERIENCE: lambda r: WorkExperience(
        **_common(r), **_dates(r.payload, "start_date", "end_date")),
    rules.RecordCategory.CONTINUING_EDUCATION: lambda r: ContinuingEducation(**_common(r), **r.payload),
    rules.RecordCategory.ACHIEVEMENT: lambda r: Achievement(
        **_common(r), **{**_NO_KIND_FIELDS, **_dates(r.payload, "date", "end_date")}),
}


def record_of(row: DeclarationRecord) -> Record:
    return _BUILDERS[row.category](row)


# --- inputs ----------------------------------------------------------------------------


@strawberry.input(description="现专业技术资格")
class QualificationInput:
    series_code: str
    level: TitleLevel
    title_code: str = strawberry.field(description="资格名称（职称代码，须属于所选系列和级别）")
    obtained_on: dt.date = strawberry.field(description="取得时间（不晚于今天）")
    certificate_number: str
    issuing_authority: str


@strawberry.input(description="学历")
class EducationInput:
    school: str
    major: str
    education_level: EducationLevel
    start_date: dt.date
    end_date: dt.date = strawberry.field(description="毕业时间：不早于入学时间，不晚于今天")
    degree: str | None = None


@strawberry.input(description="工作经历")
class WorkExperienceInput:
    employer: str
    position: str
    start_date: dt.date
    end_date: dt.date | None = strawberry.field(default=None, description="为空表示至今")


@strawberry.input(description="继续教育")
class ContinuingEducationInput:
    year: int
    hours: int
    subject: str
    provider: str


@strawberry.input(description="业绩成果；只填所选类别适用的项（论文：journal；著作：publisher、isbn；"
                              "获奖：issuer、awardGrade；专利：patentNumber；项目：projectSource、endDate）")
class AchievementInput:
    kind: AchievementKind
    title: str
    date: dt.date
    role: str | None = None
    journal: str | None = None
    publisher: str | None = None
    isbn: str | None = None
    issuer: str | None = None
    award_grade: str | None = None
    patent_number: str | None = None
    project_source: str | None = None
    end_date: dt.date | None = None


@strawberry.input(one_of=True, description="一条记录：恰好填写其中一个类别")
class RecordInput:
    qualification: QualificationInput | None = strawberry.UNSET
    education: EducationInput | None = strawberry.UNSET
    work_experience: WorkExperienceInput | None = strawberry.UNSET
    continuing_education: ContinuingEducationInput | None = strawberry.UNSET
    achievement: AchievementInput | None = strawberry.UNSET


_MEMBERS = {
    "qualification": rules.RecordCategory.QUALIFICATION,
    "education": rules.RecordCategory.EDUCATION,
    "work_experience": rules.RecordCategory.WORK_EXPERIENCE,
    "continuing_education": rules.RecordCategory.CONTINUING_EDUCATION,
    "achievement": rules.RecordCategory.ACHIEVEMENT,
}


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def category_values(input: RecordInput) -> tuple[rules.RecordCategory, dict]:
    """The one member set (@oneOf guarantees exactly one) as a category and plain values."""
    for member, category in _MEMBERS.items():
        value = getattr(input, member)
        if value is not None and value is not strawberry.UNSET:
            data = asdict(value) if is_dataclass(value) else vars(value)
            return category, {k: _plain(v) for k, v in data.items()}
    raise AssertionError("oneOf input without a member")


@strawberry.type
class RecordPayload:
    record: Record | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteRecordPayload:
    deleted_record_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


def _record_payload(row: DeclarationRecord) -> RecordPayload:
    return RecordPayload(record=record_of(row))


_ADD = MutationSpec(RecordPayload, actor=Actor.PERSON,
                   ids={"declaration_id": GlobalIdArg("Declaration", "declarationId")})
_UPDATE = MutationSpec(RecordPayload, actor=Actor.PERSON, ids={"record_id": GlobalIdArg("Record", "id")})
_DELETE = MutationSpec(DeleteRecordPayload, actor=Actor.PERSON, ids={"record_id": GlobalIdArg("Record", "id")})


@strawberry.type
class RecordMutation:
    @strawberry.mutation(description="新增一条记录（现专业技术资格、学历、工作经历、继续教育、业绩成果）")
    async def add_record(self, info: Info, declaration_id: strawberry.ID, input: RecordInput) -> RecordPayload:
        category, values = category_values(input)
        return await _ADD.run(info, records.add_record, _record_payload,
                              declaration_id=declaration_id, category=category, values=values)

    @strawberry.mutation(description="修改一条记录（类别不变）")
    async def update_record(self, info: Info, id: strawberry.ID, input: RecordInput) -> RecordPayload:
        category, values = category_values(input)
        return await _UPDATE.run(info, records.update_record, _record_payload,
                                 record_id=id, category=category, values=values)

    @strawberry.mutation(description="删除一条记录及其证明材料")
    async def delete_record(self, info: Info, id: strawberry.ID) -> DeleteRecordPayload:
        return await _DELETE.run(info, records.delete_record, lambda _: DeleteRecordPayload(deleted_record_id=id),
                                 record_id=id)
