"""GraphQL surface of webhooks (事件通知): an API client's subscriptions and their deliveries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay

from models import Webhook as WebhookModel
from models import WebhookDelivery as DeliveryModel
from models.webhook import DeliveryState as DomainDeliveryState
from resolvers import webhooks
from resolvers.env import Env
from resolvers.paging import Page
from rules.events import EventType as DomainEventType
from rules.scopes import Scope
from schema.connection import After, Connection, First
from schema.context import Info
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.events import Event, EventType
from schema.ids import encode_id, query_id
from schema.mutation import Actor, GlobalIdArg, MutationSpec

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    WebhookDeliveryState = DomainDeliveryState
else:
    WebhookDeliveryState = gql_enum(
        DomainDeliveryState,
        {"PENDING": "待发送或等待重试", "DELIVERED": "已送达（接收方返回 2xx）",
         "FAILED": "重试期满仍未送达（可重新发送）"},
        name="WebhookDeliveryState", description="Webhook 投递状态",
    )


@strawberry.type(description="Webhook：把本客户端地区内所订阅类型的变更事件，签名后 POST 到指定地址")
class Webhook(relay.Node):
    id: relay.NodeID[int]
    url: str = strawberry.field(description="接收地址")
    event_types: list[EventType] = strawberry.field(description="订阅的事件类型")
    created_at: dt.datetime = strawberry.field(description="创建时间；此后开始的事务写下的事件才会投递")

    @classmethod
    def of(cls, w: WebhookModel) -> Webhook:
        return cls(id=w.id, url=w.url, event_types=[DomainEventType(t) for t in w.event_types],
                   created_at=w.created_at)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> Any:
        ids = [int(i) for i in node_ids]
        async with info.context.read() as env:
            found = await webhooks.visible_webhooks(env, ids)
        return [cls.of(found[i]) if i in found else None for i in ids]


@strawberry.type(description="一次发送尝试及接收方的应答")
class WebhookAttempt:
    started_at: dt.datetime = strawberry.field(description="发送时间")
    duration_ms: int = strawberry.field(description="耗时（毫秒）")
    status_code: int | None = strawberry.field(
        description="接收方返回的 HTTP 状态码；未收到应答（连接失败、超时）时为空")
    error: str | None = strawberry.field(description="失败原因；成功时为空")
    success: bool = strawberry.field(description="是否送达（2xx）")


@strawberry.type(description="一个事件向一个 Webhook 的投递：失败按指数退避重试一天，期满为 FAILED")
class WebhookDelivery(relay.Node):
    id: relay.NodeID[int]
    event: Event = strawberry.field(description="投递的事件")
    state: WebhookDeliveryState = strawberry.field(description="状态")
    attempt_count: int = strawberry.field(description="已发送次数（含被中断的发送）")
    attempts: list[WebhookAttempt] = strawberry.field(description="各次发送及应答，先发的在前")
    created_at: dt.datetime = strawberry.field(description="生成时间")
    next_attempt_at: dt.datetime | None = strawberry.field(description="下次发送时间；已送达或已失败时为空")
    give_up_at: dt.datetime = strawberry.field(description="重试截止时间，此后仍未送达即为 FAILED")
    delivered_at: dt.datetime | None = strawberry.field(description="送达时间")

    @classmethod
    def of(cls, d: DeliveryModel, event: Event, attempts: list[WebhookAttempt]) -> WebhookDelivery:
        pending = d.state is DomainDeliveryState.PENDING
        return cls(id=d.id, event=event, state=d.state, attempt_count=d.attempts, attempts=attempts,
                   created_at=d.created_at, next_attempt_at=d.next_attempt_at if pending else None,
                   give_up_at=d.give_up_at, delivered_at=d.delivered_at)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> Any:
        ids = [int(i) for i in node_ids]
        async with info.context.read() as env:
            found = await webhooks.visible_deliveries(env, ids)
            built = await build_deliveries(env, list(found.values()))
        by_id = {d.id: d for d in built}
        return [by_id.get(i) for i in ids]


async def build_deliveries(env: Env, rows: list[DeliveryModel]) -> list[WebhookDelivery]:
    """Deliveries with their events and attempts, two statements for the whole page."""
    events = await webhooks.events_of(env, sorted({d.event_id for d in rows}))
    attempts = await webhooks.attempts_of(env, [d.id for d in rows])
    return [WebhookDelivery.of(d, Event.of(events[d.event_id]), [
        WebhookAttempt(started_at=a.started_at, duration_ms=a.duration_ms, status_code=a.status_code,
                       error=a.error, success=a.success) for a in attempts[d.id]]) for d in rows]


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="API 客户端（webhooks:manage 权限）：本客户端的 Webhook")
    async def webhooks(self, info: Info, first: First = None, after: After = None) -> Connection[Webhook]:
        async with info.context.read() as env:
            page = await webhooks.list_webhooks(env, first=first, after=after)
        return Connection.of(page, Webhook.of)

    @strawberry.field(description="API 客户端（webhooks:manage 权限）：某 Webhook 的投递记录，最新的在前，"
                                  "含每次发送的应答；Webhook 不存在或不属于本客户端时为空")
    async def webhook_deliveries(
        self, info: Info,
        webhook_id: Annotated[strawberry.ID, strawberry.argument(description="Webhook 的全局 ID")],
        first: First = None, after: After = None,
    ) -> Connection[WebhookDelivery] | None:
        row_id = query_id(webhook_id, "Webhook", "webhookId")
        async with info.context.read() as env:
            page = await webhooks.list_deliveries(env, webhook_id=row_id, first=first, after=after)
            if page is None:
                return None
            built = await build_deliveries(env, page.rows)
        return Connection.of(Page(rows=built, cursors=page.cursors, has_next_page=page.has_next_page,
                                  has_previous_page=page.has_previous_page, total_count=page.total_count),
                             lambda d: d)


@strawberry.type(description="创建 Webhook 的结果")
class CreateWebhookPayload:
    webhook: Webhook | None = strawberry.field(default=None, description="新建的 Webhook；有错误时为空")
    secret: str | None = strawberry.field(
        default=None, description="签名密钥，只在此显示一次：接收方用它校验 X-Zhicheng-Signature")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="删除 Webhook 的结果")
class DeleteWebhookPayload:
    deleted_webhook_id: strawberry.ID | None = strawberry.field(default=None, description="已删除的 Webhook 的全局 ID")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="重新发送的结果")
class RedeliverWebhookDeliveryPayload:
    delivery: WebhookDelivery | None = strawberry.field(default=None, description="重新排队发送的投递")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


async def _create(env: Env, *, url: str, event_types: list[Any]) -> tuple[WebhookModel, str]:
    return await webhooks.create_webhook(env, url=url, event_types=[DomainEventType(t.value) for t in event_types])


async def _redeliver(env: Env, *, delivery_id: int) -> WebhookDelivery:
    return (await build_deliveries(env, [await webhooks.redeliver(env, delivery_id=delivery_id)]))[0]


_CLIENT, _SCOPE = Actor.API_CLIENT, Scope.WEBHOOKS_MANAGE
_CREATE = MutationSpec(CreateWebhookPayload, actor=_CLIENT, scope=_SCOPE, audit="webhook.create")
_DELETE = MutationSpec(DeleteWebhookPayload, actor=_CLIENT, scope=_SCOPE, audit="webhook.delete",
                       ids={"webhook_id": GlobalIdArg("Webhook", "id")})
_REDELIVER = MutationSpec(RedeliverWebhookDeliveryPayload, actor=_CLIENT, scope=_SCOPE, audit="webhook.redeliver",
                          ids={"delivery_id": GlobalIdArg("WebhookDelivery", "id")})


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(description="API 客户端（webhooks:manage 权限）：订阅事件通知。地址须为公网 https，"
                                     "或运维人员允许的内网网段；签名密钥只在返回值中显示这一次")
    async def create_webhook(
        self, info: Info,
        url: Annotated[str, strawberry.argument(description="接收地址（https://…）")],
        event_types: Annotated[list[EventType], strawberry.argument(description="订阅的事件类型，至少一种")],
    ) -> CreateWebhookPayload:
        return await _CREATE.run(info, _create, lambda r: CreateWebhookPayload(webhook=Webhook.of(r[0]), secret=r[1]),
                                 url=url, event_types=event_types)

    @strawberry.mutation(description="API 客户端（webhooks:manage 权限）：删除 Webhook，尚未送达的投递不再发送")
    async def delete_webhook(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="Webhook 的全局 ID")],
    ) -> DeleteWebhookPayload:
        return await _DELETE.run(info, webhooks.delete_webhook,
                                 lambda i: DeleteWebhookPayload(deleted_webhook_id=encode_id("Webhook", i)),
                                 webhook_id=id)

    @strawberry.mutation(description="API 客户端（webhooks:manage 权限）：立即重新发送一次已送达或已失败的投递，"
                                     "并重新计算一天的重试期")
    async def redeliver_webhook_delivery(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="投递的全局 ID")],
    ) -> RedeliverWebhookDeliveryPayload:
        return await _REDELIVER.run(info, _redeliver, lambda d: RedeliverWebhookDeliveryPayload(delivery=d),
                                    delivery_id=id)
