"""Trusted documents (可信文档, persisted queries): their ids and who must use them.

A document's id is the SHA-256 of its exact text, as lowercase hex (Apollo's
`persistedQuery.sha256Hash`); GraphQL-over-HTTP's `documentId` may carry the same hex with
a `sha256:` prefix. Which callers may send only trusted documents is a policy over caller
classes: staff (units and title-office admins, who work in GraphiQL) keep arbitrary
documents under every policy.
"""

from __future__ import annotations

import enum
import hashlib
import re

_HEX_ID = re.compile(r"[0-9a-f]{64}")
#: A document of more than this is not a frontend's query (the JSON body cap is 1 MiB).
MAX_DOCUMENT_CHARS = 100_000
MAX_NAME_CHARS = 200


class CallerClass(enum.Enum):
    """Who is asking, for the policy."""

    ANONYMOUS = "anonymous"  # 未登录
    PERSON = "person"  # 个人（申报人）：前端应用
    STAFF = "staff"  # 单位、职称管理机构：在 GraphiQL 中工作的工作人员
    CLIENT = "client"  # 接口客户端（省人社系统等）


class Policy(str, enum.Enum):
    """ZHICHENG_TRUSTED_DOCUMENTS_ONLY: the callers restricted to trusted documents."""

    NONE = "NONE"
    ANONYMOUS = "ANONYMOUS"
    ANONYMOUS_AND_CLIENTS = "ANONYMOUS_AND_CLIENTS"
    ALL_BUT_STAFF = "ALL_BUT_STAFF"


_RESTRICTED: dict[Policy, frozenset[CallerClass]] = {
    Policy.NONE: frozenset(),
    Policy.ANONYMOUS: frozenset({CallerClass.ANONYMOUS}),
    Policy.ANONYMOUS_AND_CLIENTS: frozenset({CallerClass.ANONYMOUS, CallerClass.CLIENT}),
    Policy.ALL_BUT_STAFF: frozenset({CallerClass.ANONYMOUS, CallerClass.PERSON, CallerClass.CLIENT}),
}


def trusted_only(policy: Policy, caller: CallerClass) -> bool:
    """Whether `caller` may send only trusted documents under `policy`."""
    return caller in _RESTRICTED[policy]


class DocumentSource(str, enum.Enum):
    """Where a trusted document came from."""

    FILE = "FILE"  # `zhicheng documents add`（前端构建产物）
    ADMIN = "ADMIN"  # addTrustedDocument（管理机构为接口客户登记）


def document_id(text: str) -> str:
    """The id of a document: SHA-256 of its UTF-8 text, lowercase hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_document_id(raw: object) -> str | None:
    """The hex id in a `documentId` (`sha256:<hex>` or bare hex) or a `sha256Hash`; None when
    it is not one (another hash algorithm, a typo, not a string)."""
    if not isinstance(raw, str):
        return None
    value = raw.removeprefix("sha256:").lower() if len(raw) <= 71 else ""
    return value if _HEX_ID.fullmatch(value) else None
