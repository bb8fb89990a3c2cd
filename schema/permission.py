"""GraphQL surface of 权限申请 (2.2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models import CodeCheck as DomainCodeCheck
from models import PermissionDecision as DomainPermissionDecision
from models import PermissionStatus as DomainPermissionStatus
from models import UnitType as DomainUnitType
from resolvers import permission
from resolvers.env import Env
from resolvers.permission import ApplicationDetails
from schema.accounts import PermissionStatus, RegionType, Unit
from schema.connection import After, Connection, First
from schema.context import Info
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.mutation import Actor, GlobalIdArg, MutationSpec
from schema.units import ReviewDecision, units_of

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    UnitType = DomainUnitType
    CodeCheck = DomainCodeCheck
    PermissionDecision = DomainPermissionDecision
else:
    UnitType = gql_enum(
        DomainUnitType,
        {"ENTERPRISE": "企业", "INSTITUTION": "事业单位", "GOVERNMENT": "机关",
         "SOCIAL_ORGANIZATION": "社会组织", "OTHER": "其他"},
        name="UnitType", description="单位性质",
    )
    CodeCheck = gql_enum(
        DomainCodeCheck,
        {"PASSED": "校验通过", "NO_CODE": "无统一社会信用代码", "CHECK_DIGIT": "校验位错误",
         "NOT_IN_REGISTRY": "登记库中无此代码", "NAME_MISMATCH": "单位名称与登记库不一致"},
        name="CodeCheck", description="统一社会信用代码自动校验结果",
    )
    PermissionDecision = gql_enum(
        DomainPermissionDecision,
        {"APPROVED": "审核通过", "APPROVED_MANUALLY": "人工审核通过（代码校验未通过）", "REJECTED": "审核不通过"},
        name="PermissionDecision", description="权限申请的审核结论",
    )


@strawberry.type(description="一次提交及其审核结论")
class PermissionRound:
    round: int = strawberry.field(description="第几次提交")
    submitted_at: dt.datetime = strawberry.field(description="提交时间")
    details: JSON = strawberry.field(description="提交时的申请内容（冻结）")
    code_check: CodeCheck = strawberry.field(description="提交时的代码校验结果")
    registry_name: str | None = strawberry.field(description="登记库中该代码对应的单位名称")
    decision: PermissionDecision | None = strawberry.field(description="审核结论；待审核时为空")
    reason: str | None = strawberry.field(description="审核意见（不通过的原因）")
    decided_at: dt.datetime | None = strawberry.field(description="审核时间；待审核时为空")


@strawberry.type(description="单位职称申报权限申请")
class PermissionApplication(relay.Node):
    id: relay.NodeID[int]
    unit: Unit = strawberry.field(description="申请单位")
    status: PermissionStatus = strawberry.field(description="申请状态")
    name: str = strawberry.field(description="单位名称")
    uscc: str | None = strawberry.field(description="统一社会信用代码")
    region: RegionType = strawberry.field(description="所属地区")
    unit_type: UnitType = strawberry.field(description="单位性质")
    supervisor_name: str | None = strawberry.field(description="主管部门")
    address: str = strawberry.field(description="单位地址")
    contact_name: str = strawberry.field(description="联系人")
    contact_phone: str = strawberry.field(description="联系电话")
    manual_review_requested: bool = strawberry.field(description="是否申请人工审核")
    manual_review_reason: str | None = strawberry.field(description="申请人工审核的说明")
    updated_at: dt.datetime = strawberry.field(description="最近保存时间")
    submitted_at: dt.datetime | None = strawberry.field(description="最近一次提交时间")
    code_check: CodeCheck | None = strawberry.field(description="最近一次提交的代码校验结果，供审核参考")
    registry_name: str | None = strawberry.field(description="登记库中该代码对应的单位名称（不一致时显示）")
    rejection_reason: str | None = strawberry.field(description="最近一次审核不通过的原因")
    history: list[PermissionRound] = strawberry.field(description="历次提交与审核，最近的在前")

    @classmethod
    def of(cls, app, unit, rounds) -> "PermissionApplication":
        latest = rounds[0] if rounds else None
        return cls(
            id=app.id, unit=Unit.of(unit), status=app.status, name=app.name, uscc=app.uscc,
            region=RegionType.of(app.region_code), unit_type=app.unit_type, supervisor_name=app.supervisor_name,
            address=app.address, contact_name=app.contact_name, contact_phone=app.contact_phone,
            manual_review_requested=app.manual_review_requested, manual_review_reason=app.manual_review_reason,
            updated_at=app.updated_at, submitted_at=app.submitted_at,
            code_check=latest.code_check if latest else None,
            registry_name=latest.registry_name if latest else None,
            rejection_reason=next((r.reason for r in rounds if r.decision is DomainPermissionDecision.REJECTED), None)
            if latest and latest.decision is DomainPermissionDecision.REJECTED else None,
            history=[PermissionRound(
                round=r.round, submitted_at=r.submitted_at, details=r.details, code_check=r.code_check,
                registry_name=r.registry_name, decision=r.decision, reason=r.reason, decided_at=r.decided_at,
            ) for r in rounds],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        ids = [int(i) for i in node_ids]
        async with info.context.read() as env:
            found = [await permission.visible_application(env, i) for i in ids]
            built = await build_applications(env, [a for a in found if a is not None])
        by_id = {a.id: a for a in built}
        return [by_id.get(i) for i in ids]


async def build_applications(env, apps) -> list[PermissionApplication]:
    """GraphQL objects for several applications: two statements whatever their number."""
    if not apps:
        return []
    rounds = await permission.rounds_of(env, [a.id for a in apps])
    units = await units_of(env, [a.unit_id for a in apps])
    return [PermissionApplication.of(a, units[a.unit_id], rounds[a.id]) for a in apps]


@strawberry.input(description="权限申请信息（带*项必填）")
class PermissionApplicationInput:
    name: str = strawberry.field(description="*单位名称，须与统一社会信用代码登记的名称一致")
    uscc: str | None = strawberry.field(default=None, description="统一社会信用代码；没有的请申请人工审核")
    region_code: str = strawberry.field(description="*所属地区（地市区划代码），按单位实际选择")
    unit_type: UnitType = strawberry.field(description="*单位性质")
    supervisor_name: str | None = strawberry.field(default=None, description="主管部门（如有）")
    address: str = strawberry.field(description="*单位地址")
    contact_name: str = strawberry.field(description="*联系人")
    contact_phone: str = strawberry.field(description="*联系电话")
    manual_review_requested: bool = strawberry.field(
        default=False, description="申请人工审核（无统一社会信用代码或校验不通过的单位）")
    manual_review_reason: str | None = strawberry.field(
        default=None, description="申请人工审核的书面说明（申请时必填）")


@strawberry.type(description="权限申请保存、提交、审核的结果")
class PermissionApplicationPayload:
    application: PermissionApplication | None = strawberry.field(
        default=None, description="操作后的权限申请；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


async def _save(env: Env, *, details: ApplicationDetails) -> PermissionApplication:
    return (await build_applications(env, [await permission.save_application(env, details=details)]))[0]


async def _submit(env: Env) -> PermissionApplication:
    return (await build_applications(env, [await permission.submit_application(env)]))[0]


async def _review(env: Env, *, application_id: int, decision: ReviewDecision, reason: str | None
                  ) -> PermissionApplication:
    app = await permission.review_application(env, application_id=application_id,
                                              approve=decision is ReviewDecision.APPROVE, reason=reason)
    return (await build_applications(env, [app]))[0]


def _application_payload(app: PermissionApplication) -> PermissionApplicationPayload:
    return PermissionApplicationPayload(application=app)


# A unit applies for its permission before it has one: any unit account may.
_SAVE = MutationSpec(PermissionApplicationPayload, actor=Actor.UNIT, audit="permission.save")
_SUBMIT = MutationSpec(PermissionApplicationPayload, actor=Actor.UNIT, audit="permission.submit")
_REVIEW = MutationSpec(PermissionApplicationPayload, actor=Actor.ADMIN, audit="permission.review",
                       ids={"application_id": GlobalIdArg("PermissionApplication", "id")})


@strawberry.type
class PermissionQuery:
    @strawberry.field(description="单位：本单位的权限申请（未申请时为空）")
    async def my_permission_application(self, info: Info) -> PermissionApplication | None:
        async with info.context.read() as env:
            app = await permission.my_application(env)
            return (await build_applications(env, [app]))[0] if app else None

    @strawberry.field(description="管理机构：本地区的权限申请（至少提交过一次），按提交时间排序")
    async def permission_applications(
        self, info: Info,
        status: Annotated[PermissionStatus | None,
                          strawberry.argument(description="按状态筛选，如 SUBMITTED 待审核")] = None,
        region_code: Annotated[str | None, strawberry.argument(description="按地市筛选")] = None,
        search: Annotated[str | None, strawberry.argument(description="单位名称包含")] = None,
        first: First = None, after: After = None,
    ) -> Connection[PermissionApplication]:
        async with info.context.read() as env:
            page = await permission.list_applications(
                env, status=DomainPermissionStatus(status.value) if status else None, region_code=region_code,
                search=search, first=first, after=after)
            built = {a.id: a for a in await build_applications(env, page.rows)}
        return Connection.of(page, lambda app: built[app.id])


@strawberry.type
class PermissionMutation:
    @strawberry.mutation(description="单位：保存权限申请（提交前可反复修改，审核不通过后可再修改）")
    async def save_permission_application(
        self, info: Info, input: Annotated[PermissionApplicationInput, strawberry.argument(description="申请信息")],
    ) -> PermissionApplicationPayload:
        details = ApplicationDetails(
            name=input.name, uscc=input.uscc, region_code=input.region_code,
            unit_type=DomainUnitType(input.unit_type.value),
            supervisor_name=input.supervisor_name, address=input.address, contact_name=input.contact_name,
            contact_phone=input.contact_phone, manual_review_requested=input.manual_review_requested,
            manual_review_reason=input.manual_review_reason,
        )
        return await _SAVE.run(info, _save, _application_payload, details=details)

    @strawberry.mutation(description="单位：提交权限申请；提交后只能查看，不能修改")
    async def submit_permission_application(self, info: Info) -> PermissionApplicationPayload:
        return await _SUBMIT.run(info, _submit, _application_payload)

    @strawberry.mutation(description="管理机构：审核本地区单位的权限申请；不通过须填写原因")
    async def review_permission_application(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="权限申请的全局 ID")],
        decision: Annotated[ReviewDecision, strawberry.argument(description="审核结论：通过或不通过")],
        reason: Annotated[str | None, strawberry.argument(description="审核意见；不通过时必填")] = None,
    ) -> PermissionApplicationPayload:
        return await _REVIEW.run(info, _review, _application_payload, application_id=id, decision=decision,
                                 reason=reason)
