"""GraphQL surface of the results stage (评审结果): results publicity and objections,
confirmation, revocation, and public certificate verification."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from resolvers import certificates, results
from rules.certificates import VerificationStatus as DomainVerificationStatus
from schema.catalog import TitleLevel
from schema.certificates import CertificateContent, IssuedCertificate
from schema.connection import After, Connection, First
from schema.context import Info
from schema.declarations import Declaration
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.ids import query_id
from schema.mutation import Actor, GlobalIdArg, MutationSpec
from schema.nodes import resolve_visible
from schema.publicity import ObjectionOutcome

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    VerificationStatus = DomainVerificationStatus
else:
    VerificationStatus = gql_enum(
        DomainVerificationStatus,
        {"VALID": "证书有效", "REVOKED": "证书已撤销（职称已被撤销，不再有效）",
         "UNKNOWN": "查无此证书：证书编号不存在，或与持证人姓名不符"},
        name="VerificationStatus", description="电子职称证书查验结果",
    )


@strawberry.type(description="证书查验结果：状态，以及找到证书时证书上载明的内容（不多于证书本身）")
class CertificateVerification:
    status: VerificationStatus = strawberry.field(description="有效、已撤销或查无此证书")
    certificate: CertificateContent | None = strawberry.field(
        description="证书内容；查无此证书时为空（不说明是编号还是姓名不符）")


@strawberry.type(description="评审结果公示名单中的一人（公开，无需登录；身份证号脱敏）")
class ResultsPublicityEntry(relay.Node):
    id: relay.NodeID[int]
    holder_name: str = strawberry.field(description="姓名")
    id_number: str = strawberry.field(description="居民身份证号（脱敏）")
    unit_name: str = strawberry.field(description="工作单位")
    series_name: str = strawberry.field(description="职称系列")
    level: TitleLevel = strawberry.field(description="级别")
    title_name: str = strawberry.field(description="评审通过的职称")
    specialty_name: str = strawberry.field(description="专业")
    committee_name: str = strawberry.field(description="评审委员会")
    ends_on: dt.date = strawberry.field(description="公示期最后一天（北京时间，含当日）")
    ended: bool = strawberry.field(description="公示是否已期满")

    @classmethod
    def of(cls, row, now: dt.datetime | None = None) -> ResultsPublicityEntry:
        e = row.ResultsPublicityEntry
        return cls(id=e.id, holder_name=e.holder_name, id_number=e.masked_id_number, unit_name=e.unit_name,
                   series_name=e.series_name, level=e.level, title_name=e.title_name,
                   specialty_name=e.specialty_name, committee_name=row.committee_name, ends_on=row.ends_on,
                   ended=now is not None and now >= row.ends_at)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await resolve_visible(info, node_ids, results.public_entries, cls.of)


@strawberry.type(description="一次评审结果公示：开始时间、公示工作日数、期满日期、公示人数、确认情况")
class ResultsPublicity:
    started_at: dt.datetime = strawberry.field(description="公示开始时间")
    working_days: int = strawberry.field(
        description="公示期（工作日数，按国家法定节假日和调休安排计算，开始当日不计入）")
    ends_on: dt.date = strawberry.field(description="公示期最后一天（北京时间，含当日）；次日起可确认")
    entry_count: int | None = strawberry.field(description="公示人数（开始公示时返回）")
    confirmed_at: dt.datetime | None = strawberry.field(description="职称管理机构确认评审结果的时间；未确认时为空")


@strawberry.type(description="对评审结果公示的一条异议及其处理：只有评委会办事机构可见（申报人只在状态跟踪中看到有异议及处理结果）")
class ResultObjection(relay.Node):
    id: relay.NodeID[int]
    holder_name: str = strawberry.field(description="被提出异议的人员姓名")
    title_name: str = strawberry.field(description="评审通过的职称")
    reason: str = strawberry.field(description="异议的事实和理由")
    raised_by_name: str = strawberry.field(description="异议人姓名，不向被异议人公开")
    raised_at: dt.datetime = strawberry.field(description="提出时间")
    outcome: ObjectionOutcome | None = strawberry.field(description="处理结果；未处理时为空")
    resolution: str | None = strawberry.field(description="处理意见")
    resolved_by_name: str | None = strawberry.field(description="处理人（评委会办事机构）")
    resolved_at: dt.datetime | None = strawberry.field(description="处理时间")

    @classmethod
    def of(cls, row) -> ResultObjection:
        o = row.ResultObjection
        return cls(id=o.id, holder_name=row.holder_name, title_name=row.title_name, reason=o.reason,
                   raised_by_name=o.raised_by_name, raised_at=o.raised_at, outcome=o.outcome,
                   resolution=o.resolution, resolved_by_name=o.resolved_by_name, resolved_at=o.resolved_at)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        return await resolve_visible(info, node_ids, results.visible_objections, cls.of)


@strawberry.type(description="开始评审结果公示的结果")
class StartResultsPublicityPayload:
    publicity: ResultsPublicity | None = strawberry.field(default=None, description="本次公示；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="对评审结果提出异议的结果")
class RaiseResultObjectionPayload:
    raised_at: dt.datetime | None = strawberry.field(default=None, description="异议的提交时间；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="处理评审结果异议的结果")
class ResolveResultObjectionPayload:
    objection: ResultObjection | None = strawberry.field(default=None, description="处理后的异议；有错误时为空")
    declaration: Declaration | None = strawberry.field(
        default=None, description="处理后的申报（异议成立时为评审未通过）；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="确认评审结果的结果")
class ConfirmResultsPayload:
    publicity: ResultsPublicity | None = strawberry.field(default=None, description="已确认的公示；有错误时为空")
    granted_count: int | None = strawberry.field(default=None, description="取得职称、发放证书的人数")
    not_passed_count: int | None = strawberry.field(default=None, description="确认为评审未通过的人数")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="撤销职称的结果")
class RevokeTitlePayload:
    declaration: Declaration | None = strawberry.field(default=None, description="撤销后的申报；有错误时为空")
    certificate: IssuedCertificate | None = strawberry.field(default=None, description="已撤销的证书")
    integrity_ends_on: dt.date | None = strawberry.field(
        default=None, description="记入职称诚信档案的截止日期（北京时间，含当日；3年）")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


def _publicity(p, entry_count: int | None = None) -> ResultsPublicity:
    return ResultsPublicity(started_at=p.started_at, working_days=p.working_days, ends_on=p.ends_on,
                            entry_count=entry_count, confirmed_at=p.confirmed_at)


_SESSION = {"session_id": GlobalIdArg("ReviewSession", "sessionId")}
_START = MutationSpec(StartResultsPublicityPayload, actor=Actor.COMMITTEE_OFFICE, audit="results.publicity",
                      ids=_SESSION)
_RAISE = MutationSpec(RaiseResultObjectionPayload, actor=Actor.PERSON, audit="results.objection",
                      ids={"entry_id": GlobalIdArg("ResultsPublicityEntry", "entryId")})
_RESOLVE = MutationSpec(ResolveResultObjectionPayload, actor=Actor.COMMITTEE_OFFICE, audit="results.resolve",
                        ids={"objection_id": GlobalIdArg("ResultObjection", "objectionId")})
_CONFIRM = MutationSpec(ConfirmResultsPayload, actor=Actor.ADMIN, audit="results.confirm", ids=_SESSION)
_REVOKE = MutationSpec(RevokeTitlePayload, actor=Actor.ADMIN, audit="title.revoke",
                       ids={"declaration_id": GlobalIdArg("Declaration", "declarationId")})


def _resolved(r: results.ResolveResult) -> ResolveResultObjectionPayload:
    return ResolveResultObjectionPayload(objection=ResultObjection.of(r.row), declaration=Declaration.of(r.declaration))


def _confirmed(r: results.ConfirmResult) -> ConfirmResultsPayload:
    return ConfirmResultsPayload(publicity=_publicity(r.publicity), granted_count=r.granted,
                                 not_passed_count=r.not_passed)


def _revoked(r: results.RevokeResult) -> RevokeTitlePayload:
    return RevokeTitlePayload(declaration=Declaration.of(r.declaration),
                              certificate=IssuedCertificate.of(r.certificate), integrity_ends_on=r.integrity.ends_on)


@strawberry.type
class ResultsQuery:
    @strawberry.field(description="电子职称证书查验（公开，无需登录）：输入证书编号和持证人姓名，"
                                  "返回有效、已撤销或查无此证书。同一来源地址查无结果的次数过多时须等待后再查"
                                  "（顶层错误 RATE_LIMITED，附 retryAfter 秒数）")
    async def verify_certificate(
        self, info: Info,
        number: Annotated[str, strawberry.argument(description="证书编号（可含空格或连字符）")],
        holder_name: Annotated[str, strawberry.argument(description="持证人姓名")],
    ) -> CertificateVerification:
        async with info.context.own_transaction() as env:
            found = await certificates.verify_certificate(env, number=number, holder_name=holder_name)
        content = CertificateContent.of(found.certificate) if found.certificate else None
        return CertificateVerification(status=found.status, certificate=content)

    @strawberry.field(description="评审结果公示名单（公开，无需登录）：姓名、工作单位、职称、专业、脱敏身份证号；"
                                  "默认列出公示期内的全部评审会议，异议成立已撤销的不再列出")
    async def results_publicity(
        self, info: Info,
        session_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="评审会议的全局 ID；不填即全部公示中的")] = None,
        include_ended: Annotated[bool, strawberry.argument(description="是否包括已期满的（默认否）")] = False,
        first: First = None, after: After = None,
    ) -> Connection[ResultsPublicityEntry]:
        session = query_id(session_id, "ReviewSession", "sessionId") if session_id is not None else None
        async with info.context.read() as env:
            page = await results.public_list(env, session_id=session, include_ended=include_ended,
                                             first=first, after=after)
            now = env.clock.now()
        return Connection.of(page, lambda row: ResultsPublicityEntry.of(row, now))

    @strawberry.field(description="评委会办事机构：本评委会评审结果公示收到的异议，默认只列未处理的，先提出的在前")
    async def result_objections(
        self, info: Info,
        session_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="评审会议的全局 ID；不填即全部")] = None,
        open_only: Annotated[bool, strawberry.argument(description="只列未处理的（默认是）")] = True,
        first: First = None, after: After = None,
    ) -> Connection[ResultObjection]:
        session = query_id(session_id, "ReviewSession", "sessionId") if session_id is not None else None
        async with info.context.read() as env:
            page = await results.objection_list(env, session_id=session, open_only=open_only,
                                                first=first, after=after)
        return Connection.of(page, ResultObjection.of)


@strawberry.type
class ResultsMutation:
    @strawberry.mutation(description="评委会办事机构：对已闭票计票的评审会议开始评审结果公示，评审通过的人员列入公开名单。"
                                     "公示期按工作日计算（国家法定节假日和调休安排，开始当日不计入），不少于规定的天数")
    async def start_results_publicity(
        self, info: Info,
        session_id: Annotated[strawberry.ID, strawberry.argument(description="评审会议的全局 ID")],
        working_days: Annotated[int | None, strawberry.argument(
            description="公示期（工作日数）；不填即规定的最少天数（默认5个工作日），不能少于它")] = None,
    ) -> StartResultsPublicityPayload:
        return await _START.run(
            info, results.start_results_publicity,
            lambda r: StartResultsPublicityPayload(publicity=_publicity(r.publicity, r.entry_count)),
            session_id=session_id, working_days=working_days)

    @strawberry.mutation(description="个人（登录后）在公示期内对评审结果公示名单中的人员提出异议；异议人不向被异议人公开")
    async def raise_result_objection(
        self, info: Info,
        entry_id: Annotated[strawberry.ID, strawberry.argument(description="公示名单条目的全局 ID")],
        reason: Annotated[str, strawberry.argument(description="异议的事实和理由（必填，不超过500字）")],
    ) -> RaiseResultObjectionPayload:
        return await _RAISE.run(info, results.raise_result_objection,
                                lambda o: RaiseResultObjectionPayload(raised_at=o.raised_at),
                                entry_id=entry_id, reason=reason)

    @strawberry.mutation(description="评委会办事机构：处理一条评审结果异议。成立则撤销该人员的评审通过结果（评审未通过，"
                                     "原因即处理意见），不成立则记录在案")
    async def resolve_result_objection(
        self, info: Info,
        objection_id: Annotated[strawberry.ID, strawberry.argument(description="异议的全局 ID")],
        upheld: Annotated[bool, strawberry.argument(description="异议是否成立")],
        reason: Annotated[str, strawberry.argument(description="处理意见（必填）")],
    ) -> ResolveResultObjectionPayload:
        return await _RESOLVE.run(info, results.resolve_result_objection, _resolved, objection_id=objection_id,
                                  upheld=upheld, reason=reason)

    @strawberry.mutation(description="职称管理机构（评委会所在地区或省级）：评审结果公示期满且异议处理完毕后确认评审结果。"
                                     "评审通过的取得职称并发放电子证书（唯一编号），未通过的确认为最终结果；每个评审会议只能确认一次")
    async def confirm_results(
        self, info: Info,
        session_id: Annotated[strawberry.ID, strawberry.argument(description="评审会议的全局 ID")],
    ) -> ConfirmResultsPayload:
        return await _CONFIRM.run(info, results.confirm_results, _confirmed, session_id=session_id)

    @strawberry.mutation(description="职称管理机构（评委会所在地区或省级）：撤销弄虚作假取得的职称。证书查验为已撤销，"
                                     "本人记入职称诚信档案3年，期间不得申报")
    async def revoke_title(
        self, info: Info,
        declaration_id: Annotated[strawberry.ID, strawberry.argument(description="取得职称的申报的全局 ID")],
        reason: Annotated[str, strawberry.argument(description="撤销原因（必填）")],
    ) -> RevokeTitlePayload:
        return await _REVOKE.run(info, results.revoke_title, _revoked, declaration_id=declaration_id, reason=reason)
