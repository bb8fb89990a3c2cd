"""GraphQL surface of accounts: registration, login, `me`, and the Person/Unit nodes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from models import Account as AccountModel
from models import AccountKind as DomainAccountKind
from models import Admin as AdminModel
from models import CommitteeOffice as OfficeModel
from models import PermissionStatus as DomainPermissionStatus
from models import Person as PersonModel
from models import Unit as UnitModel
from resolvers import accounts, committee_offices
from resolvers import admin as admin_steps
from resolvers.env import Env, Viewer
from rules.errors import ErrorCode, RuleViolation
from rules.identity import Sex as DomainSex
from rules.identity import mask_resident_id
from rules.regions import find_region
from schema.context import Info
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.ids import decode_id, encode_id
from schema.mutation import Actor, MutationSpec
from schema.nodes import resolve_visible

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    AccountKind = DomainAccountKind
    Sex = DomainSex
    PermissionStatus = DomainPermissionStatus
else:
    AccountKind = gql_enum(
        DomainAccountKind,
        {"PERSON": "个人", "UNIT": "单位", "ADMIN": "职称管理机构", "COMMITTEE_OFFICE": "评委会办事机构"},
        name="AccountKind",
        description="账号类型",
    )
    Sex = gql_enum(DomainSex, {"MALE": "男", "FEMALE": "女"}, name="Sex", description="性别（由身份证号推出）")
    PermissionStatus = gql_enum(
        DomainPermissionStatus,
        {
            "NOT_APPLIED": "未申请",
            "DRAFT": "已保存未提交",
            "SUBMITTED": "已提交待审核",
            "APPROVED": "审核通过",
            "REJECTED": "审核不通过",
        },
        name="PermissionStatus",
        description="单位职称申报权限状态",
    )


@strawberry.enum(description="当前账号可以做的事，前端据此显示功能入口")
class Capability(Enum):
    DECLARE = strawberry.enum_value("DECLARE", description="个人：职称申报")
    APPLY_PERMISSION = strawberry.enum_value("APPLY_PERMISSION", description="单位：权限申请")
    REVIEW_AND_REPORT = strawberry.enum_value(
        "REVIEW_AND_REPORT", description="已获权限的单位：数据审核、数据上报、路径申请"
    )
    ADMINISTER_REGION = strawberry.enum_value(
        "ADMINISTER_REGION", description="职称管理机构：审核本地区单位权限、管理评审委员会"
    )
    RUN_COMMITTEE = strawberry.enum_value(
        "RUN_COMMITTEE", description="评委会办事机构：受理审查、专家库、评审会议、投票与计票"
    )


@strawberry.type(name="Region", description="行政区划（GB/T 2260）：山东省及其16个地市")
class RegionType:
    code: str = strawberry.field(description="6位区划代码")
    name: str = strawberry.field(description="区划名称")
    parent_code: str | None = strawberry.field(description="上级区划代码，省为空")

    @classmethod
    def of(cls, code: str) -> "RegionType":
        region = find_region(code)
        if region is None:  # every stored region_code is a foreign key to the regions in rules.regions
            raise LookupError(f"unknown region code {code!r}")
        return cls(code=region.code, name=region.name, parent_code=region.parent)


def _mask_mobile(mobile: str) -> str:
    return mobile[:3] + "****" + mobile[-4:]


@strawberry.type(description="个人（申报人）")
class Person(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="姓名")
    id_number: str = strawberry.field(
        description="居民身份证号；除本人外一律脱敏显示（370102********1234，隐去出生日期的8位）"
    )
    birth_date: dt.date | None = strawberry.field(
        description="出生日期（由身份证号推出）；仅本人可见，他人为空（否则与脱敏的身份证号合起来即是全号）"
    )
    birth_year: int = strawberry.field(description="出生年份（由身份证号推出），供审核年龄条件")
    sex: Sex = strawberry.field(description="性别")
    mobile: str = strawberry.field(description="手机号；除本人外脱敏显示")

    @classmethod
    def of(cls, person: PersonModel, viewer: Viewer | None) -> "Person":
        own = viewer is not None and viewer.person is not None and viewer.person.id == person.id
        return cls(
            id=person.id,
            name=person.name,
            # The mask hides the 8 birth-date digits; the month and day must not come back
            # through another field. What staff still see (region, birth year, sequence
            # and check digit, sex) leaves about 33 candidate numbers (README, 身份证号脱敏).
            id_number=person.id_number if own else mask_resident_id(person.id_number),
            birth_date=person.birth_date if own else None,
            birth_year=person.birth_date.year,
            sex=person.sex,
            mobile=person.mobile if own else _mask_mobile(person.mobile),
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await resolve_visible(info, node_ids, accounts.visible_persons,
                                     lambda p: cls.of(p, info.context.viewer))


@strawberry.type(description="单位（基层单位、主管部门或呈报部门）")
class Unit(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="单位名称")
    uscc: str | None = strawberry.field(description="统一社会信用代码")
    region: RegionType = strawberry.field(description="所在地区")
    permission_status: PermissionStatus = strawberry.field(description="职称申报权限状态")
    is_permitted: bool = strawberry.field(
        description="是否已获职称申报权限；只有已获权限的单位可作为工作单位、审核、上报或作为路径目标"
    )

    @classmethod
    def of(cls, unit: UnitModel) -> "Unit":
        return cls(
            id=unit.id,
            name=unit.name,
            uscc=unit.uscc,
            region=RegionType.of(unit.region_code),
            permission_status=unit.permission_status,
            is_permitted=unit.is_permitted,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await resolve_visible(info, node_ids, accounts.units_by_id, cls.of)


@strawberry.type(description="职称管理机构账号（省级或地市）")
class Admin(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="机构名称")
    region: RegionType = strawberry.field(description="管辖地区：370000 为全省")
    login_name: str = strawberry.field(description="登录名")
    disabled: bool = strawberry.field(description="是否已停用：停用的账号不能登录")
    disabled_at: dt.datetime | None = strawberry.field(description="停用时间；未停用为空")
    must_change_password: bool = strawberry.field(
        description="是否仍在使用他人设置的密码（新建或重置后尚未修改）：登录后须先修改密码")

    @classmethod
    def of(cls, admin: AdminModel, account: AccountModel) -> "Admin":
        return cls(id=admin.id, name=admin.name, region=RegionType.of(admin.region_code),
                   login_name=account.login_name, disabled=account.disabled_at is not None,
                   disabled_at=account.disabled_at, must_change_password=account.must_change_password)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await resolve_visible(info, node_ids, admin_steps.visible_admins, lambda row: cls.of(*row))


@strawberry.type(description="评委会办事机构账号：绑定一个评审委员会，办理其受理审查、专家库、评审会议和投票")
class CommitteeOffice(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="办事机构名称，如 山东省工程技术高级职称评审委员会办公室")
    login_name: str = strawberry.field(description="登录名")
    committee_id: strawberry.ID = strawberry.field(
        description="所属评审委员会的全局 ID（用 node(id:) 取得；此处不内嵌以免类型互相引用）")
    must_change_password: bool = strawberry.field(
        description="是否仍在使用他人设置的密码（新建或重置后尚未修改）：登录后须先修改密码")

    @classmethod
    def of(cls, office: OfficeModel, account: AccountModel, *_: object) -> "CommitteeOffice":
        return cls(id=office.id, name=office.name, login_name=account.login_name,
                   committee_id=strawberry.ID(encode_id("Committee", office.committee_id)),
                   must_change_password=account.must_change_password)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await resolve_visible(info, node_ids, committee_offices.visible_offices, lambda row: cls.of(*row))


@strawberry.type(description="当前登录的账号")
class Me:
    login_name: str = strawberry.field(description="登录名")
    kind: AccountKind = strawberry.field(description="账号类型")
    person: Person | None = strawberry.field(description="个人账号的个人信息")
    unit: Unit | None = strawberry.field(description="单位账号的单位信息")
    admin: Admin | None = strawberry.field(description="管理机构账号的信息")
    committee_office: CommitteeOffice | None = strawberry.field(description="评委会办事机构账号的信息")
    capabilities: list[Capability] = strawberry.field(
        description="当前账号可以做的事；须先修改密码时为空")
    must_change_password: bool = strawberry.field(
        description="密码由管理机构设置（新建账号、重置密码或首次启动），须先用 changePassword 修改："
                    "修改前只能修改密码、退出登录和查询 me，其他操作答 PASSWORD_CHANGE_REQUIRED")

    @classmethod
    def of(cls, viewer: Viewer) -> "Me":
        if viewer.must_change_password:
            # Whoever set the password knows it: until the owner changes it, this login shows
            # the person as anyone else sees them (ID number and mobile masked).
            return cls(login_name=viewer.account.login_name, kind=viewer.account.kind,
                       person=Person.of(viewer.person, None) if viewer.person else None,
                       unit=Unit.of(viewer.unit) if viewer.unit else None,
                       admin=Admin.of(viewer.admin, viewer.account) if viewer.admin else None,
                       committee_office=_office(viewer), capabilities=[], must_change_password=True)
        caps: list[Capability] = []
        if viewer.person is not None:
            caps.append(Capability.DECLARE)
        if viewer.unit is not None:
            caps.append(Capability.APPLY_PERMISSION)
            if viewer.unit.is_permitted:
                caps.append(Capability.REVIEW_AND_REPORT)
        if viewer.admin is not None:
            caps.append(Capability.ADMINISTER_REGION)
        if viewer.committee_office is not None:
            caps.append(Capability.RUN_COMMITTEE)
        return cls(
            login_name=viewer.account.login_name,
            kind=viewer.account.kind,
            person=Person.of(viewer.person, viewer) if viewer.person else None,
            unit=Unit.of(viewer.unit) if viewer.unit else None,
            admin=Admin.of(viewer.admin, viewer.account) if viewer.admin else None,
            committee_office=_office(viewer),
            capabilities=caps,
            must_change_password=False,
        )


def _office(viewer: Viewer) -> CommitteeOffice | None:
    return CommitteeOffice.of(viewer.committee_office, viewer.account) if viewer.committee_office else None


@strawberry.input(description="个人注册（带*项必填）")
class RegisterPersonInput:
    login_name: str = strawberry.field(description="登录名：4至32位字母、数字或下划线")
    id_number: str = strawberry.field(description="18位居民身份证号（GB 11643），也可用作登录账号")
    name: str = strawberry.field(description="姓名")
    mobile: str = strawberry.field(description="11位手机号")
    password: str = strawberry.field(description="密码：至少8位，含大写、小写、数字、符号中的3类，不含登录名")


@strawberry.input(description="单位注册（带*项必填）")
class RegisterUnitInput:
    name: str = strawberry.field(description="单位名称")
    uscc: str | None = strawberry.field(
        default=None,
        description="统一社会信用代码（GB 32100，18位）；"
        "没有统一社会信用代码和组织机构代码的单位不填，并填写 noCodeReason",
    )
    region_code: str = strawberry.field(description="所在地区：山东省16个地市之一的区划代码，请按实际填写")
    contact_name: str = strawberry.field(description="联系人")
    contact_mobile: str = strawberry.field(description="联系人手机号")
    login_name: str = strawberry.field(description="登录名")
    password: str = strawberry.field(description="密码")
    no_code_reason: str | None = strawberry.field(
        default=None,
        description="没有统一社会信用代码（也没有组织机构代码）的原因：不填代码时必填，不超过1000字；"
        "该单位的权限申请将由所在地市职称管理机构人工审核",
    )


@strawberry.type(description="个人注册的结果")
class RegisterPersonPayload:
    person: Person | None = strawberry.field(default=None, description="注册成功的个人；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="单位注册的结果")
class RegisterUnitPayload:
    unit: Unit | None = strawberry.field(default=None, description="注册成功的单位；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="登录的结果")
class LoginPayload:
    token: str | None = strawberry.field(
        default=None,
        description="会话令牌，放在 Authorization: Bearer <token> 中；闲置30分钟或登录12小时后失效",
    )
    me: Me | None = strawberry.field(default=None, description="登录的账号；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="没有返回对象的操作的结果")
class OkPayload:
    ok: bool = strawberry.field(default=False, description="是否成功")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type
class AccountQuery:
    @strawberry.field(description="当前登录的账号；未登录或令牌失效时为空")
    def me(self, info: Info) -> Me | None:
        viewer = info.context.viewer
        return Me.of(viewer) if viewer else None


_REGISTER_PERSON = MutationSpec(RegisterPersonPayload, actor=Actor.ANYONE)
_REGISTER_UNIT = MutationSpec(RegisterUnitPayload, actor=Actor.ANYONE)
# Logins are audited by the step itself (every attempt, under the account tried).
_LOGIN = MutationSpec(LoginPayload, actor=Actor.ANYONE)
_LOGOUT = MutationSpec(OkPayload, actor=Actor.LOGGED_IN)
_CHANGE_PASSWORD = MutationSpec(OkPayload, actor=Actor.LOGGED_IN)
_UNLOCK_ACCOUNT = MutationSpec(OkPayload, actor=Actor.ADMIN, audit="account.unlock")
#: What `unlockAccount` and `resetPassword` accept as `accountId`.
ACCOUNT_ID_DESCRIPTION = ("账号的全局 ID（操作日志中登录记录的 objectId），"
                          "或个人、单位、管理机构、评委会办事机构（Person、Unit、Admin、CommitteeOffice）的全局 ID")
ACCOUNT_ID_TYPES = ("Account", "Person", "Unit", "Admin", "CommitteeOffice")


def account_ref(raw: strawberry.ID, field: str = "accountId") -> admin_steps.AccountRef:
    """An account named by its own global id or its profile's; INVALID_ID for anything else."""
    for type_name in ACCOUNT_ID_TYPES:
        try:
            return admin_steps.AccountRef(type_name, decode_id(raw, type_name, field))
        except RuleViolation:
            continue
    raise RuleViolation(ErrorCode.INVALID_ID, field=field)


async def _unlock(env: Env, *, account_id: strawberry.ID) -> object:
    return await admin_steps.unlock_account(env, account=account_ref(account_id))


def _ok(_: object) -> OkPayload:
    return OkPayload(ok=True)


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="个人注册（1.1）")
    async def register_person(
        self, info: Info, input: Annotated[RegisterPersonInput, strawberry.argument(description="注册信息")],
    ) -> RegisterPersonPayload:
        return await _REGISTER_PERSON.run(
            info, accounts.register_person, lambda p: RegisterPersonPayload(person=Person.of(p, None)),
            login_name=input.login_name, id_number=input.id_number, name=input.name, mobile=input.mobile,
            password=input.password,
        )

    @strawberry.mutation(description="单位注册（2.1）")
    async def register_unit(
        self, info: Info, input: Annotated[RegisterUnitInput, strawberry.argument(description="注册信息")],
    ) -> RegisterUnitPayload:
        return await _REGISTER_UNIT.run(
            info, accounts.register_unit, lambda u: RegisterUnitPayload(unit=Unit.of(u)),
            name=input.name, uscc=input.uscc, region_code=input.region_code, contact_name=input.contact_name,
            contact_mobile=input.contact_mobile, login_name=input.login_name, password=input.password,
            no_code_reason=input.no_code_reason,
        )

    @strawberry.mutation(description="登录：个人可用登录名或身份证号，单位和管理机构用登录名")
    async def login(
        self, info: Info,
        login: Annotated[str, strawberry.argument(description="登录名；个人也可用身份证号")],
        password: Annotated[str, strawberry.argument(description="密码")],
    ) -> LoginPayload:
        return await _LOGIN.run(info, accounts.login, lambda r: LoginPayload(token=r.token, me=Me.of(r.viewer)),
                                login=login, password=password)

    @strawberry.mutation(description="退出登录：当前令牌立即失效")
    async def logout(self, info: Info) -> OkPayload:
        return await _LOGOUT.run(info, accounts.logout, _ok)

    @strawberry.mutation(description="修改密码；账号的其他会话随之失效")
    async def change_password(
        self, info: Info,
        current_password: Annotated[str, strawberry.argument(description="当前密码")],
        new_password: Annotated[str, strawberry.argument(
            description="新密码：至少8位，含大写、小写、数字、符号中的3类")],
    ) -> OkPayload:
        return await _CHANGE_PASSWORD.run(info, accounts.change_password, _ok,
                                          current_password=current_password, new_password=new_password)

    @strawberry.mutation(
        description="管理机构：解除账号的登录限制（清除连续登录失败计数和等待时间）。可解除本地区单位、"
                    "本机构可见的个人、辖区内其他管理机构的账号；其他账号答 NOT_FOUND",
    )
    async def unlock_account(
        self, info: Info,
        account_id: Annotated[strawberry.ID, strawberry.argument(description=ACCOUNT_ID_DESCRIPTION)],
    ) -> OkPayload:
        return await _UNLOCK_ACCOUNT.run(info, _unlock, _ok, account_id=account_id)
