"""Relay connections with keyset cursors and a total count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import relay

from resolvers.paging import Page

T = TypeVar("T")


@strawberry.type(description="连接中的一条")
class Edge(Generic[T]):
    node: T
    cursor: str = strawberry.field(description="不透明游标，作为 after 传回以取下一页")


@strawberry.type(description="分页列表（Relay 连接）。first 默认20，最多100")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="符合条件的总条数")

    @classmethod
    def of(cls, page: Page, to_node: Callable[[Any], T]) -> "Connection[T]":
        edges = [Edge(node=to_node(row), cursor=c) for row, c in zip(page.rows, page.cursors, strict=True)]
        return cls(
            edges=edges,
            page_info=relay.PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total_count,
        )
