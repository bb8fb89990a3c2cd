"""GraphQL surface of 评委会办事机构 accounts."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import committee_offices
from resolvers.env import Env
from schema.accounts import CommitteeOffice
from schema.context import Info
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.ids import decode_id
from schema.mutation import Actor, MutationSpec


@strawberry.input(description="新建评委会办事机构账号")
class CreateCommitteeOfficeInput:
    committee_id: strawberry.ID = strawberry.field(description="评审委员会的全局 ID（须在本机构管辖地区内）")
    login_name: str = strawberry.field(description="登录名：4至32位字母、数字或下划线")
    name: str = strawberry.field(description="办事机构名称")
    password: str | None = strawberry.field(
        default=None,
        description="初始密码；不填则由系统生成并在结果中返回一次。无论哪种，首次登录后须先修改密码")


@strawberry.type(description="新建评委会办事机构账号的结果")
class CreateCommitteeOfficePayload:
    office: CommitteeOffice | None = strawberry.field(default=None, description="新建的账号；有错误时为空")
    initial_password: str | None = strawberry.field(
        default=None, description="系统生成的初始密码，只在此返回一次；填写了 password 时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


async def _create(env: Env, *, input: CreateCommitteeOfficeInput) -> committee_offices.CreatedOffice:
    return await committee_offices.create_committee_office(
        env, committee_id=decode_id(input.committee_id, "Committee", "committeeId"), login_name=input.login_name,
        name=input.name, password=input.password)


_CREATE = MutationSpec(CreateCommitteeOfficePayload, actor=Actor.ADMIN, audit="committee_office.create")


@strawberry.type
class CommitteeOfficeMutation:
    @strawberry.mutation(
        description="管理机构：为本地区的评审委员会新建评委会办事机构账号。首次登录后须先修改密码")
    async def create_committee_office(
        self, info: Info,
        input: Annotated[CreateCommitteeOfficeInput, strawberry.argument(description="账号信息")],
    ) -> CreateCommitteeOfficePayload:
        return await _CREATE.run(
            info, _create,
            lambda c: CreateCommitteeOfficePayload(office=CommitteeOffice.of(c.office, c.account),
                                                   initial_password=c.initial_password),
            input=input)


__all__ = ["CommitteeOfficeMutation"]
