"""GraphQL surface of 数据审核 (手册 2.3): reviewQueue and reviewDeclaration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from resolvers import records, review
from resolvers.env import Env
from resolvers.paging import Page
from resolvers.review import QueueFilter
from rules import catalog as catalog_rules
from schema.accounts import Person, Unit
from schema.catalog import TitleLevel
from schema.connection import After, Connection, First
from schema.context import Info
from schema.correction_notice import today_of
from schema.declarations import Declaration
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.mutation import Actor, GlobalIdArg, MutationSpec
from schema.nodes import resolve_visible
from schema.review_decisions import DeclarationReview
from schema.units import ReviewDecision

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    ReviewState = review.ReviewState
else:
    ReviewState = gql_enum(
        review.ReviewState, {"PENDING": "待审核", "APPROVED": "审核通过", "REJECTED": "审核不通过",
                             "CORRECTION_REQUESTED": "已一次性告知补正（退回申报人）",
                             "RETURNED_DOWN": "已按原报送渠道退回下级单位"},
        name="ReviewState", description="审核状态（从本单位看）",
    )


@strawberry.input(description="数据审核 / 数据上报的查询条件：申报年度、申报级别、申报职称（均可不选）")
class QueueFilterInput:
    year: int | None = strawberry.field(default=None, description="申报年度")
    level: TitleLevel | None = strawberry.field(default=None, description="申报级别")
    title_code: str | None = strawberry.field(default=None, description="申报职称代码")

    def plain(self) -> QueueFilter:
        level = catalog_rules.TitleLevel(self.level.value) if self.level else None
        return QueueFilter(year=self.year, level=level, title_code=self.title_code or None)


@strawberry.input(description="数据审核列表的查询条件")
class ReviewQueueFilter(QueueFilterInput):
    state: ReviewState = strawberry.field(
        default=review.ReviewState.PENDING, description="审核状态，默认待审核")


@strawberry.type(description="列表中的一份申报（数据审核、数据上报）：该申报到达本单位的这一次；"
                              "只有本单位可见")
class QueueItem(relay.Node):
    id: relay.NodeID[int]  # the review step: one arrival at one unit
    declaration: Declaration = strawberry.field(description="完整申报（记录、材料、状态跟踪）")
    applicant: Person = strawberry.field(description="申报人（身份证号脱敏）")
    work_unit: Unit = strawberry.field(description="工作单位")
    year: int = strawberry.field(description="申报年度")
    level: TitleLevel = strawberry.field(description="申报级别")
    title_name: str = strawberry.field(description="职称名称")
    applicant_name: str = strawberry.field(description="姓名")
    confirmed_at: dt.datetime = strawberry.field(description="申报时间（确认申报的时间）")
    arrived_at: dt.datetime = strawberry.field(description="到达本单位的时间")
    state: ReviewState = strawberry.field(description="本单位的审核状态")
    review: DeclarationReview | None = strawberry.field(description="本单位这一次的审核结论（待审核时为空）")
    reported_at: dt.datetime | None = strawberry.field(description="本单位上报的时间（未上报为空）")

    @classmethod
    def of(cls, row, viewer, today: dt.date) -> "QueueItem":
        step, d, person, unit = row.ReviewStep, row.Declaration, row.Person, row.Unit
        decided = step.decision is not None
        return cls(
            id=step.id,
            declaration=Declaration.of(d, records.listed_qualifications(d.id, row.qualifications), today=today),
            applicant=Person.of(person, viewer), work_unit=Unit.of(unit),
            year=step.year, level=step.level, title_name=step.title_name, applicant_name=step.applicant_name,
            confirmed_at=step.confirmed_at, arrived_at=step.arrived_at,
            state=review.ReviewState(step.decision.value) if decided else review.ReviewState.PENDING,
            review=DeclarationReview.of(step) if decided else None, reported_at=step.reported_at,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        viewer, today = info.context.viewer, today_of(info)
        return await resolve_visible(info, node_ids, review.visible_queue_rows, lambda row: cls.of(row, viewer, today))


async def queue_connection(info: Info, fetch: Callable[[Env], Awaitable[Page]]) -> Connection[QueueItem]:
    """A queue page with its items' current qualifications: one read, then plain objects
    all the way down (no per-item async resolution)."""
    async with info.context.read() as env:
        page = await fetch(env)
    viewer, today = info.context.viewer, today_of(info)
    return Connection.of(page, lambda row: QueueItem.of(row, viewer, today))


@strawberry.type(description="审核申报的结果")
class ReviewDeclarationPayload:
    declaration: Declaration | None = strawberry.field(default=None, description="审核后的申报；有错误时为空")
    review: DeclarationReview | None = strawberry.field(default=None, description="本次审核结论")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


def _payload(result: review.ReviewResult) -> ReviewDeclarationPayload:
    return ReviewDeclarationPayload(declaration=Declaration.of(result.declaration),
                                    review=DeclarationReview.of(result.step))


async def _review(env: Env, *, declaration_id: int, decision: ReviewDecision, reason: str | None
                  ) -> review.ReviewResult:
    return await review.review_declaration(env, declaration_id=declaration_id,
                                           approve=decision is ReviewDecision.APPROVE, reason=reason)


_REVIEW = MutationSpec(ReviewDeclarationPayload, actor=Actor.PERMITTED_UNIT, audit="declaration.review",
                       ids={"declaration_id": GlobalIdArg("Declaration", "id")})


@strawberry.type
class ReviewQuery:
    @strawberry.field(description="单位：数据审核列表——报送到本单位的申报，按审核状态、年度、级别、职称查询；"
                                  "待审核按到达先后，其余按最新在前")
    async def review_queue(
        self, info: Info,
        filter: Annotated[ReviewQueueFilter | None,
                          strawberry.argument(description="查询条件；不填即全部待审核")] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[QueueItem]:
        f = filter or ReviewQueueFilter()
        return await queue_connection(info, lambda env: review.review_queue(
            env, state=review.ReviewState(f.state.value), f=f.plain(), first=first, after=after))


@strawberry.type
class ReviewMutation:
    @strawberry.mutation(description="单位：审核一份待审核的申报。通过（在评审委员会受理单位即受理），"
                                     "或不通过并填写原因（退回申报人修改后重新确认）")
    async def review_declaration(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
        decision: Annotated[ReviewDecision, strawberry.argument(description="审核结论：通过或不通过")],
        reason: Annotated[str | None, strawberry.argument(description="原因：不通过时必填")] = None,
    ) -> ReviewDeclarationPayload:
        return await _REVIEW.run(info, _review, _payload, declaration_id=id, decision=decision, reason=reason)
