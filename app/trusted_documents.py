"""Requests that name a trusted document (可信文档) instead of, or beside, its text.

Two protocols, one registry (resolvers/trusted_documents.py):

- GraphQL over HTTP's `documentId` (GET query parameter or POST body member), the hex
  SHA-256 of the text, optionally as `sha256:<hex>`. Unknown or retired: 404.
- Apollo's `extensions.persistedQuery` `{version: 1, sha256Hash}`. Unknown or retired:
  Apollo's own answer, 200 `{"errors":[{"message":"PersistedQueryNotFound","extensions":
  {"code":"PERSISTED_QUERY_NOT_FOUND"}}]}`, on which Apollo clients retry with the text.
  Text and hash together: the hash must be the text's (400 otherwise); the text is then
  executed like any text, and is not registered: only the command line and the province
  admin add documents, or the registry would trust whatever anyone sent once.

Under ZHICHENG_TRUSTED_DOCUMENTS_ONLY a restricted caller (rules.trusted_documents) gets a
403 `TRUSTED_DOCUMENT_REQUIRED` for any text that is not registered, decided from its hash
before it is parsed. Found documents are kept per worker for
ZHICHENG_TRUSTED_DOCUMENTS_REFRESH_SECONDS (a retirement elsewhere is seen within it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from strawberry.http import GraphQLRequestData

from core.clock import china_today
from core.document_cache import CachedDocument as Entry
from core.http import json_error
from core.request_context import current_request
from core.services import AppServices
from resolvers import trusted_documents as registry
from rules import trusted_documents as rules
from schema import schema
from schema.compiler import CompiledDocument, NotCompilable, plan
from schema.context import Context
from schema.cost import query_cost

_COMPILED = "compiled"
NOT_FOUND_MESSAGE = "PersistedQueryNotFound"
NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
REQUIRED_CODE = "TRUSTED_DOCUMENT_REQUIRED"
#: Apollo Server's headers on its not-found answer: no cache may keep it, or the client's
#: retry with the text would get it again.
_NO_CACHE = {"Cache-Control": "private, no-cache, must-revalidate"}


class DocumentRefused(Exception):
    """The request names no document this caller may run; `response` says why."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass
class CompiledAnswer:
    """A request answered by its compiled statement: the response body, as PostgreSQL built
    it. Shaped like an ExecutionResult where strawberry's view looks (no errors)."""

    body: bytes
    errors: None = None


class TrustedDocuments:
    """The worker's view of the registry, and the request-side protocol."""

    def __init__(self, services: AppServices) -> None:
        self.policy = rules.Policy(services.settings.trusted_documents_only)
        self.cache = services.documents

    async def lookup(self, context: Context, doc_id: str) -> Entry | None:
        entry = self.cache.fresh(doc_id)
        if entry is not None:
            return entry
        async with context.read() as env:
            found = await registry.active_document(env, doc_id)
        if found is None:
            self.cache.forget(doc_id)
            return None
        return self.cache.keep(doc_id, found.text)

    async def answer(self, context: Context, entry: Entry, data: GraphQLRequestData) -> CompiledAnswer | None:
        """The compiled answer to a request of a trusted document, or None when the standard
        path must answer it (schema/compiler.py says which)."""
        if context.viewer is None:
            # Anonymous callers and API clients spend a rate budget (schema/cost.py), which
            # only the standard path charges; logged-in people have none.
            return None
        compiled = entry.derived.get(_COMPILED)
        if compiled is None:
            compiled = entry.derived[_COMPILED] = CompiledDocument.of(entry.text)
        try:
            prepared = plan(schema._schema, compiled, data.operation_name, data.variables, viewer=context.viewer,
                            today=china_today(context.services.clock),
                            max_page_size=context.services.settings.max_page_size)
        except NotCompilable:
            return None
        async with context.single_statement() as connection:
            text = (await connection.exec_driver_sql(prepared.sql, prepared.parameters)).scalar_one()
        record = current_request()
        if record is not None:
            record.operation = data.operation_name
        # The same `extensions.cost` the standard path reports to a caller without a budget.
        cost = query_cost(compiled.document, data.operation_name, data.variables or {},
                          cap=context.services.settings.max_page_size)
        return CompiledAnswer(b'{"data":' + text.encode() + b',"extensions":{"cost":{"requested":'
                              + str(cost).encode() + b"}}}")

    def caller_class(self, context: Context) -> rules.CallerClass:
        if context.client is not None:
            return rules.CallerClass.CLIENT
        viewer = context.viewer
        if viewer is None:
            return rules.CallerClass.ANONYMOUS
        if viewer.person is not None:
            return rules.CallerClass.PERSON
        return rules.CallerClass.STAFF

    async def resolve(self, context: Context, data: GraphQLRequestData,
                      raw: dict[str, Any] | None) -> Entry | None:
        """Fill `data.query` from the registry when the request names a document; refuse
        what the caller may not run. `raw` is the request's parameters, read only when
        `data` has no text (where a `documentId` can be). The entry, when trusted."""
        persisted = (data.extensions or {}).get("persistedQuery")
        if persisted is not None:
            return await self._apollo(context, data, persisted)
        raw_id = (raw or {}).get("documentId") if data.query is None else None
        if raw_id is not None:
            entry = await self._by_id(context, raw_id, status=404)
            data.query = entry.text
            return entry
        if data.query is not None and rules.trusted_only(self.policy, self.caller_class(context)):
            entry = await self.lookup(context, rules.document_id(data.query))
            if entry is None:
                raise DocumentRefused(json_error(403, REQUIRED_CODE, "此调用方只能使用已登记的可信文档"
                                                 "（documentId 或 persistedQuery），不能发送任意查询"))
            return entry
        return None

    async def _apollo(self, context: Context, data: GraphQLRequestData, persisted: object) -> Entry | None:
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise DocumentRefused(json_error(400, "PERSISTED_QUERY_VERSION", "persistedQuery 只支持 version 1"))
        if data.query is None:
            entry = await self._by_id(context, persisted.get("sha256Hash"), status=200)
            data.query = entry.text
            return entry
        doc_id = rules.parse_document_id(persisted.get("sha256Hash"))
        if doc_id is None or doc_id != rules.document_id(data.query):
            raise DocumentRefused(json_error(400, "BAD_REQUEST", "provided sha does not match query"))
        entry = await self.lookup(context, doc_id)
        if entry is None and rules.trusted_only(self.policy, self.caller_class(context)):
            raise DocumentRefused(json_error(403, REQUIRED_CODE, "此调用方只能使用已登记的可信文档"))
        return entry

    async def _by_id(self, context: Context, raw_id: object, *, status: int) -> Entry:
        doc_id = rules.parse_document_id(raw_id)
        entry = await self.lookup(context, doc_id) if doc_id is not None else None
        if entry is None:
            raise DocumentRefused(json_error(status, NOT_FOUND_CODE, NOT_FOUND_MESSAGE, _NO_CACHE))
        return entry
