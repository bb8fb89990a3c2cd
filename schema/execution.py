"""Execution of plain fields without graphql-core's per-field machinery.

A review-queue page of 50 resolves about 1,500 fields, and almost all of them are plain:
an attribute of an already built object, read by strawberry's default resolver, then
either coerced by its scalar or enum (``year``, ``titleName``, ``state`` …) or completed
as an object (``applicant``, ``workUnit``, ``review`` …). graphql-core still runs the
whole field protocol for each one: a ResolveInfo object, the argument check, strawberry's
resolver wrapper, two awaitable checks and the NonNull/List/leaf/object dispatch of
``complete_value``. The profile of bench.run's page put that at about half of the
server's CPU per request.

``PlainFieldExecutor`` answers such fields directly while it executes their object's
selection set: a leaf is the attribute and the type's own output coercion, an object is
the attribute and its sub-selection — the same calls the standard path ends in. Which
fields qualify is decided once per schema from strawberry's definitions: no resolver, no
field extension, no arguments, and a scalar, an enum or a concrete object type without a
custom ``is_type_of``. Relay's ``id`` fields take the direct path too when the node type
keeps relay's own id rules. Anything unusual — a null for a non-null field, a value the
scalar refuses, an exception — goes through the standard path, so errors are raised,
located and masked exactly as before; every other field (resolvers, lists, interfaces)
is executed by graphql-core as it always was.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from operator import attrgetter
from typing import Any, NamedTuple

from graphql import (
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


class PlainLeaf(NamedTuple):
    read: Callable[[Any], Any]  # the source object → the field's raw value
    coerce: Callable[[Any], Any]  # the scalar's or enum's coerce_output_value
    non_null: bool


class PlainObject(NamedTuple):
    read: Callable[[Any], Any]
    object_type: GraphQLObjectType
    field_type: GraphQLOutputType  # as declared, NonNull included (for error handling)
    non_null: bool


PlainFields = dict[tuple[GraphQLObjectType, str], PlainLeaf | PlainObject]
_plans: weakref.WeakKeyDictionary[GraphQLSchema, PlainFields] = weakref.WeakKeyDictionary()


def _attribute_reader(definition: StrawberryField) -> Callable[[Any], Any]:
    resolve, name = definition.default_resolver, definition.python_name
    if resolve is getattr:  # strawberry's default: one C call
        return attrgetter(name)
    return lambda source: resolve(source, name)


def _inherits(node_type: type[relay.Node], name: str) -> bool:
    """Whether the node type keeps relay.Node's classmethod `name` (the same function
    underneath the bound method; looked up by name, as the types do not declare __func__)."""
    return getattr(node_type, name).__func__ is getattr(relay.Node, name).__func__


def _relay_id_reader(definition: StrawberryField, type_name: str) -> Callable[[Any], Any] | None:
    """Relay's ``id`` field, when the node type keeps relay's own id and type-name rules:
    ``GlobalID(type name, str(the NodeID attribute))``, as ``relay.Node._id`` builds it."""
    resolver = definition.base_resolver
    bound = getattr(resolver.wrapped_func, "__func__", None) if resolver else None
    node_type = getattr(resolver.wrapped_func, "__self__", None) if resolver else None
    if (bound is not relay.Node._id.__func__ or not isinstance(node_type, type)
            or not issubclass(node_type, relay.Node) or definition.extensions):
        return None
    if not (_inherits(node_type, "resolve_id") and _inherits(node_type, "resolve_typename")):
        return None
    attribute = node_type.resolve_id_attr()

    def read(source: Any) -> relay.GlobalID:
        if not isinstance(source, node_type):
            raise TypeError("not a node of this type")  # the standard path decides
        return relay.GlobalID(type_name=type_name, node_id=str(getattr(source, attribute)))
    return read


def _plain_object_type(graphql_type: Any) -> bool:
    """A concrete object type whose is_type_of (if any) is strawberry's own isinstance check,
    which does not read the resolve info this path does not build."""
    if not isinstance(graphql_type, GraphQLObjectType):
        return False
    definition = (graphql_type.extensions or {}).get(BACKREF)
    return isinstance(definition, StrawberryObjectDefinition) and definition.is_type_of is None


def plain_fields(schema: GraphQLSchema) -> PlainFields:
    """The fields of every object type that are an attribute read plus a leaf coercion or an
    object's sub-selection."""
    fields: PlainFields = {}
    for graphql_type in schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for name, field in graphql_type.fields.items():
            definition = (field.extensions or {}).get(BACKREF)
            if not isinstance(definition, StrawberryField) or field.args:
                continue
            non_null = isinstance(field.type, GraphQLNonNull)
            named = field.type.of_type if non_null else field.type
            if is_leaf_type(named):
                read = (_attribute_reader(definition) if definition.is_basic_field
                        else _relay_id_reader(definition, graphql_type.name))
                if read is None:
                    continue
                fields[(graphql_type, name)] = PlainLeaf(read, named.coerce_output_value, non_null)
            elif definition.is_basic_field and _plain_object_type(named):
                fields[(graphql_type, name)] = PlainObject(_attribute_reader(definition), named, field.type, non_null)
    return fields


_MISS = object()


def answer(leaf: PlainLeaf, source: Any) -> Any:
    """The leaf's response value, or _MISS when the standard path must decide (an error)."""
    try:
        value = leaf.read(source)
        if value is None:
            return _MISS if leaf.non_null else None
        coerced = leaf.coerce(value)
    except Exception:
        return _MISS
    return _MISS if coerced is None or coerced is Undefined else coerced


class Step(NamedTuple):
    """One field of a selection set: its response name, field nodes and plain plan (if any)."""
    name: str
    details: Any  # graphql-core's FieldDetailsList
    plain: PlainLeaf | PlainObject | None


class PlainFieldExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with a direct path for plain fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain = _plans.get(self.schema)
        if plain is None:
            plain = _plans[self.schema] = plain_fields(self.schema)
        self._plain = plain
        # A selection set's steps, once per execution. graphql-core caches grouped field sets
        # per execution too, so their ids are stable; the set itself is kept to make sure.
        self._steps: dict[int, tuple[dict, list[Step], bool]] = {}

    def _steps_of(self, parent_type: GraphQLObjectType, fields: dict) -> tuple[list[Step], bool]:
        cached = self._steps.get(id(fields))
        if cached is None or cached[0] is not fields:
            steps = [Step(name, details, self._plain.get((parent_type, details[0].node.name.value)))
                     for name, details in fields.items()]
            cached = self._steps[id(fields)] = (fields, steps, any(s.plain is not None for s in steps))
        return cached[1], cached[2]

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None,
                       grouped_field_set: GroupedFieldSet, position_context: Any) -> AwaitableOrValue[dict[str, Any]]:
        steps, any_plain = self._steps_of(parent_type, grouped_field_set)
        if not any_plain:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        leaves: dict[str, Any] = {}
        for step in steps:
            if isinstance(step.plain, PlainLeaf):
                value = answer(step.plain, source_value)
                if value is _MISS:  # something unusual in this object: all of it the standard way
                    return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                                  position_context)
                leaves[step.name] = value

        # As graphql-core's execute_fields, with plain objects completed directly.
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for step in steps:
                if step.name in leaves:
                    results[step.name] = leaves[step.name]
                    continue
                field_path = Path(path, step.name, parent_type.name)
                if isinstance(step.plain, PlainObject):
                    result = self._complete_plain_object(step.plain, step.details, parent_type, source_value,
                                                         field_path, position_context)
                else:  # no plan (every PlainLeaf was answered above)
                    result = self.execute_field(parent_type, source_value, step.details, field_path, position_context)
                    if result is Undefined:
                        continue
                results[step.name] = result
                if is_awaitable(result):
                    awaitable_fields.append(step.name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
            return results
        return get_results()

    def _complete_plain_object(self, plain: PlainObject, details: Any, parent_type: GraphQLObjectType, source: Any,
                               path: Path, position_context: Any) -> Any:
        try:
            value = plain.read(source)
        except Exception:
            value = _MISS
        is_type_of = plain.object_type.is_type_of
        # `None` for the info: _plain_object_type admits only strawberry's own is_type_of, an
        # isinstance check that does not read the info graphql-core's signature asks for.
        if value is _MISS or (value is None and plain.non_null) or (
                value is not None and is_type_of is not None
                and not is_type_of(value, None)):  # type: ignore[arg-type]
            # The standard path reads it again and raises the error graphql-core would.
            return self.execute_field(parent_type, source, details, path, position_context)
        if value is None:
            return None
        try:
            sub_fields, defer_usages, _ = self.collect_subfields(plain.object_type, details)
            completed = self.execute_collected_subfields(plain.object_type, value, path, sub_fields, defer_usages,
                                                         position_context)
        except Exception as raw_error:
            self.handle_field_error(raw_error, plain.field_type, details, path)  # raises when non-null
            return None
        if self.is_awaitable(completed):
            return self._await_object(completed, plain.field_type, details, path)
        return completed

    async def _await_object(self, completed: Awaitable[Any], field_type: GraphQLOutputType, details: Any,
                            path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, path)
            return None
