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
the attribute and its sub-selection, a list of objects is the attribute and each item's
sub-selection — the same calls the standard path ends in. Which fields qualify is decided
once per schema from strawberry's definitions: no resolver, no field extension, no
arguments, and a scalar, an enum, a concrete object type without a custom ``is_type_of``
or a list of such objects. Relay's ``id`` fields take the direct path too when the node
type keeps relay's own id rules, and so does a resolver field that declares the attribute
a list page prefetched it into (``PREFETCHED`` in its metadata), while that attribute is
set. Anything unusual — a null for a non-null field, a value the scalar refuses, an object
of another type, an exception — goes through the standard path, so errors are raised,
located and masked exactly as before; every other field (resolvers, interfaces) is
executed by graphql-core as it always was.

Measured with callgrind (`python3 -m bench.instructions`, scale 0.1): with the page's rows
read as records (resolvers/rows.py), the direct path for lists and the leaf loop below took
a review-queue page of 50 from 80.7 to 54.2 M instructions per request (README, Performance).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Awaitable, Callable
from operator import attrgetter
from typing import Any, NamedTuple

from graphql import (
    GraphQLList,
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
from strawberry.relay.utils import to_base64
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import get_strawberry_type_cast
from strawberry.types.field import StrawberryField

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF

#: A resolver field's metadata key naming the attribute a list page prefetched its value
#: into: `strawberry.field(metadata={PREFETCHED: "qualification_list"})`. While the source's
#: attribute is not None the field is that attribute (a list of objects), read directly;
#: when it is None the resolver runs as usual.
PREFETCHED = "zhicheng.prefetched"


class PlainLeaf(NamedTuple):
    read: Callable[[Any], Any]  # the source object → the field's raw value
    coerce: Callable[[Any], Any]  # the scalar's or enum's coerce_output_value
    non_null: bool


class PlainObject(NamedTuple):
    read: Callable[[Any], Any]
    object_type: GraphQLObjectType
    field_type: GraphQLOutputType  # as declared, NonNull included (for error handling)
    non_null: bool


class PlainList(NamedTuple):
    read: Callable[[Any], Any]
    item_type: GraphQLObjectType
    field_type: GraphQLOutputType  # the list as declared
    item_field_type: GraphQLOutputType  # an item as declared (NonNull or not)
    non_null: bool
    items_non_null: bool
    prefetched: bool  # a resolver field: its attribute None means "not prefetched", the resolver answers


Plain = PlainLeaf | PlainObject | PlainList
PlainFields = dict[tuple[GraphQLObjectType, str], Plain]
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
    the text of ``GlobalID(type name, str(the NodeID attribute))``, as ``relay.Node._id``
    builds it and the ID scalar writes it (``str(GlobalID)`` is this ``to_base64``)."""
    resolver = definition.base_resolver
    bound = getattr(resolver.wrapped_func, "__func__", None) if resolver else None
    node_type = getattr(resolver.wrapped_func, "__self__", None) if resolver else None
    if (bound is not relay.Node._id.__func__ or not isinstance(node_type, type)
            or not issubclass(node_type, relay.Node) or definition.extensions):
        return None
    if not (_inherits(node_type, "resolve_id") and _inherits(node_type, "resolve_typename")):
        return None
    attribute = node_type.resolve_id_attr()

    def read(source: Any) -> str:
        if not isinstance(source, node_type):
            raise TypeError("not a node of this type")  # the standard path decides
        return to_base64(type_name, str(getattr(source, attribute)))
    return read


def _enum_coercion(enum_type: GraphQLOutputType) -> Callable[[Any], Any]:
    """strawberry's enum output coercion as dict lookups: a member of the strawberry enum is
    named by a scan of the values there (CustomGraphQLEnumType.coerce_output_value), any
    other value by graphql-core's lookup by value (`{value: name}`, the last name of a value
    winning, as graphql-core builds it). A value neither finds takes the type's own coercion,
    which raises the error."""
    coerce = enum_type.coerce_output_value  # type: ignore[union-attr]
    if not isinstance(enum_type, CustomGraphQLEnumType):
        return coerce
    members: Any = enum_type.wrapped_cls
    names = {member: name for member in members for name, value in enum_type.values.items()
             if member.value == value.value}
    if len(names) != len(members):
        return coerce
    by_value = {value.value: name for name, value in enum_type.values.items()}

    def coerce_member(value: Any) -> Any:
        if type(value) is members:
            return names[value]
        if not isinstance(value, members):  # a subclass of the enum: strawberry's scan
            try:
                name = by_value.get(value)
            except TypeError:  # unhashable: graphql-core scans
                name = None
            if name is not None:
                return name
        return coerce(value)
    return coerce_member


@functools.cache
def _origin(object_type: GraphQLObjectType) -> type | None:
    """The class strawberry defined the object type with, which is_type_of accepts."""
    definition = (object_type.extensions or {}).get(BACKREF)
    return definition.origin if isinstance(definition, StrawberryObjectDefinition) else None


def _plain_object_type(graphql_type: Any) -> bool:
    """A concrete object type whose is_type_of (if any) is strawberry's own isinstance check,
    which does not read the resolve info this path does not build."""
    if not isinstance(graphql_type, GraphQLObjectType):
        return False
    definition = (graphql_type.extensions or {}).get(BACKREF)
    return isinstance(definition, StrawberryObjectDefinition) and definition.is_type_of is None


def _plain_list(field_type: GraphQLOutputType, read: Callable[[Any], Any], prefetched: bool) -> PlainList | None:
    non_null = isinstance(field_type, GraphQLNonNull)
    list_type = field_type.of_type if non_null else field_type  # type: ignore[union-attr]
    if not isinstance(list_type, GraphQLList):
        return None
    item_field_type = list_type.of_type
    items_non_null = isinstance(item_field_type, GraphQLNonNull)
    item_type = item_field_type.of_type if items_non_null else item_field_type
    if not _plain_object_type(item_type):
        return None
    return PlainList(read, item_type, field_type, item_field_type, non_null, items_non_null, prefetched)


def _prefetched_attribute(definition: StrawberryField) -> str | None:
    """The attribute a resolver field declares it was prefetched into (PREFETCHED), when the
    field is otherwise plain: no field extensions (permission classes are extensions)."""
    metadata: dict[str, Any] = dict(definition.metadata or {})
    attribute = metadata.get(PREFETCHED)
    return attribute if isinstance(attribute, str) and not definition.extensions else None


def plain_fields(schema: GraphQLSchema) -> PlainFields:
    """The fields of every object type that are an attribute read plus a leaf coercion, an
    object's sub-selection or a list of objects' sub-selections."""
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
            plan: Plain | None = None
            if is_leaf_type(named):
                read = (_attribute_reader(definition) if definition.is_basic_field
                        else _relay_id_reader(definition, graphql_type.name))
                if read is not None:
                    plan = PlainLeaf(read, _enum_coercion(named), non_null)
            elif definition.is_basic_field and _plain_object_type(named):
                plan = PlainObject(_attribute_reader(definition), named, field.type, non_null)
            elif definition.is_basic_field:
                plan = _plain_list(field.type, _attribute_reader(definition), prefetched=False)
            elif (attribute := _prefetched_attribute(definition)) is not None:
                plan = _plain_list(field.type, attrgetter(attribute), prefetched=True)
            if plan is not None:
                fields[(graphql_type, name)] = plan
    return fields


_MISS = object()


class _Unusual(Exception):
    """A plain leaf whose value the standard path must judge (it raises the error)."""


class Steps(NamedTuple):
    """A selection set's fields, prepared once per execution."""
    names: tuple[str, ...]  # every response name, in the query's order
    leaves: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any], bool]]  # name, read, coerce, non-null
    others: list[tuple[str, Any, PlainObject | PlainList | None]]  # name, field details, plan (None: standard)


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
        self._steps: dict[int, tuple[GroupedFieldSet, Steps | None]] = {}

    def _steps_of(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> Steps | None:
        """The selection set's steps, or None when none of its fields is plain."""
        cached = self._steps.get(id(fields))
        if cached is None or cached[0] is not fields:
            leaves: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any], bool]] = []
            others: list[tuple[str, Any, PlainObject | PlainList | None]] = []
            for name, details in fields.items():
                plan = self._plain.get((parent_type, details[0].node.name.value))
                if isinstance(plan, PlainLeaf):
                    leaves.append((name, plan.read, plan.coerce, plan.non_null))
                else:
                    others.append((name, details, plan))
            any_plain = bool(leaves) or any(plan is not None for _, _, plan in others)
            cached = self._steps[id(fields)] = (fields, Steps(tuple(fields), leaves, others) if any_plain else None)
        return cached[1]

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None,
                       grouped_field_set: GroupedFieldSet, position_context: Any) -> AwaitableOrValue[dict[str, Any]]:
        steps = self._steps_of(parent_type, grouped_field_set)
        if steps is None:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        results: dict[str, Any] = dict.fromkeys(steps.names)  # the query's order, filled below
        try:
            for name, read, coerce, non_null in steps.leaves:
                value = read(source_value)
                if value is None:
                    if non_null:
                        raise _Unusual
                else:
                    value = coerce(value)
                    if value is None or value is Undefined:
                        raise _Unusual
                results[name] = value
        except Exception:  # something unusual in this object: all of it the standard way
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        if not steps.others:
            return results

        # As graphql-core's execute_fields, with plain objects and lists completed directly.
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for name, details, plan in steps.others:
                field_path = Path(path, name, parent_type.name)
                if plan is None:
                    result = self.execute_field(parent_type, source_value, details, field_path, position_context)
                    if result is Undefined:
                        del results[name]
                        continue
                elif isinstance(plan, PlainObject):
                    result = self._complete_plain_object(plan, details, parent_type, source_value, field_path,
                                                         position_context)
                else:
                    result = self._complete_plain_list(plan, details, parent_type, source_value, field_path,
                                                       position_context)
                results[name] = result
                if is_awaitable(result):
                    awaitable_fields.append(name)
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

    @staticmethod
    def _is_a(object_type: GraphQLObjectType, value: Any) -> bool:
        if type(value) is _origin(object_type) and get_strawberry_type_cast(value) is None:
            return True  # an instance of the type's own class, not cast to another type
        # `None` for the info: _plain_object_type admits only strawberry's own is_type_of, an
        # isinstance check that does not read the info graphql-core's signature asks for.
        is_type_of = object_type.is_type_of
        return is_type_of is None or bool(is_type_of(value, None))  # type: ignore[arg-type]

    def _complete_plain_object(self, plain: PlainObject, details: Any, parent_type: GraphQLObjectType, source: Any,
                               path: Path, position_context: Any) -> Any:
        try:
            value = plain.read(source)
        except Exception:
            value = _MISS
        if value is _MISS or (value is None and plain.non_null) or (
                value is not None and not self._is_a(plain.object_type, value)):
            # The standard path reads it again and raises the error graphql-core would.
            return self.execute_field(parent_type, source, details, path, position_context)
        if value is None:
            return None
        return self._complete_object(plain.object_type, plain.field_type, details, path, value, position_context)

    def _complete_object(self, object_type: GraphQLObjectType, field_type: GraphQLOutputType, details: Any,
                         path: Path, value: Any, position_context: Any) -> Any:
        """graphql-core's complete_object_value after its is_type_of check, which the caller made."""
        try:
            sub_fields, defer_usages, _ = self.collect_subfields(object_type, details)
            if defer_usages or position_context is not None:
                completed = self.execute_collected_subfields(object_type, value, path, sub_fields, defer_usages,
                                                             position_context)
            else:  # what execute_collected_subfields does without @defer, one call less per object
                completed = self.execute_fields(object_type, value, path, sub_fields, None)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, path)  # raises when non-null
            return None
        if self.is_awaitable(completed):
            return self._await_object(completed, field_type, details, path)
        return completed

    def _complete_plain_list(self, plain: PlainList, details: Any, parent_type: GraphQLObjectType, source: Any,
                             path: Path, position_context: Any) -> Any:
        """A list of plain objects: graphql-core's complete_list_value without the per-item
        dispatch. Every item is checked before any is executed, so the standard path can
        still take the whole field over (and raise its errors) when one is unusual."""
        try:
            items = plain.read(source)
        except Exception:
            items = _MISS
        if items is None and not (plain.non_null or plain.prefetched):
            return None
        if not isinstance(items, list) or not all(
                self._is_a(plain.item_type, item) if item is not None else not plain.items_non_null
                for item in items):
            return self.execute_field(parent_type, source, details, path, position_context)
        completed: list[Any] = []
        pending: list[int] = []
        is_awaitable = self.is_awaitable
        try:
            for index, item in enumerate(items):
                value = None if item is None else self._complete_object(
                    plain.item_type, plain.item_field_type, details, Path(path, index, None), item, position_context)
                if is_awaitable(value):
                    pending.append(index)
                completed.append(value)
        except Exception as raw_error:  # a non-null item failed: as the list field's own error
            if pending:
                self.settle_in_background([completed[index] for index in pending])
            self.handle_field_error(raw_error, plain.field_type, details, path)
            return None
        if not pending:
            return completed

        async def await_items() -> list[Any] | None:
            try:
                awaited = await gather_with_cancel(*(completed[index] for index in pending))
            except Exception as raw_error:
                self.handle_field_error(raw_error, plain.field_type, details, path)
                return None
            for index, value in zip(pending, awaited, strict=True):
                completed[index] = value
            return completed
        return await_items()

    def settle_in_background(self, awaitables: list[Awaitable[Any]]) -> None:
        """graphql-core's, and the request's context keeps the work until it closes: sibling
        fields still resolving when another failed must not outlive the request's session."""
        super().settle_in_background(awaitables)
        keep = getattr(self.context_value, "keep_until_close", None)
        if keep is not None:
            keep(self.background_futures)

    async def _await_object(self, completed: Awaitable[Any], field_type: GraphQLOutputType, details: Any,
                            path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_type, details, path)
            return None
