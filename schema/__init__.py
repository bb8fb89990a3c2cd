"""The GraphQL schema: the root types merged from each area, with the API's limits."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types

from core.config import Settings
from schema.accounts import AccountMutation, AccountQuery
from schema.audit import AuditQuery
from schema.catalog import CatalogQuery
from schema.committees import CommitteeMutation, CommitteeQuery
from schema.permission import PermissionMutation, PermissionQuery
from schema.routes import RouteMutation, RouteQuery
from schema.units import UnitQuery
from schema.extensions import CloseSession, should_mask_error


@strawberry.type
class NodeQuery:
    node: relay.Node | None = relay.node(description="按全局 ID 取任意对象（无权访问时为空）")


Query = merge_types(
    "Query",
    (NodeQuery, AccountQuery, CatalogQuery, UnitQuery, PermissionQuery, CommitteeQuery, RouteQuery, AuditQuery),
)
Mutation = merge_types("Mutation", (AccountMutation, PermissionMutation, CommitteeMutation, RouteMutation))


def _build_schema(settings: Settings) -> strawberry.Schema:
    # Built once per process: strawberry attaches resolvers to relay fields while building,
    # so the same root types cannot be built into a second schema.
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[
            # Factories, not instances: a shared instance races across concurrent requests.
            lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
            lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=1024),
            lambda: ValidationCache(maxsize=1024),
            lambda: MaskErrors(should_mask_error=should_mask_error, error_message="服务器内部错误"),
            CloseSession,
        ],
    )


schema = _build_schema(Settings.from_env())
