"""Global IDs in mutation arguments: decode them into row ids, or a typed INVALID_ID."""

from __future__ import annotations

from strawberry import relay

from rules.errors import ErrorCode, RuleViolation

_MAX_ID = 2**63 - 1


def decode_id(raw: str, expected_type: str, field: str) -> int:
    """The row id in a relay global ID (base64 "Type:id") of `expected_type`."""
    try:
        type_name, node_id = relay.from_base64(str(raw))
    except Exception:
        raise RuleViolation(ErrorCode.INVALID_ID, field=field) from None
    if type_name != expected_type or not (node_id.isascii() and node_id.isdigit()):
        raise RuleViolation(ErrorCode.INVALID_ID, field=field)
    value = int(node_id)
    if not 0 < value <= _MAX_ID:
        raise RuleViolation(ErrorCode.INVALID_ID, field=field)
    return value


def encode_id(type_name: str, value: int) -> str:
    return relay.to_base64(type_name, value)
