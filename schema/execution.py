"""Execution of plain leaf fields without graphql-core's per-field machinery.

A review-queue page of 50 resolves about 1,500 fields, and most of them are plain leaves:
an attribute of an already built object (``year``, ``titleName``, ``state`` …), read by
strawberry's default resolver and coerced by its scalar or enum. graphql-core still runs
the whole field protocol for each one: a ResolveInfo object, the argument check, the
resolver wrapper, two awaitable checks and the NonNull/List/leaf dispatch of
``complete_value``. The profile of bench.run's page put that at about half of the server's
CPU per request.

``PlainLeafExecutor`` answers such a field directly: the attribute, then the type's own
output coercion, the same two calls the standard path ends in. Which fields qualify is
decided once per schema from strawberry's definitions (no resolver, no field extension,
no arguments, a scalar or enum type). Anything unusual — a null for a non-null field, a
value the scalar refuses, an exception — goes through the standard path, so errors are
raised, located and masked exactly as before. Relay's ``id`` fields (150 of them on that
page) take the same direct path when the node type keeps relay's own id rules.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import (
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


class PlainLeaf(NamedTuple):
    read: Callable[[Any], Any]  # the source object → the field's raw value
    coerce: Callable[[Any], Any]  # the scalar's or enum's coerce_output_value
    non_null: bool


PlainLeaves = dict[tuple[GraphQLObjectType, str], PlainLeaf]
_plans: weakref.WeakKeyDictionary[GraphQLSchema, PlainLeaves] = weakref.WeakKeyDictionary()


def _attribute_reader(definition: StrawberryField) -> Callable[[Any], Any]:
    resolve, name = definition.default_resolver, definition.python_name
    return lambda source: resolve(source, name)


def _relay_id_reader(definition: StrawberryField, type_name: str) -> Callable[[Any], Any] | None:
    """Relay's ``id`` field, when the node type keeps relay's own id and type-name rules:
    ``GlobalID(type name, str(the NodeID attribute))``, as ``relay.Node._id`` builds it."""
    resolver = definition.base_resolver
    bound = getattr(resolver.wrapped_func, "__func__", None) if resolver else None
    node_type = getattr(resolver.wrapped_func, "__self__", None) if resolver else None
    if bound is not relay.Node._id.__func__ or not isinstance(node_type, type) or definition.extensions:
        return None
    if (node_type.resolve_id.__func__ is not relay.Node.resolve_id.__func__
            or node_type.resolve_typename.__func__ is not relay.Node.resolve_typename.__func__):
        return None
    attribute = node_type.resolve_id_attr()

    def read(source: Any) -> relay.GlobalID:
        if not isinstance(source, node_type):
            raise TypeError("not a node of this type")  # the standard path decides
        return relay.GlobalID(type_name=type_name, node_id=str(getattr(source, attribute)))
    return read


def plain_leaves(schema: GraphQLSchema) -> PlainLeaves:
    """The fields of every object type that are an attribute read and a leaf coercion."""
    leaves: PlainLeaves = {}
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for name, field in graphql_type.fields.items():
            definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            non_null = isinstance(field.type, GraphQLNonNull)
            leaf_type = field.type.of_type if non_null else field.type
            if not isinstance(definition, StrawberryField) or field.args or not is_leaf_type(leaf_type):
                continue
            if definition.is_basic_field:
                read = _attribute_reader(definition)
            elif (read := _relay_id_reader(definition, graphql_type.name)) is None:
                continue
            leaves[(graphql_type, name)] = PlainLeaf(read, leaf_type.coerce_output_value, non_null)
    return leaves


class PlainLeafExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with a direct path for plain leaf fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leaves = _plans.get(self.schema)
        if leaves is None:
            leaves = _plans[self.schema] = plain_leaves(self.schema)
        self._plain_leaves = leaves

    def execute_field(self, parent_type, source, field_details_list, path, position_context):  # noqa: ANN001
        leaf = self._plain_leaves.get((parent_type, field_details_list[0].node.name.value))
        if leaf is not None:
            try:
                value = leaf.read(source)
                if value is None:
                    if not leaf.non_null:
                        return None
                else:
                    coerced = leaf.coerce(value)
                    if coerced is not None and coerced is not Undefined:
                        return coerced
            except Exception:  # noqa: BLE001 — the standard path raises and locates it
                pass
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
