"""Expose Python enums of the domain as GraphQL enums with Chinese value descriptions.

A GraphQL enum is built at runtime by `gql_enum`, which a type checker cannot use as an
annotation, so each module declares it in two branches:

    if TYPE_CHECKING:
        PathStatus = DomainPathStatus
    else:
        PathStatus = gql_enum(DomainPathStatus, {...}, name="PathStatus", description="...")

Type checkers see the domain enum. That is what the Python side handles: object fields are
filled with domain members (GraphQL serialises them by value) and argument defaults are
domain members. One thing it does not show: an argument or input field arrives as a member of
the GraphQL enum, which has the domain member's name and value but is not an instance of the
domain enum (nor a `str`) — convert it with `DomainEnum(x.value)` before handing it on.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import strawberry


def gql_enum(
    py_enum: type[enum.Enum], descriptions: Mapping[Any, str], *, name: str, description: str
) -> type[enum.Enum]:
    """A GraphQL enum mirroring `py_enum` member for member.

    Values keep the domain enum's string values, so resolvers return domain members and
    GraphQL serialises them without any mapping table. `descriptions` is keyed by domain
    member or by value.
    """
    members = {
        m.name: strawberry.enum_value(m.value, description=descriptions.get(m, descriptions.get(m.value)))
        for m in py_enum
    }
    # mypy types the functional API `Enum(name, members)`, outside an assignment it can analyse
    # (literal name), as a call of the class — an Enum member — not as the new class it returns.
    return strawberry.enum(enum.Enum(name, members), description=description)  # type: ignore[call-overload]
