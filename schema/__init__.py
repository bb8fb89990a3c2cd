"""The GraphQL schema: the root types merged from each area, with the API's limits."""

from __future__ import annotations

import functools
import inspect
from typing import Annotated

import strawberry
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, assert_interface_type
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
    max_aliases,
    query_depth_limiter,
)
from strawberry.tools import merge_types

from core.config import Settings
from core.errors import BadInput
from schema.accounts import AccountMutation, AccountQuery, Admin, CommitteeOffice, Person, Unit
from schema.admin import AdminMutation, AdminQuery
from schema.api_clients import ApiClient, ApiClientMutation, ApiClientQuery
from schema.audit import AuditQuery
from schema.catalog import CatalogMutation, CatalogQuery
from schema.commitment import CommitmentMutation, CommitmentQuery
from schema.committee_offices import CommitteeOfficeMutation
from schema.committees import Committee, CommitteeMutation, CommitteeQuery
from schema.context import Info
from schema.corrections import CorrectionMutation, CorrectionQuery, IntegrityRecord
from schema.cost import CostLimit
from schema.declaration_list import DeclarationListQuery
from schema.declarations import Declaration, DeclarationMutation, DeclarationQuery
from schema.events import Event, EventQuery
from schema.execution import PlainFieldExecutor
from schema.experts import Expert, ExpertMutation, ExpertQuery
from schema.exports import Export, ExportMutation, ExportQuery
from schema.extensions import ApiMaskErrors, ApiSchema, RecordOperation, should_mask_error
from schema.ids import parse_global_id
from schema.limits import DocumentLimits, RefuseUnstorableText
from schema.materials import MaterialMutation
from schema.permission import PermissionApplication, PermissionMutation, PermissionQuery
from schema.publicity import PublicityMutation, PublicityObjection, PublicityQuery
from schema.records import (
    RECORD_ID_TYPE,
    Achievement,
    ContinuingEducation,
    DeclarationRecord,
    Education,
    Material,
    Qualification,
    RecordMutation,
    WorkExperience,
)
from schema.reporting import ReportingMutation, ReportingQuery
from schema.results import ResultObjection, ResultsMutation, ResultsPublicityEntry, ResultsQuery
from schema.review import QueueItem, ReviewMutation, ReviewQuery
from schema.review_sessions import (
    PanelMember,
    ReviewSession,
    ReviewSessionMutation,
    ReviewSessionQuery,
    SessionCandidate,
)
from schema.routes import ReportingPath, RouteMutation, RouteQuery
from schema.trusted_documents import TrustedDocumentMutation, TrustedDocumentQuery
from schema.units import UnitQuery
from schema.webhooks import Webhook, WebhookDelivery, WebhookMutation, WebhookQuery

#: Every node type by the type name inside its global ids.
NODE_TYPES: dict[str, type[relay.Node]] = {
    cls.__name__: cls
    for cls in (Person, Unit, PermissionApplication, Committee, ReportingPath, Declaration, Material, QueueItem,
                IntegrityRecord, PublicityObjection, Admin, CommitteeOffice, Expert, ReviewSession, SessionCandidate,
                PanelMember, ResultsPublicityEntry, ResultObjection, ApiClient, Event, Webhook, WebhookDelivery,
                Export)
} | {RECORD_ID_TYPE: DeclarationRecord}
MAX_NODES = 100


async def resolve_global_ids(info: Info, raw_ids: list[strawberry.ID], argument: str) -> list[relay.Node | None]:
    """Nodes for global ids, in order, each through its type's visibility rule (one batch per
    type). A malformed id or an unknown type is BAD_USER_INPUT; an id the caller may not see,
    or of nothing, is None."""
    decoded = [parse_global_id(raw, argument) for raw in raw_ids]
    types: dict[str, list[str]] = {}
    for type_name, _ in decoded:
        if type_name not in NODE_TYPES:
            raise BadInput(f"参数 {argument} 中的全局 ID 类型 {type_name} 不存在")
        types.setdefault(type_name, [])
    for type_name, row_id in decoded:
        types[type_name].append(str(row_id))
    found: dict[tuple[str, str], relay.Node | None] = {}
    for type_name, node_ids in types.items():
        unique = list(dict.fromkeys(node_ids))
        # relay.Node.resolve_nodes may return the nodes or an awaitable of them (ours are async).
        resolved = NODE_TYPES[type_name].resolve_nodes(info=info, node_ids=unique, required=False)
        nodes = await resolved if inspect.isawaitable(resolved) else resolved
        found.update(zip(((type_name, i) for i in unique), nodes, strict=True))
    return [found[(type_name, str(row_id))] for type_name, row_id in decoded]


@strawberry.type
class NodeQuery:
    @strawberry.field(description="按全局 ID 取任意对象；不存在或无权访问时为空，ID 格式不正确时报 BAD_USER_INPUT")
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="对象的全局 ID")],
    ) -> relay.Node | None:
        return (await resolve_global_ids(info, [id], "id"))[0]

    @strawberry.field(description=f"按全局 ID 批量取对象（最多 {MAX_NODES} 个），顺序与 ids 相同；"
                                  "不存在或无权访问的为空")
    async def nodes(
        self, info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description=f"全局 ID，最多 {MAX_NODES} 个")],
    ) -> list[relay.Node | None]:
        if len(ids) > MAX_NODES:
            raise BadInput(f"一次最多查询 {MAX_NODES} 个 ID")
        return await resolve_global_ids(info, ids, "ids")


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
        CorrectionQuery,
        PublicityQuery,
        ResultsQuery,
        AdminQuery,
        TrustedDocumentQuery,
        ExpertQuery,
        ReviewSessionQuery,
        ApiClientQuery,
        DeclarationListQuery,
        EventQuery,
        WebhookQuery,
        ExportQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutation,
        PermissionMutation,
        CommitteeMutation,
        CommitteeOfficeMutation,
        RouteMutation,
        CommitmentMutation,
        DeclarationMutation,
        RecordMutation,
        MaterialMutation,
        ReviewMutation,
        ReportingMutation,
        CorrectionMutation,
        PublicityMutation,
        ResultsMutation,
        AdminMutation,
        CatalogMutation,
        TrustedDocumentMutation,
        ExpertMutation,
        ReviewSessionMutation,
        ApiClientMutation,
        WebhookMutation,
        ExportMutation,
    ),
)


#: What strawberry and relay define with English descriptions, or merge_types with none.
#: The API's readers read Chinese; these are set on the built schema, which both the SDL
#: and introspection read.
_BUILT_IN_DESCRIPTIONS = {
    "Query": "查询：只读，不修改任何数据",
    "Mutation": "变更：每个操作是一个业务步骤，在一个事务中完成；预期内的错误在返回值的 errors 中",
    "Node": "有全局 ID 的对象，可用 node(id:) 或 nodes(ids:) 重新取得",
    "Date": "日期，ISO 8601 格式（如 2024-05-01）",
    "DateTime": "带时区的日期时间，ISO 8601 格式（如 2024-05-01T08:30:00+08:00）",
    "JSON": "任意 JSON 值（ECMA-404）",
    "Upload": "上传的文件：按 GraphQL multipart 请求规范放在请求的一个部分中，变量处填 null",
}
_NODE_ID_DESCRIPTION = "全局 ID（不透明字符串，可用于 node(id:)）"


def _describe_built_ins(graphql_schema: GraphQLSchema) -> None:
    for name, description in _BUILT_IN_DESCRIPTIONS.items():
        graphql_schema.type_map[name].description = description
    node = assert_interface_type(graphql_schema.type_map["Node"])
    node_types: list[GraphQLInterfaceType | GraphQLObjectType] = [node, *graphql_schema.get_possible_types(node)]
    for node_type in node_types:
        node_type.fields["id"].description = _NODE_ID_DESCRIPTION
    for graphql_type in graphql_schema.type_map.values():  # interfaces that are Nodes themselves
        if isinstance(graphql_type, GraphQLInterfaceType) and node in graphql_type.interfaces:
            graphql_type.fields["id"].description = _NODE_ID_DESCRIPTION


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
    built = ApiSchema(
        query=Query,
        mutation=Mutation,
        # Record types are reached only through the DeclarationRecord interface.
        types=[Qualification, Education, WorkExperience, ContinuingEducation, Achievement],
        execution_context_class=PlainFieldExecutor,
        extensions=[
            # Factories, not instances: a shared instance races across concurrent requests.
            lambda: AddValidationRules(limit_rules),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=1024),
            # Before ValidationCache, which validates in its own on_validate.
            functools.partial(DocumentLimits, max_selections=settings.max_selections,
                              max_field_overlaps=settings.max_field_overlaps),
            lambda: ValidationCache(maxsize=1024),
            RefuseUnstorableText,
            CostLimit,  # after validation: only a valid document is charged
            lambda: ApiMaskErrors(should_mask_error=should_mask_error, error_message="服务器内部错误"),
            RecordOperation,
        ],
    )
    _describe_built_ins(built._schema)
    return built


schema = _build_schema(Settings.from_env())
