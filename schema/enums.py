"""Expose Python enums of the domain as GraphQL enums with Chinese value descriptions."""

from __future__ import annotations

import enum

import strawberry


def gql_enum(py_enum: type[enum.Enum], descriptions: dict, *, name: str, description: str):
    """A GraphQL enum mirroring `py_enum` member for member.

    Values keep the domain enum's string values, so resolvers return domain members and
    GraphQL serialises them without any mapping table.
    """
    members = {
        m.name: strawberry.enum_value(m.value, description=descriptions.get(m, descriptions.get(m.value)))
        for m in py_enum
    }
    return strawberry.enum(enum.Enum(name, members), description=description)  # type: ignore[misc]
