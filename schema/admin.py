"""GraphQL surface of administration: admin accounts, password resets, the code registry,
and what a fresh installation still lacks (`setupStatus`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.file_uploads import Upload

from models import RegistryLoad
from resolvers import admin as admin_steps
from resolvers import permission
from resolvers.env import Env
from rules.errors import RuleViolation
from rules.registry import MAX_REPORTED, RowError
from schema.accounts import ACCOUNT_ID_DESCRIPTION, Admin, account_ref
from schema.connection import After, Connection, First
from schema.context import Info
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, ErrorCode, UserError, user_errors
from schema.mutation import Actor, GlobalIdArg, MutationSpec

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    SetupCheck = admin_steps.SetupCheck
else:
    SetupCheck = gql_enum(
        admin_steps.SetupCheck,
        {
            "PROVINCE_PASSWORD_CHANGED": "省级管理员已把一次性初始密码改为自己的密码",
            "CITY_ADMIN": "至少有一个在用的地市管理机构账号",
            "REGISTRY_LOADED": "已导入统一社会信用代码登记库",
            "ACTIVE_COMMITTEE": "至少有一个启用的评审委员会",
            "DECLARATION_YEAR_OPEN": "有开放申报的年度",
        },
        name="SetupCheck",
        description="新装系统开始工作前须具备的一项条件",
    )


@strawberry.type(description="系统设置检查的一项")
class SetupItem:
    key: SetupCheck = strawberry.field(description="检查项")
    ok: bool = strawberry.field(description="是否已具备")
    message: str = strawberry.field(description="中文说明：已具备时说明现状，未具备时说明影响和怎么办")


@strawberry.type(description="统一社会信用代码登记库的现状（最近一次导入）")
class RegistryStatus:
    loaded_at: dt.datetime = strawberry.field(description="导入时间")
    entries: int = strawberry.field(description="登记库条数")
    loaded_by: str | None = strawberry.field(description="导入的管理员登录名；在服务器上用命令行导入的为空")
    file_name: str | None = strawberry.field(description="导入的文件名")

    @classmethod
    def of(cls, load: RegistryLoad, loaded_by: str | None) -> "RegistryStatus":
        return cls(loaded_at=load.loaded_at, entries=load.entries, loaded_by=loaded_by, file_name=load.file_name)


@strawberry.type(description="登记库文件中不合格的一行")
class RegistryRowError:
    line: int = strawberry.field(description="行号（从1起，含表头行）")
    code: str | None = strawberry.field(description="该行的统一社会信用代码（原样）；该行没有时为空")
    error: ErrorCode = strawberry.field(description="错误代码（如 USCC_CHECK_DIGIT、REGISTRY_DUPLICATE_CODE）")
    message: str = strawberry.field(description="中文说明")

    @classmethod
    def of(cls, row: RowError) -> "RegistryRowError":
        return cls(line=row.line, code=row.uscc, error=row.code, message=row.message)


@strawberry.input(description="新建管理机构账号")
class CreateAdminInput:
    login_name: str = strawberry.field(description="登录名：4至32位字母、数字或下划线")
    name: str = strawberry.field(description="机构名称，如 济南市职称管理机构")
    region_code: str = strawberry.field(
        description="管辖地区：山东省16个地市之一的区划代码，或 370000（另一个省级管理员）")
    password: str | None = strawberry.field(
        default=None,
        description="初始密码；不填则由系统生成并在结果中返回一次。无论哪种，新管理员首次登录后须先修改密码")


@strawberry.type(description="新建管理机构账号的结果")
class CreateAdminPayload:
    admin: Admin | None = strawberry.field(default=None, description="新建的管理机构账号；有错误时为空")
    initial_password: str | None = strawberry.field(
        default=None,
        description="系统生成的初始密码，只在此返回一次，请当面或经可靠渠道交给对方；填写了 password 时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="停用或启用管理机构账号的结果")
class AdminPayload:
    admin: Admin | None = strawberry.field(default=None, description="操作后的管理机构账号；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="重置密码的结果")
class ResetPasswordPayload:
    login_name: str | None = strawberry.field(default=None, description="被重置账号的登录名；有错误时为空")
    temporary_password: str | None = strawberry.field(
        default=None, description="一次性临时密码，只在此返回一次；对方用它登录后须先修改密码。有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="导入统一社会信用代码登记库的结果。有任何不合格的行时整份文件不导入，登记库保持原样")
class ImportRegistryPayload:
    imported: int | None = strawberry.field(default=None, description="导入的条数（登记库现有条数）；未导入时为空")
    registry: RegistryStatus | None = strawberry.field(default=None, description="导入后的登记库现状；未导入时为空")
    rejected_rows: list[RegistryRowError] = strawberry.field(
        default_factory=list, description=f"不合格的行，按行号排列，最多列出前{MAX_REPORTED}行；为空表示各行都合格")
    rejected_count: int = strawberry.field(default=0, description="不合格的行数（全部，不限于列出的）")
    errors: list[UserError] = strawberry.field(
        default_factory=list,
        description=ERRORS_DESCRIPTION + "。有不合格的行时为一条 REGISTRY_ROWS_REJECTED，登记库未作任何更改")


def _import_refused(errors: list[RuleViolation]) -> ImportRegistryPayload:
    rows = [r for e in errors if isinstance(e, permission.RegistryRejected) for r in e.report.rejected]
    count = sum(e.report.rejected_count for e in errors if isinstance(e, permission.RegistryRejected))
    return ImportRegistryPayload(rejected_rows=[RegistryRowError.of(r) for r in rows], rejected_count=count,
                                 errors=user_errors(errors))


async def _create(env: Env, *, input: CreateAdminInput) -> admin_steps.CreatedAdmin:
    return await admin_steps.create_admin(env, login_name=input.login_name, name=input.name,
                                          region_code=input.region_code, password=input.password)


async def _reset(env: Env, *, account_id: strawberry.ID) -> admin_steps.PasswordReset:
    return await admin_steps.reset_password(env, account=account_ref(account_id))


async def _import(env: Env, *, file: permission.UploadedFile) -> tuple[RegistryLoad, str]:
    data = await permission.read_registry_upload(file, env.settings.registry_max_bytes)
    load = await permission.import_registry(env, data=data, file_name=getattr(file, "filename", None))
    return load, env.require_viewer().account.login_name


def _admin_payload(row: tuple) -> AdminPayload:
    return AdminPayload(admin=Admin.of(*row))


_ADMIN_ID = {"admin_id": GlobalIdArg("Admin", "adminId")}
_CREATE_ADMIN = MutationSpec(CreateAdminPayload, actor=Actor.PROVINCE_ADMIN, audit="admin.create")
_DISABLE_ADMIN = MutationSpec(AdminPayload, actor=Actor.PROVINCE_ADMIN, audit="admin.disable", ids=_ADMIN_ID)
_ENABLE_ADMIN = MutationSpec(AdminPayload, actor=Actor.PROVINCE_ADMIN, audit="admin.enable", ids=_ADMIN_ID)
_RESET_PASSWORD = MutationSpec(ResetPasswordPayload, actor=Actor.ADMIN, audit="account.reset_password")
_IMPORT_REGISTRY = MutationSpec(ImportRegistryPayload, actor=Actor.PROVINCE_ADMIN, audit="registry.import",
                                refused=_import_refused)


@strawberry.type
class AdminQuery:
    @strawberry.field(description="管理机构：管理机构账号列表（省级看全部，地市看本地区的）")
    async def admins(
        self, info: Info,
        region_code: Annotated[str | None, strawberry.argument(description="只看该地区（区划代码）的")] = None,
        first: First = None, after: After = None,
    ) -> Connection[Admin]:
        async with info.context.read() as env:
            page = await admin_steps.list_admins(env, region_code=region_code, first=first, after=after)
        return Connection.of(page, lambda row: Admin.of(row[0], row[1]))  # the row also carries the count

    @strawberry.field(
        description="管理机构：新装系统开始工作前还缺什么（申报年度、评审委员会、登记库、地市管理机构、省级管理员密码），"
                    "每项说明现状或怎么办")
    async def setup_status(self, info: Info) -> list[SetupItem]:
        async with info.context.read() as env:
            items = await admin_steps.setup_status(env)
        return [SetupItem(key=i.key, ok=i.ok, message=i.message) for i in items]

    @strawberry.field(description="管理机构：统一社会信用代码登记库的现状；从未导入时为空")
    async def registry_status(self, info: Info) -> RegistryStatus | None:
        async with info.context.read() as env:
            found = await admin_steps.registry_status(env)
        return RegistryStatus.of(*found) if found else None


@strawberry.type
class AdminMutation:
    @strawberry.mutation(
        description="省级管理机构：新建管理机构账号（地市的，或另一个省级的）。首次登录后须先修改密码")
    async def create_admin(
        self, info: Info, input: Annotated[CreateAdminInput, strawberry.argument(description="账号信息")],
    ) -> CreateAdminPayload:
        return await _CREATE_ADMIN.run(
            info, _create,
            lambda c: CreateAdminPayload(admin=Admin.of(c.admin, c.account), initial_password=c.initial_password),
            input=input)

    @strawberry.mutation(description="省级管理机构：停用管理机构账号：不能再登录，已登录的会话立即失效；不能停用自己")
    async def disable_admin(
        self, info: Info, admin_id: Annotated[strawberry.ID, strawberry.argument(description="管理机构账号的全局 ID")],
    ) -> AdminPayload:
        return await _DISABLE_ADMIN.run(info, admin_steps.disable_admin, _admin_payload, admin_id=admin_id)

    @strawberry.mutation(description="省级管理机构：重新启用停用的管理机构账号（停用时结束的会话不恢复）")
    async def enable_admin(
        self, info: Info, admin_id: Annotated[strawberry.ID, strawberry.argument(description="管理机构账号的全局 ID")],
    ) -> AdminPayload:
        return await _ENABLE_ADMIN.run(info, admin_steps.enable_admin, _admin_payload, admin_id=admin_id)

    @strawberry.mutation(
        description="管理机构：重置账号密码，返回一次性临时密码；该账号的会话全部结束、登录失败计数清零，"
                    "下次登录后须先修改密码。范围同 unlockAccount：本地区单位、本机构可见的个人、辖区内其他管理机构；"
                    "其他账号答 NOT_FOUND")
    async def reset_password(
        self, info: Info,
        account_id: Annotated[strawberry.ID, strawberry.argument(description=ACCOUNT_ID_DESCRIPTION)],
    ) -> ResetPasswordPayload:
        return await _RESET_PASSWORD.run(
            info, _reset,
            lambda r: ResetPasswordPayload(login_name=r.account.login_name, temporary_password=r.temporary_password),
            account_id=account_id)

    @strawberry.mutation(
        description="省级管理机构：上传 CSV 整体替换统一社会信用代码登记库（GraphQL multipart 请求，须带 "
                    "GraphQL-Require-Preflight 头）。UTF-8（可带 BOM），每行“单位名称,统一社会信用代码”，首行可为表头。"
                    "逐行校验（代码格式与校验位、名称非空且不超过200字、代码不重复）：有任何不合格的行则整份不导入，"
                    "列出不合格的行；全部合格则在一个事务中替换")
    async def import_registry(
        self, info: Info,
        file: Annotated[Upload, strawberry.argument(description="CSV 文件（multipart 请求中的一部分）")],
    ) -> ImportRegistryPayload:
        return await _IMPORT_REGISTRY.run(
            info, _import,
            lambda r: ImportRegistryPayload(imported=r[0].entries, registry=RegistryStatus.of(*r)),
            file=file)


__all__ = ["AdminMutation", "AdminQuery"]
