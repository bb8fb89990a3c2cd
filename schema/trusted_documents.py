"""GraphQL surface of 可信文档 (trusted documents, persisted queries): the province admin
registers, lists and retires them; `check_document` is what makes a text registrable, for
the API and the command line alike."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from graphql import GraphQLError, GraphQLSchema, parse, validate

from models import TrustedDocument as TrustedDocumentModel
from resolvers import trusted_documents as steps
from resolvers.env import Env
from rules import trusted_documents as rules
from rules.errors import ErrorCode, RuleViolation
from schema.connection import After, Connection, First
from schema.context import Info
from schema.enums import gql_enum
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.mutation import Actor, MutationSpec

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    DocumentSource = rules.DocumentSource
else:
    DocumentSource = gql_enum(
        rules.DocumentSource,
        {"FILE": "命令行 zhicheng documents add 登记（前端构建产物）", "ADMIN": "管理机构通过接口登记（接口客户用）"},
        name="DocumentSource", description="可信文档的来源",
    )

DOCUMENT_ID_DESCRIPTION = "可信文档 ID：文档全文（UTF-8）的 SHA-256，64 位十六进制，可带 sha256: 前缀"


def check_document(graphql_schema: GraphQLSchema, text: str) -> None:
    """DOCUMENT_INVALID unless `text` is a document this API would execute: it parses and
    validates against the schema. Mutations may be trusted too (an anonymous frontend logs
    in); they run on the standard path."""
    if not text.strip() or len(text) > rules.MAX_DOCUMENT_CHARS:
        raise RuleViolation(ErrorCode.DOCUMENT_INVALID, f"文档为空或超过{rules.MAX_DOCUMENT_CHARS}个字符", "text")
    try:
        errors = validate(graphql_schema, parse(text))
    except GraphQLError as error:
        errors = [error]
    if errors:
        raise RuleViolation(ErrorCode.DOCUMENT_INVALID, f"文档无效：{errors[0].message[:300]}", "text")


@strawberry.type(description="可信文档（持久化查询）：事先登记的 GraphQL 文档，客户端按 ID 调用")
class TrustedDocument:
    document_id: str = strawberry.field(description=DOCUMENT_ID_DESCRIPTION)
    name: str | None = strawberry.field(description="名称（如前端的操作名或文件名）")
    text: str = strawberry.field(description="文档全文")
    source: DocumentSource = strawberry.field(description="来源")
    added_at: dt.datetime = strawberry.field(description="登记时间")
    retired_at: dt.datetime | None = strawberry.field(description="停用时间；在用的为空")

    @classmethod
    def of(cls, row: TrustedDocumentModel) -> "TrustedDocument":
        return cls(document_id=row.id, name=row.name, text=row.text, source=row.source, added_at=row.added_at,
                   retired_at=row.retired_at)


@strawberry.type(description="登记可信文档的结果")
class AddTrustedDocumentPayload:
    document: TrustedDocument | None = strawberry.field(default=None, description="登记的文档；有错误时为空")
    added: bool = strawberry.field(default=False, description="是否新登记；已登记过（或停用后恢复）为 false")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="停用可信文档的结果")
class RetireTrustedDocumentPayload:
    document: TrustedDocument | None = strawberry.field(default=None, description="停用后的文档；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


def _add_step(graphql_schema: GraphQLSchema):
    async def add(env: Env, *, text: str, name: str | None) -> steps.Registered:
        check_document(graphql_schema, text)
        return await steps.add_document(env, text=text, name=name, source=rules.DocumentSource.ADMIN)
    return add


def _retire_step(info: Info):
    async def retire(env: Env, *, document_id: str) -> TrustedDocumentModel:
        document = await steps.retire_document(env, document_id=document_id)
        info.context.services.documents.forget(document.id)  # this worker at once; others within the refresh
        return document
    return retire


_ADD = MutationSpec(AddTrustedDocumentPayload, actor=Actor.PROVINCE_ADMIN, audit="trusted_document.add")
_RETIRE = MutationSpec(RetireTrustedDocumentPayload, actor=Actor.PROVINCE_ADMIN, audit="trusted_document.retire")


@strawberry.type
class TrustedDocumentQuery:
    @strawberry.field(description="省级管理机构：可信文档列表，新登记的在前")
    async def trusted_documents(
        self, info: Info,
        include_retired: Annotated[bool, strawberry.argument(description="也列出已停用的")] = False,
        first: First = None, after: After = None,
    ) -> Connection[TrustedDocument]:
        async with info.context.read() as env:
            page = await steps.list_documents(env, include_retired=include_retired, first=first, after=after)
        return Connection.of(page, TrustedDocument.of)


@strawberry.type
class TrustedDocumentMutation:
    @strawberry.mutation(description="省级管理机构：登记可信文档（如为接口客户登记其查询）。文档须能通过本接口的校验；"
                                     "同一文本再次登记不重复，停用的恢复在用")
    async def add_trusted_document(
        self, info: Info,
        text: Annotated[str, strawberry.argument(description="GraphQL 文档全文；ID 为其 SHA-256")],
        name: Annotated[str | None, strawberry.argument(description="名称，便于辨认")] = None,
    ) -> AddTrustedDocumentPayload:
        return await _ADD.run(info, _add_step(info.schema._schema), lambda r: AddTrustedDocumentPayload(
            document=TrustedDocument.of(r.document), added=r.added), text=text, name=name)

    @strawberry.mutation(description="省级管理机构：停用可信文档：此后按其 ID 的请求答“文档不存在”"
                                     "（PersistedQueryNotFound），其余工作进程在数秒内生效")
    async def retire_trusted_document(
        self, info: Info,
        document_id: Annotated[str, strawberry.argument(description=DOCUMENT_ID_DESCRIPTION)],
    ) -> RetireTrustedDocumentPayload:
        return await _RETIRE.run(info, _retire_step(info),
                                 lambda d: RetireTrustedDocumentPayload(document=TrustedDocument.of(d)),
                                 document_id=document_id)


__all__ = ["TrustedDocumentMutation", "TrustedDocumentQuery", "check_document"]
