"""Global IDs in mutation arguments: relay's base64 "Type:id", decoded into a typed error."""

from __future__ import annotations

from strawberry.relay import GlobalID

from core.errors import DomainError, ErrorCode


def decode_id(raw: str, expected_type: str, field: str) -> int:
    """The database id inside a global ID of `expected_type`; INVALID_ID otherwise."""
    try:
        gid = GlobalID.from_id(str(raw))
        if gid.type_name != expected_type:
            raise ValueError("wrong type")
        value = int(gid.node_id)
        if value <= 0 or value >= 2**63:
            raise ValueError("out of range")
        return value
    except Exception as exc:  # noqa: BLE001 - any malformed ID is the same client error
        raise DomainError(ErrorCode.INVALID_ID, field=field) from exc


def encode_id(type_name: str, value: int) -> str:
    return str(GlobalID(type_name, str(value)))
