"""GraphQL surface of the 承诺书 and the 申报年度."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from resolvers import commitment
from schema.context import Info
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.mutation import Actor, MutationSpec


@strawberry.type(description="职称申报承诺书：首次申报前须阅读并选择“我同意”")
class Commitment:
    version: int = strawberry.field(description="承诺书版本；同意时须回传此版本")
    title: str = strawberry.field(description="标题")
    text: str = strawberry.field(description="承诺书全文")
    accepted: bool = strawberry.field(description="当前账号是否已同意此版本；为 false 时前端须先显示承诺书")
    accepted_at: dt.datetime | None = strawberry.field(description="同意时间")

    @classmethod
    def of(cls, view: commitment.CommitmentView) -> "Commitment":
        letter = view.letter
        return cls(version=letter.version, title=letter.title, text=letter.text,
                   accepted=view.accepted_at is not None, accepted_at=view.accepted_at)


@strawberry.type(description="申报年度：职称管理机构开放期间可新增和确认申报")
class DeclarationYear:
    year: int = strawberry.field(description="申报年度")
    is_open: bool = strawberry.field(description="是否开放申报")


@strawberry.type(description="同意承诺书的结果")
class CommitmentPayload:
    commitment: Commitment | None = strawberry.field(default=None, description="已同意的承诺书；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="开放或关闭申报年度的结果")
class DeclarationYearPayload:
    declaration_year: DeclarationYear | None = strawberry.field(
        default=None, description="操作后的申报年度；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


_ACCEPT = MutationSpec(CommitmentPayload, actor=Actor.PERSON)
# 申报年度 apply province-wide: only the provincial title office opens and closes them.
_OPEN_YEAR = MutationSpec(DeclarationYearPayload, actor=Actor.PROVINCE_ADMIN, audit="declaration_year.open",
                          target=("DeclarationYear", "year"))
_CLOSE_YEAR = MutationSpec(DeclarationYearPayload, actor=Actor.PROVINCE_ADMIN, audit="declaration_year.close",
                           target=("DeclarationYear", "year"))


def _year(row) -> DeclarationYearPayload:
    return DeclarationYearPayload(declaration_year=DeclarationYear(year=row.year, is_open=row.is_open))


@strawberry.type
class CommitmentQuery:
    @strawberry.field(description="个人：当前承诺书及是否已同意（accepted 为 false 时须先显示承诺书）")
    async def commitment(self, info: Info) -> Commitment:
        async with info.context.read() as env:
            return Commitment.of(await commitment.commitment(env))

    @strawberry.field(description="申报年度及其是否开放")
    async def declaration_years(self, info: Info) -> list[DeclarationYear]:
        async with info.context.read() as env:
            return [DeclarationYear(year=y.year, is_open=y.is_open) for y in await commitment.declaration_years(env)]


@strawberry.type
class CommitmentMutation:
    @strawberry.mutation(description="我同意：记录同意的承诺书版本和时间")
    async def accept_commitment(
        self, info: Info,
        version: Annotated[int, strawberry.argument(description="同意的承诺书版本（commitment.version）")],
    ) -> CommitmentPayload:
        return await _ACCEPT.run(info, commitment.accept_commitment,
                                 lambda v: CommitmentPayload(commitment=Commitment.of(v)), version=version)

    @strawberry.mutation(description="省级职称管理机构：开放申报年度")
    async def open_declaration_year(
        self, info: Info, year: Annotated[int, strawberry.argument(description="申报年度")],
    ) -> DeclarationYearPayload:
        return await _OPEN_YEAR.run(info, commitment.set_year_open, _year, year=year, is_open=True)

    @strawberry.mutation(description="省级职称管理机构：关闭申报年度（此后不能新增或确认该年度的申报）")
    async def close_declaration_year(
        self, info: Info, year: Annotated[int, strawberry.argument(description="申报年度")],
    ) -> DeclarationYearPayload:
        return await _CLOSE_YEAR.run(info, commitment.set_year_open, _year, year=year, is_open=False)
