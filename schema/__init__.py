"""The GraphQL schema: the root types merged from each area, with the API's limits."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.tools import merge_types

from core.config import Settings
from core.errors import BadInput
from schema.accounts import AccountMutation, AccountQuery
from schema.audit import AuditQuery
from schema.catalog import CatalogQuery
from schema.commitment import CommitmentMutation, CommitmentQuery
from schema.committees import CommitteeMutation, CommitteeQuery
from schema.context import Info
from schema.declarations import DeclarationMutation, DeclarationQuery
from schema.execution import PlainFieldExecutor
from schema.extensions import should_mask_error
from schema.materials import MaterialMutation
from schema.permission import PermissionMutation, PermissionQuery
from schema.records import (
    Achievement,
    ContinuingEducation,
    Education,
    Qualification,
    RecordMutation,
    WorkExperience,
)
from schema.reporting import ReportingMutation, ReportingQuery
from schema.review import ReviewMutation, ReviewQuery
from schema.routes import RouteMutation, RouteQuery
from schema.units import UnitQuery


@strawberry.type
class NodeQuery:
    @strawberry.field(description="按全局 ID 取任意对象；不存在或无权访问时为空")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        try:
            global_id = relay.GlobalID.from_id(id)
            node_type = global_id.resolve_type(info)
        except ValueError as exc:  # strawberry's GlobalIDValueError included
            raise BadInput("ID 格式不正确") from exc
        if not global_id.node_id.isdigit():
            return None
        found = await node_type.resolve_nodes(info=info, node_ids=[global_id.node_id], required=False)
        return next(iter(found))


Query = merge_types(
    "Query",
    (
        NodeQuery,
        AccountQuery,
        CatalogQuery,
        UnitQuery,
        PermissionQuery,
        CommitteeQuery,
        RouteQuery,
        AuditQuery,
        CommitmentQuery,
        DeclarationQuery,
        ReviewQuery,
        ReportingQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutation,
        PermissionMutation,
        CommitteeMutation,
        RouteMutation,
        CommitmentMutation,
        DeclarationMutation,
        RecordMutation,
        MaterialMutation,
        ReviewMutation,
        ReportingMutation,
    ),
)


def _limit_rules(settings: Settings) -> list:
    """The depth and alias limits as validation rule classes, made once.

    QueryDepthLimiter and MaxAliasesLimiter build a new rule class per instance, and the
    validation cache is keyed by the rule classes, so a fresh limiter per request (the
    factory pattern) would make every request miss the cache and revalidate (measured:
    ~15 ms of a 60 ms review-queue page). The classes hold no state; instances do.
    """
    return [
        query_depth_limiter.create_validator(settings.max_query_depth, should_ignore=None),
        max_aliases.create_validator(settings.max_aliases),
    ]


def _build_schema(settings: Settings) -> strawberry.Schema:
    # Built once per process: strawberry attaches resolvers to relay fields while building,
    # so the same root types cannot be built into a second schema.
    limit_rules = _limit_rules(settings)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        # Record types are reached only through the Record interface.
        types=[Qualification, Education, WorkExperience, ContinuingEducation, Achievement],
        execution_context_class=PlainFieldExecutor,
        extensions=[
            # Factories, not instances: a shared instance races across concurrent requests.
            lambda: AddValidationRules(limit_rules),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=1024),
            lambda: ValidationCache(maxsize=1024),
            lambda: MaskErrors(should_mask_error=should_mask_error, error_message="服务器内部错误"),
        ],
    )


schema = _build_schema(Settings.from_env())
