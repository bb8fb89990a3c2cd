"""可信文档的登记、列出与停用 (issue 16): the registry behind persisted queries.

A document is registered under the SHA-256 of its text, by the command line (a frontend's
build output) or by the provincial title office (for an API client). Registering the same
text again changes nothing, or restores it if it was retired. Whether a text is a valid
document of this API is the caller's check (schema/ knows GraphQL; this module does not).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Forbidden
from models import TrustedDocument
from resolvers.env import Env
from resolvers.paging import Page, SortKey, keyset_page
from rules.errors import ErrorCode, RuleViolation
from rules.regions import PROVINCE_CODE
from rules.trusted_documents import MAX_NAME_CHARS, DocumentSource, document_id, parse_document_id


@dataclass
class Registered:
    document: TrustedDocument
    added: bool  # False: it was already registered (and is now active)


def _clean_name(name: str | None) -> str | None:
    name = (name or "").strip()
    if len(name) > MAX_NAME_CHARS:
        raise RuleViolation(ErrorCode.INVALID_INPUT, f"名称最多{MAX_NAME_CHARS}个字符", "name")
    return name or None


async def add_document(env: Env, *, text: str, name: str | None, source: DocumentSource) -> Registered:
    """Register `text` (idempotent). One statement decides between racing adds of one text:
    the insert that wins adds it, the others find it."""
    doc_id, name = document_id(text), _clean_name(name)
    viewer = env.viewer
    inserted = await env.session.scalar(
        insert(TrustedDocument)
        .values(id=doc_id, text=text, name=name, source=source, added_at=env.clock.now(),
                added_by=viewer.account.id if viewer else None)
        .on_conflict_do_nothing(index_elements=[TrustedDocument.id])
        .returning(TrustedDocument.id))
    if inserted is None:  # known already: a retired one comes back
        await env.session.execute(update(TrustedDocument).where(TrustedDocument.id == doc_id)
                                  .values(retired_at=None))
    document = await env.session.scalar(select(TrustedDocument).where(TrustedDocument.id == doc_id)
                                        .execution_options(populate_existing=True))
    assert document is not None
    env.note_audit("TrustedDocument", None, reason=f"{doc_id} {name or ''}".strip())
    return Registered(document, added=inserted is not None)


def _require_id(raw: str) -> str:
    doc_id = parse_document_id(raw)
    if doc_id is None:
        raise RuleViolation(ErrorCode.INVALID_ID, "文档 ID 应为 64 位十六进制的 SHA-256（可带 sha256: 前缀）",
                            "documentId")
    return doc_id


async def retire_document(env: Env, *, document_id: str) -> TrustedDocument:
    """停用: requests naming it are answered as for an unknown document from then on."""
    doc_id = _require_id(document_id)
    env.note_audit("TrustedDocument", None, reason=doc_id)
    document = await env.session.scalar(select(TrustedDocument).where(TrustedDocument.id == doc_id)
                                        .with_for_update().execution_options(populate_existing=True))
    if document is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "没有这个可信文档", "documentId")
    if document.retired_at is not None:
        raise RuleViolation(ErrorCode.DOCUMENT_RETIRED, "该可信文档已停用", "documentId")
    document.retired_at = env.clock.now()
    await env.session.flush()
    return document


async def list_documents(env: Env, *, include_retired: bool, first: int | None, after: str | None) -> Page:
    """The registry, newest first: the provincial title office only (it registers them)."""
    if env.require_admin().region_code != PROVINCE_CODE:
        raise Forbidden("可信文档只由省级职称管理机构管理")
    stmt = select(TrustedDocument)
    if not include_retired:
        stmt = stmt.where(TrustedDocument.retired_at.is_(None))
    keys = [SortKey(TrustedDocument.added_at, descending=True), SortKey(TrustedDocument.id, descending=True)]
    return await keyset_page(env.session, stmt, keys, first=first, after=after, cap=env.settings.max_page_size)


async def active_document(env: Env, doc_id: str) -> TrustedDocument | None:
    """The registered, not retired document of this id (the request path)."""
    return await env.session.scalar(select(TrustedDocument).where(TrustedDocument.id == doc_id,
                                                                  TrustedDocument.retired_at.is_(None)))


async def all_documents(session: AsyncSession, *, include_retired: bool) -> list[TrustedDocument]:
    """Every registered document, oldest first (the command line's list)."""
    stmt = select(TrustedDocument).order_by(TrustedDocument.added_at, TrustedDocument.id)
    if not include_retired:
        stmt = stmt.where(TrustedDocument.retired_at.is_(None))
    return list((await session.scalars(stmt)).all())
