"""Global IDs: relay's base64 "Type:id" around a row id.

Two lanes, one parser: a mutation argument that is not a well-formed id of the expected
type is a typed `INVALID_ID` in the payload (`decode_id`); a query argument is a
top-level `BAD_USER_INPUT` (`query_id`, `parse_global_id`), like a bad page size.
A well-formed id of a row that does not exist, or that the caller may not see, is
neither: the query answers null.
"""

from __future__ import annotations

import re

import strawberry
from strawberry import relay

from core.errors import BadInput
from rules.errors import ErrorCode, RuleViolation

_MAX_ID = 2**63 - 1  # PostgreSQL bigint
#: The only spelling of a row id we issue: ASCII digits, no sign, no leading zero, no
#: whitespace, at most 19 digits (bigint). Anything else — "²", "-1", "+1", " 1", "0001",
#: 5,000 digits (which int() refuses past 4,300) — is not an id.
_ROW_ID = re.compile(r"[1-9][0-9]{0,18}")
#: A GraphQL type name (and short): a forged one is echoed in the error message.
_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _split(raw: object) -> tuple[str, int] | None:
    """(type name, row id) of a well-formed global id, else None."""
    try:
        type_name, node_id = relay.from_base64(str(raw))
    except Exception:
        return None
    if not (_TYPE_NAME.fullmatch(type_name) and _ROW_ID.fullmatch(node_id)):
        return None
    value = int(node_id)
    return (type_name, value) if value <= _MAX_ID else None


def decode_id(raw: str, expected_type: str, field: str) -> int:
    """Mutations: the row id in a relay global ID of `expected_type`, or INVALID_ID."""
    found = _split(raw)
    if found is None or found[0] != expected_type:
        raise RuleViolation(ErrorCode.INVALID_ID, field=field)
    return found[1]


def parse_global_id(raw: object, argument: str) -> tuple[str, int]:
    """Queries: (type name, row id) of a well-formed global id of any type, or BAD_USER_INPUT."""
    found = _split(raw)
    if found is None:
        raise BadInput(f"参数 {argument} 不是有效的全局 ID")
    return found


def query_id(raw: object, expected_type: str, argument: str) -> int:
    """Queries: the row id in a global id of `expected_type`, or BAD_USER_INPUT."""
    type_name, value = parse_global_id(raw, argument)
    if type_name != expected_type:
        raise BadInput(f"参数 {argument} 应为 {expected_type} 的全局 ID")
    return value


def encode_id(type_name: str, value: int) -> strawberry.ID:
    return strawberry.ID(relay.to_base64(type_name, value))
