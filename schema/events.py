"""GraphQL surface of the change feed (变更事件): `events(after:, first:, types:)` and `Event`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models import FeedEvent
from resolvers import feed
from rules.events import EventType as DomainEventType
from schema.connection import After, Connection, First
from schema.context import Info
from schema.enums import gql_enum
from schema.ids import encode_id
from schema.nodes import resolve_visible

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    EventType = DomainEventType
else:
    EventType = gql_enum(
        DomainEventType,
        {
            "declaration.confirmed": "申报人确认申报，进入工作单位审核",
            "declaration.withdrawn": "申报人撤回申报（回到草稿）",
            "declaration.approved": "单位审核通过",
            "declaration.rejected": "单位审核不通过，退回申报人",
            "declaration.reported": "单位上报至上级单位",
            "declaration.accepted": "评审委员会受理",
            "declaration.correction_requested": "单位一次性告知补正，退回申报人限期补正",
            "declaration.resubmitted": "申报人补正后重新确认申报",
            "declaration.abandoned": "补正期满未重新确认，视为放弃",
            "declaration.returned_down": "上级单位按原报送渠道退回下级单位",
            "declaration.publicity_started": "单位公示开始",
            "declaration.objection_raised": "单位公示期间收到异议",
            "declaration.objection_dismissed": "单位处理异议：不成立",
            "declaration.objection_upheld": "单位处理异议：成立，退回申报人",
            "declaration.checked": "评委会办事机构受理审查通过",
            "declaration.resubmitted_to_committee": "申报人按评委会的补正告知补正后重新确认（回到评委会）",
            "declaration.scheduled": "列入评审会议（评审中）",
            "declaration.passed": "评审通过（闭票计票）",
            "declaration.not_passed": "评审未通过（闭票计票）",
            "declaration.results_publicity_started": "评审结果公示开始",
            "declaration.result_objection_raised": "评审结果公示期间收到异议",
            "declaration.result_objection_dismissed": "评委会办事机构处理评审结果异议：不成立",
            "declaration.result_withdrawn": "评审结果异议成立，撤销评审通过结果",
            "declaration.granted": "职称管理机构确认评审结果，取得职称、发放电子证书",
            "declaration.not_passed_confirmed": "职称管理机构确认评审结果：未通过（终结）",
            "declaration.revoked": "弄虚作假取得的职称被撤销（电子证书失效）",
            "permission.approved": "单位职称申报权限审核通过（含人工审核通过）",
            "permission.rejected": "单位职称申报权限审核不通过",
            "path.approved": "上报路径审核通过，已生效",
            "path.rejected": "上报路径审核不通过",
            "path.revoked": "上报路径被撤销",
        },
        name="EventType",
        description="变更事件类型（Webhook 请求头 X-Zhicheng-Event-Type 中为其点分写法，如 declaration.approved）",
    )


@strawberry.type(description="一条变更事件：某业务步骤在同一事务中写下，随该步骤提交而生效")
class Event(relay.Node):
    id: relay.NodeID[int]
    type: EventType = strawberry.field(description="事件类型")
    object_id: strawberry.ID = strawberry.field(
        description="事件所涉对象的全局 ID（申报 Declaration、权限申请 PermissionApplication、"
                    "上报路径 ReportingPath），可用 node(id:) 取其详情")
    region_code: str = strawberry.field(description="所属地区代码（申报为其工作单位所在地区；事件发生时）")
    occurred_at: dt.datetime = strawberry.field(description="发生时间")
    payload: JSON = strawberry.field(
        description="事件摘要：申报为 action、fromStatus、toStatus、year、seriesCode、level、titleCode；"
                    "权限申请为 decision；上报路径为 status、seriesCode、level。不含个人信息")

    @classmethod
    def of(cls, e: FeedEvent) -> Event:
        return cls(id=e.id, type=DomainEventType(e.type), object_id=encode_id(e.object_type, e.object_id),
                   region_code=e.region_code, occurred_at=e.occurred_at, payload=cast(JSON, e.payload))

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> Any:
        return await resolve_visible(info, node_ids, feed.visible_events, cls.of)


@strawberry.type
class EventQuery:
    @strawberry.field(description=(
        "变更流：本地区的变更事件，按写入事务的先后（事务号、序号）排列，每个读者看到的顺序相同，"
        "从 after 游标之后接着读。"
        "只返回已结束的事务写下的事件：仍在进行的事务会让变更流暂停在它之前，而不是跳过它，所以保存的游标之后不会漏掉事件。"
        f"totalCount 为游标之后尚未读取的事件数（最多计到 {feed.LAG_COUNT_CAP}）。"
        "职称管理机构（本地区）和有 events:read 权限的 API 客户端（其地区）可读"))
    async def events(
        self, info: Info,
        types: Annotated[list[EventType] | None,
                         strawberry.argument(description="只看这些类型的事件；不填为全部")] = None,
        first: First = None, after: After = None,
    ) -> Connection[Event]:
        async with info.context.read() as env:
            scope = feed.reader_scope(env)
            wanted = [DomainEventType(t.value) for t in types] if types else None
            page = await feed.read_events(env, scope, after=after, first=first, types=wanted)
        return Connection.of(page, Event.of)
