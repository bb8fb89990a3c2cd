"""Execution of plain leaf fields without graphql-core's per-field machinery.

A review-queue page of 50 resolves about 1,500 fields, and most of them are plain leaves:
an attribute of an already built object (``year``, ``titleName``, ``state`` …), read by
strawberry's default resolver and coerced by its scalar or enum. graphql-core still runs
the whole field protocol for each one: a ResolveInfo object, the argument check, the
resolver wrapper, two awaitable checks and the NonNull/List/leaf dispatch of
``complete_value``. The profile of bench.run's page put that at about half of the server's
CPU per request.

``PlainLeafExecutor`` answers such fields directly while it executes their object's
selection set: the attribute, then the type's own output coercion, the same two calls the
standard path ends in; the object's other fields go through graphql-core as before, and
the response keeps the query's field order. Which fields qualify is
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


_MISS = object()


def answer(leaf: PlainLeaf, source: Any) -> Any:
    """The field's response value, or _MISS when the standard path must decide (an error)."""
    try:
        value = leaf.read(source)
        if value is None:
            return _MISS if leaf.non_null else None
        coerced = leaf.coerce(value)
    except Exception:  # noqa: BLE001 — the standard path raises and locates it
        return _MISS
    return _MISS if coerced is None or coerced is Undefined else coerced


class Split(NamedTuple):
    """A selection set, once per execution: its plain leaves and the rest."""
    fields: dict  # the grouped field set itself (kept alive: it is cached by its id)
    leaves: list[tuple[str, PlainLeaf]]
    rest: dict


class PlainLeafExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with a direct path for plain leaf fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        leaves = _plans.get(self.schema)
        if leaves is None:
            leaves = _plans[self.schema] = plain_leaves(self.schema)
        self._plain_leaves = leaves
        self._splits: dict[int, Split] = {}

    def _split(self, parent_type: GraphQLObjectType, fields: dict) -> Split:
        split = self._splits.get(id(fields))
        if split is None or split.fields is not fields:
            leaves, rest = [], {}
            for response_name, details in fields.items():
                leaf = self._plain_leaves.get((parent_type, details[0].node.name.value))
                if leaf is None:
                    rest[response_name] = details
                else:
                    leaves.append((response_name, leaf))
            split = self._splits[id(fields)] = Split(fields, leaves, rest)
        return split

    def execute_fields(self, parent_type, source_value, path, grouped_field_set, position_context):  # noqa: ANN001
        split = self._split(parent_type, grouped_field_set)
        answered = {}
        for response_name, leaf in split.leaves:
            value = answer(leaf, source_value)
            if value is _MISS:  # an error somewhere in this object: all of it the standard way
                return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
            answered[response_name] = value
        if not split.rest:
            return answered
        others = super().execute_fields(parent_type, source_value, path, split.rest, position_context)
        if self.is_awaitable(others):
            async def merge_later() -> dict[str, Any]:
                return self._in_query_order(grouped_field_set, answered, await others)
            return merge_later()
        return self._in_query_order(grouped_field_set, answered, others)

    @staticmethod
    def _in_query_order(fields: dict, answered: dict, others: dict) -> dict[str, Any]:
        """The response keeps the query's field order (clients and snapshot tests see it)."""
        if not answered:
            return others
        return {name: answered[name] if name in answered else others[name]
                for name in fields if name in answered or name in others}
