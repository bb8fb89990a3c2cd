"""GraphQL surface of `declarations`: a region's declarations for the title office and the
HR systems (resolvers/declaration_list.py says who sees what).

`DeclarationSummary` is flat on purpose: plain attributes from one statement (no resolver
per field, no loader), so a page of 100 costs one query: the committee stage's fields (the
ballot's tally, the result, the certificate) come from outer joins of that statement.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import Declaration as DeclarationModel
from resolvers import declaration_list as steps
from rules import catalog as catalog_rules
from rules import corrections as correction_rules
from rules.declaration_states import DeclarationStatus as DomainStatus
from rules.identity import mask_resident_id
from rules.results import ReviewResult as DomainResult
from rules.results import review_result
from schema.accounts import RegionType
from schema.catalog import TitleLevel
from schema.connection import After, Connection, First
from schema.context import Info
from schema.correction_notice import today_of
from schema.declarations import DeclarationMethod, DeclarationStatus
from schema.enums import gql_enum
from schema.ids import encode_id, query_id

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    ReviewResult = DomainResult
else:
    ReviewResult = gql_enum(DomainResult, {
        DomainResult.PASSED: "评审通过：待评审结果公示和职称管理机构确认",
        DomainResult.NOT_PASSED: "评审未通过",
        DomainResult.WITHDRAWN: "表决通过，但评审结果公示期间异议成立，结果撤回（按未通过处理）",
        DomainResult.GRANTED: "已确认，取得职称并发放电子证书",
        DomainResult.REVOKED: "已取得的职称因弄虚作假被撤销（证书同时撤销）",
    }, name="ReviewResult", description="评审结果（评审委员会闭票计票之后）")


@strawberry.type(description="评审委员会对一个评审对象的计票结果（闭票时统计，不含回避的专家）")
class BallotTally:
    present: int = strawberry.field(description="到会且未回避的评审专家人数")
    agree: int = strawberry.field(description="同意票")
    disagree: int = strawberry.field(description="不同意票")
    abstain: int = strawberry.field(description="弃权票")
    passed: bool = strawberry.field(description="表决是否通过（同意票不少于到会专家的三分之二）")


@strawberry.type(description="申报概要：职称管理机构和人事等系统同步所需的申报信息（按地区、评委会、年度、状态查询）")
class DeclarationSummary:
    declaration_id: strawberry.ID = strawberry.field(
        description="申报的全局 ID（管理机构可用 declaration(id:) 查看全部内容）")
    year: int = strawberry.field(description="申报年度")
    status: DeclarationStatus = strawberry.field(description="当前状态（补正期限已过未重新确认的为 ABANDONED）")
    series_code: str = strawberry.field(description="职称系列代码")
    series_name: str = strawberry.field(description="职称系列名称")
    level: TitleLevel = strawberry.field(description="申报级别")
    title_code: str = strawberry.field(description="申报职称代码")
    title_name: str = strawberry.field(description="申报职称名称")
    specialty_code: str = strawberry.field(description="现从事专业代码")
    specialty_name: str = strawberry.field(description="现从事专业名称")
    method: DeclarationMethod = strawberry.field(description="申报方式")
    person_name: str = strawberry.field(description="申报人姓名")
    id_number: str = strawberry.field(
        description="申报人居民身份证号：默认脱敏（如 370102********1234）；unmaskIdNumbers 为 true 时为完整号码")
    work_unit_name: str = strawberry.field(description="工作单位名称")
    work_unit_uscc: str | None = strawberry.field(description="工作单位统一社会信用代码；无代码的单位为空")
    region: RegionType = strawberry.field(description="所属地区（工作单位所在地区）")
    committee_id: strawberry.ID | None = strawberry.field(description="受理的评审委员会的全局 ID；尚未受理为空")
    committee_name: str | None = strawberry.field(description="受理的评审委员会名称；尚未受理为空")
    created_at: dt.datetime = strawberry.field(description="新增时间")
    confirmed_at: dt.datetime | None = strawberry.field(description="最近一次确认申报的时间")
    accepted_at: dt.datetime | None = strawberry.field(description="评审委员会受理时间")
    updated_at: dt.datetime = strawberry.field(
        description="最近变动时间（每一步流程和每次修改都会更新）；增量同步用 updatedSince 从上次同步的最大值取起")
    tally: BallotTally | None = strawberry.field(description="评审会议的计票结果；尚未闭票计票为空")
    result: ReviewResult | None = strawberry.field(
        description="评审结果（由当前状态和计票结果得出）；尚未闭票计票为空")
    certificate_number: str | None = strawberry.field(description="电子职称证书编号；未发证为空")
    certificate_issued_on: dt.date | None = strawberry.field(description="证书发证日期；未发证为空")
    certificate_revoked: bool | None = strawberry.field(description="证书是否已撤销；未发证为空")

    @classmethod
    def of(cls, row: tuple, *, today: dt.date, unmask: bool) -> "DeclarationSummary":
        d: DeclarationModel = row[0]
        person_name, id_number, unit_name, unit_uscc, region_code, committee_name = row[1:7]
        present, agree, disagree, abstain, passed, number, issued_on, revoked_at = row[7:15]
        tally = BallotTally(present=present, agree=agree, disagree=disagree, abstain=abstain,
                            passed=passed) if passed is not None else None
        return cls(
            declaration_id=encode_id("Declaration", d.id), year=d.year,
            status=correction_rules.effective_status(d.status, d.correction_deadline, today),
            series_code=d.series_code, series_name=catalog_rules.series_name(d.series_code) or "", level=d.level,
            title_code=d.title_code, title_name=catalog_rules.title_name(d.title_code) or "",
            specialty_code=d.specialty_code, specialty_name=catalog_rules.specialty_name(d.specialty_code) or "",
            method=d.method, person_name=person_name,
            id_number=id_number if unmask else mask_resident_id(id_number),
            work_unit_name=unit_name, work_unit_uscc=unit_uscc, region=RegionType.of(region_code),
            committee_id=encode_id("Committee", d.committee_id) if d.committee_id is not None else None,
            committee_name=committee_name, created_at=d.created_at, confirmed_at=d.confirmed_at,
            accepted_at=d.accepted_at, updated_at=d.updated_at, tally=tally, result=review_result(d.status, passed),
            certificate_number=number, certificate_issued_on=issued_on,
            certificate_revoked=revoked_at is not None if number is not None else None,
        )


@strawberry.input(description="申报概要的筛选条件（各项同时满足）")
class DeclarationsFilter:
    region_code: str | None = strawberry.field(
        default=None, description="地区（区划代码）；不填为调用方的全部地区。只能是本地区或其下的地市")
    committee_id: strawberry.ID | None = strawberry.field(default=None, description="受理的评审委员会的全局 ID")
    year: int | None = strawberry.field(default=None, description="申报年度")
    statuses: list[DeclarationStatus] | None = strawberry.field(default=None, description="状态之一")
    updated_since: dt.datetime | None = strawberry.field(
        default=None, description="只要此时刻及以后有变动的（含此时刻）：增量同步时传上次取到的最大 updatedAt")


@strawberry.type
class DeclarationListQuery:
    @strawberry.field(
        description="职称管理机构（本地区）和接口客户端（权限范围 declarations:read，本客户端地区）："
                    "申报概要列表，按最近变动时间（updatedAt）再按申报排序，游标分页，适合增量同步")
    async def declarations(
        self, info: Info,
        filter: Annotated[DeclarationsFilter | None, strawberry.argument(description="筛选条件")] = None,
        unmask_id_numbers: Annotated[bool, strawberry.argument(
            description="返回完整身份证号：限管理机构和有 identity:read 权限范围的客户端，"
                        "每次读取记入操作日志")] = False,
        first: First = None, after: After = None,
    ) -> Connection[DeclarationSummary]:
        f = filter or DeclarationsFilter()
        wanted = steps.DeclarationFilter(
            region_code=f.region_code, year=f.year, updated_since=f.updated_since,
            committee_id=query_id(f.committee_id, "Committee", "filter.committeeId") if f.committee_id else None,
            statuses=[DomainStatus(s.value) for s in f.statuses] if f.statuses is not None else None)
        async with info.context.read() as env:
            page = await steps.list_declarations(env, filter=wanted, unmask_id_numbers=unmask_id_numbers,
                                                 first=first, after=after)
        today = today_of(info)
        return Connection.of(page, lambda row: DeclarationSummary.of(row, today=today, unmask=unmask_id_numbers))


__all__ = ["DeclarationListQuery", "DeclarationSummary"]
