"""Relay connections with keyset cursors and a total count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from core.config import Settings
from resolvers.paging import DEFAULT_PAGE_SIZE, Page

T = TypeVar("T")

#: The page arguments every list query takes, with the cap it enforces.
First = Annotated[int | None, strawberry.argument(
    description=f"每页条数，最多 {Settings.max_page_size}（默认 {DEFAULT_PAGE_SIZE}）")]
After = Annotated[str | None, strawberry.argument(
    description="上一页最后一条的游标（pageInfo.endCursor）；不填从第一条开始")]


@strawberry.type(description="分页信息（Relay PageInfo）")
class PageInfo:
    """Our own PageInfo (relay's has English descriptions only): the same four fields."""

    has_next_page: bool = strawberry.field(description="后面是否还有下一页")
    has_previous_page: bool = strawberry.field(description="是否有上一页（带 after 取页时为 true）")
    start_cursor: str | None = strawberry.field(description="本页第一条的游标；本页为空时为空")
    end_cursor: str | None = strawberry.field(
        description="本页最后一条的游标，作为 after 传回以取下一页；本页为空时为空")


@strawberry.type(description="连接中的一条")
class Edge(Generic[T]):
    node: T = strawberry.field(description="这一条对象")
    cursor: str = strawberry.field(description="不透明游标，作为 after 传回以取下一页")


@strawberry.type(description=f"分页列表（Relay 连接）。first 默认{DEFAULT_PAGE_SIZE}，最多{Settings.max_page_size}")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="本页各条及其游标")
    nodes: list[T] = strawberry.field(description="本页各条对象（与 edges 的 node 相同，不带游标）")
    page_info: PageInfo = strawberry.field(description="分页信息")
    total_count: int = strawberry.field(description="符合条件的总条数")

    @classmethod
    def of(cls, page: Page, to_node: Callable[[Any], T]) -> "Connection[T]":
        nodes = [to_node(row) for row in page.rows]
        edges = [Edge(node=n, cursor=c) for n, c in zip(nodes, page.cursors, strict=True)]
        return cls(
            edges=edges,
            nodes=nodes,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count,
        )
