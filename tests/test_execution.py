"""The plain-leaf execution path answers exactly what graphql-core's standard path answers."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum

import pytest
import strawberry
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema import schema as api_schema
from schema.execution import PREFETCHED, PlainFieldExecutor, PlainList, plain_fields


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Item:
    name: str
    size: int
    note: str | None
    colour: Colour
    at: dt.datetime

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def padded(self, width: int) -> str:
        return self.name.rjust(width)

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return self.name * 2


class Loose:
    """A source object that breaks the declared types, as a bug in a resolver would."""

    def __init__(self, **values):
        self.__dict__.update(values)

    @property
    def note(self):
        raise RuntimeError("boom")


@strawberry.type
class Thing(relay.Node):
    code: relay.NodeID[int]
    label: str


@strawberry.type
class CustomThing(relay.Node):
    code: relay.NodeID[int]

    @classmethod
    def resolve_id(cls, root, *, info):
        return f"custom-{root.code}"


@strawberry.type
class Holder:
    item: Item
    maybe: Item | None = None


GOOD = Item(name="a", size=1, note=None, colour=Colour.BLUE, at=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC))
NAMELESS = Loose(name=None, size=1, colour=Colour.RED, at=GOOD.at)  # an Item-like object breaking Item.name


@strawberry.type
class Shelf:
    """Lists of objects read off attributes, and one a page prefetched (PREFETCHED)."""
    items: list[Item]
    maybe_items: list[Item | None] = strawberry.field(default_factory=list)
    optional_items: list[Item] | None = None
    things: list[Thing] = strawberry.field(default_factory=list)  # a node type: strawberry checks each item's type
    cached_list: strawberry.Private[list[Item] | None] = None

    @strawberry.field(metadata={PREFETCHED: "cached_list"})
    def cached(self) -> list[Item]:
        return self.cached_list if self.cached_list is not None else [Item(name="resolved", size=9, note=None,
                                                                          colour=Colour.RED, at=GOOD.at)]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [GOOD, Item(name="b", size=2, note="n", colour=Colour.RED, at=GOOD.at)]

    @strawberry.field
    def broken(self) -> list[Item | None]:
        return [
            Loose(name=None, size=1, colour=Colour.RED, at=GOOD.at),       # null in a non-null field
            Loose(name="x", size="not a number", colour=Colour.RED, at=GOOD.at),  # the scalar refuses
            Loose(name="y", size=1, colour="PURPLE", at=GOOD.at),           # not an enum member
        ]

    @strawberry.field
    def things(self) -> list[Thing]:
        # The last is not a Thing instance (a bug, or an integration's look-alike object).
        return [Thing(code=1, label="x"), Thing(code=22, label="y"), Loose(code=3, label="z")]

    @strawberry.field
    def holders(self) -> list[Holder | None]:
        return [
            Holder(item=GOOD, maybe=GOOD),
            Holder(item=GOOD),                                              # a null where it may be
            Loose(item=None, maybe=None),                                   # a null where it may not
            Loose(item=Loose(name=None, size=1, colour=Colour.RED, at=GOOD.at), maybe=None),  # a null below
            Loose(item=GOOD, maybe=Loose(name=None, size=1, colour=Colour.RED, at=GOOD.at)),  # below, nullable
        ]

    @strawberry.field
    def shelves(self) -> list[Shelf | None]:
        second = Item(name="b", size=2, note="n", colour=Colour.RED, at=GOOD.at)
        return [
            Shelf(items=[GOOD, second], maybe_items=[None, GOOD], optional_items=None, cached_list=[second]),
            Shelf(items=[], optional_items=[GOOD], things=[Thing(code=4, label="t")]),  # not prefetched: the resolver
            Shelf(items=[], things=[Thing(code=5, label="u"), Loose(code=6, label="v")]),  # not a Thing: an error
            Loose(items=[GOOD, None], maybe_items=[], optional_items=None, cached_list=None),  # null item, non-null
            Loose(items=[GOOD, Loose(name="x")], maybe_items=[], optional_items=None, cached_list=None),  # Item-like
            Loose(items=[GOOD, NAMELESS], maybe_items=[NAMELESS, GOOD], optional_items=[NAMELESS],
                  cached_list=[GOOD]),                                              # errors inside items
            Loose(items=None, maybe_items=[], optional_items=None, cached_list=None),  # null list, non-null field
            Loose(items=(GOOD,), maybe_items=[], optional_items=None, cached_list=None),  # a tuple: standard path
        ]

    @strawberry.field
    def custom_things(self) -> list[CustomThing]:
        return [CustomThing(code=5)]

    @strawberry.field
    def failing_note(self) -> list[Item | None]:
        return [Loose(name="z", size=1, colour=Colour.RED, at=GOOD.at)]  # the attribute raises


def schemas():
    return (strawberry.Schema(Query, execution_context_class=PlainFieldExecutor),
            strawberry.Schema(Query, execution_context_class=StrawberryGraphQLCoreExecutionContext))


def test_only_attribute_reads_of_leaf_types_take_the_direct_path():
    fast, _ = schemas()
    leaves = {(t.name, f) for t, f in plain_fields(fast._schema)}
    assert {("Item", "name"), ("Item", "size"), ("Item", "note"), ("Item", "colour"), ("Item", "at")} <= leaves
    assert ("Item", "shout") not in leaves      # has a resolver
    assert ("Item", "padded") not in leaves     # has arguments
    assert ("Query", "items") not in leaves     # a list of objects, from a resolver
    lists = {(t.name, f) for (t, f), plan in plain_fields(fast._schema).items() if isinstance(plan, PlainList)}
    assert {("Shelf", "items"), ("Shelf", "maybeItems"), ("Shelf", "optionalItems"), ("Shelf", "cached")} <= lists
    assert ("Holder", "item") in leaves and ("Holder", "maybe") in leaves  # objects read off an attribute
    assert ("Thing", "id") in leaves            # relay's own id rule
    assert ("CustomThing", "id") not in leaves  # its own resolve_id: the standard path calls it


def test_the_api_schema_uses_it_for_attributes_and_relay_ids_only():
    leaves = {(t.name, f) for t, f in plain_fields(api_schema._schema)}
    assert ("QueueItem", "titleName") in leaves and ("Declaration", "status") in leaves
    assert ("Declaration", "id") in leaves and ("Unit", "id") in leaves
    assert ("Declaration", "isEditable") in leaves
    assert ("Declaration", "applicant") not in leaves   # an object, through a DataLoader
    assert api_schema.execution_context_class is PlainFieldExecutor


@pytest.mark.parametrize("query", [
    "{ items { name size note colour at shout padded(width: 3) __typename } }",
    "{ items { ...F } } fragment F on Item { n: name size @include(if: false) colour }",
    "{ broken { name size colour } }",
    "{ failingNote { name note } }",
    "{ things { id code label } customThings { id code } }",
    "{ items { size later name shout at } }",
    "{ holders { item { name later size } maybe { name colour } } }",
    "{ holders { maybe { later } item { __typename at } } }",
    "{ shelves { items { name colour } maybeItems { name later } optionalItems { size } cached { name } } }",
    "{ shelves { cached { later name } items { later } } }",
    "{ shelves { maybeItems { size } optionalItems { name } } }",
    "{ shelves { things { id label } items { name } } }",
])
async def test_same_data_and_errors_as_the_standard_path(query):
    fast, standard = schemas()
    got, expected = await fast.execute(query), await standard.execute(query)
    assert got.data == expected.data
    assert [(e.message, e.path, e.locations) for e in got.errors or []] == \
        [(e.message, e.path, e.locations) for e in expected.errors or []]


async def test_errors_are_located_at_the_field():
    fast, _ = schemas()
    result = await fast.execute("{ broken { name size colour } }")
    assert result.data == {"broken": [None, None, None]}
    by_path = {tuple(e.path): e.message for e in result.errors}
    assert sorted(by_path) == [("broken", 0, "name"), ("broken", 1, "size"), ("broken", 2, "colour")]
    assert "Cannot return null for non-nullable field Item.name" in by_path[("broken", 0, "name")]


async def test_the_response_keeps_the_query_field_order_around_async_and_resolved_fields():
    fast, _ = schemas()
    result = await fast.execute("{ items { size later name shout __typename at } }")
    assert result.errors is None
    assert [list(item) for item in result.data["items"]] == [["size", "later", "name", "shout", "__typename", "at"]] * 2
    assert result.data["items"][1]["later"] == "bb"


async def test_nulls_in_plain_objects_propagate_to_the_nearest_nullable_field():
    fast, _ = schemas()
    result = await fast.execute("{ holders { item { name later } maybe { name } } }")
    assert result.data["holders"][:2] == [
        {"item": {"name": "a", "later": "aa"}, "maybe": {"name": "a"}},
        {"item": {"name": "a", "later": "aa"}, "maybe": None},
    ]
    assert result.data["holders"][2:] == [None, None, {"item": {"name": "a", "later": "aa"}, "maybe": None}]
    assert sorted(e.path for e in result.errors) == [
        ["holders", 2, "item"], ["holders", 3, "item", "name"], ["holders", 4, "maybe", "name"]]


async def test_lists_of_objects_take_the_direct_path_and_propagate_nulls_as_graphql_core_does():
    fast, _ = schemas()
    result = await fast.execute("{ shelves { items { name } maybeItems { name } optionalItems { name } cached { name } } }")
    a, b = {"name": "a"}, {"name": "b"}
    assert result.data["shelves"][:2] == [
        {"items": [a, b], "maybeItems": [None, a], "optionalItems": None, "cached": [b]},
        {"items": [], "maybeItems": [], "optionalItems": [a], "cached": [{"name": "resolved"}]},  # the resolver
    ]
    # A null in a non-null list, a null inside an item (into the list, then the shelf), a null
    # list: each shelf is null, as the standard path makes it. Item has no is_type_of
    # (strawberry checks types only where an interface or a union needs it): a look-alike passes.
    assert result.data["shelves"][3:7] == [None, {**result.data["shelves"][4], "items": [a, {"name": "x"}]}, None, None]
    assert result.data["shelves"][7]["items"] == [a]
    assert ["shelves", 5, "items", 1, "name"] in [e.path for e in result.errors]
