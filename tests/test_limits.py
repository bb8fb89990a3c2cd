"""schema/limits.py: what a document costs before it is validated."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from graphql import GraphQLError, parse

import bench
import tests
import tests.support
from core.config import Settings
from core.errors import BadInput
from schema.limits import QueryTooComplex, check_document, check_text, measure


def cost(query: str, max_selections: int = 10_000):
    return measure(parse(query), max_selections)


def test_fragments_count_where_they_are_spread():
    found = cost("{ a: me { ...M } b: me { ...M } } fragment M on Me { kind loginName }")
    assert found.selections == 2 + 2 * 3  # two fields, each with a spread of two fields
    assert found.field_overlaps == 0  # aliases give different response paths


def test_same_path_pairs_include_inline_fragments_and_nesting():
    found = cost("{ me { kind ... on Me { kind } } me { kind } }")
    # me: 2 nodes → 1 pair; me.kind: 3 nodes → 3 pairs
    assert (found.field_overlaps, found.most_repeated_path, found.most_repeats) == (4, "me.kind", 3)


def test_a_cycle_is_cut_and_left_to_validation():
    found = cost("{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }")
    assert found.selections == 4


def test_the_walk_stops_at_the_bound():
    k = 200  # 2^200 spreads if walked to the end
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, k + 1))
    with pytest.raises(QueryTooComplex):
        cost(f"{{ ...F{k} }} fragment F0 on Query {{ __typename }} {fragments}", max_selections=1000)


def test_unknown_fragment_and_huge_int_literal_are_bad_input():
    with pytest.raises(BadInput):
        check_document(parse("{ ...Nope }"), max_selections=100, max_field_overlaps=100)
    with pytest.raises(BadInput):
        check_document(parse("{ units(first: " + "9" * 5000 + ") { totalCount } }"),
                       max_selections=100, max_field_overlaps=100)


def test_too_many_repeats_are_refused_with_the_path():
    with pytest.raises(QueryTooComplex, match="me 出现 100 次"):
        check_document(parse("{" + "me{kind} " * 100 + "}"), max_selections=1000, max_field_overlaps=2000)
    with pytest.raises(QueryTooComplex, match=r"me\.kind 出现 400 次"):
        check_document(parse("{" + ("me{" + "kind " * 20 + "} ") * 20 + "}"), max_selections=1000,
                       max_field_overlaps=2000)


def _documents():
    """Every module-level GraphQL document of the tests and the benchmark."""
    for package in (tests, tests.support, bench):
        for module_info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{module_info.name}")
            for name, value in vars(module).items():
                if isinstance(value, str) and "{" in value:
                    try:
                        yield f"{module.__name__}.{name}", parse(value)
                    except GraphQLError:
                        continue


def test_every_hand_written_document_passes_the_default_bounds():
    settings = Settings()
    checked = 0
    for name, document in _documents():
        found = check_document(document, max_selections=settings.max_selections,
                               max_field_overlaps=settings.max_field_overlaps)
        assert found.selections <= settings.max_selections, name
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("variables, where", [
    ({"input": {"name": "张\x00三"}}, "$input.name"),
    ({"ids": ["a", "b\ud800"]}, "$ids[1]"),
    ({"input": {"records": [{"note": {"deep": "\udfff"}}]}}, "$input.records[0].note.deep"),
    ({"json": {"ke\x00y": 1}}, "$json"),
])
def test_unstorable_variables_are_named(variables, where):
    with pytest.raises(BadInput, match=where.replace("$", r"\$").replace("[", r"\[").replace("]", r"\]")):
        check_text(None, None, variables)


def test_storable_text_passes():
    check_text(parse('{ units(search: "济南\\u4e00") { totalCount } }'), None,
               {"s": "😀 emoji is a surrogate pair in UTF-16, one code point here", "n": 1, "f": None})


def test_graphiql_introspection_passes_the_default_bounds():
    from graphql import get_introspection_query

    settings = Settings()
    document = parse(get_introspection_query(True, True, True, True, True, one_of=True))
    found = check_document(document, max_selections=settings.max_selections,
                           max_field_overlaps=settings.max_field_overlaps)
    assert found.selections < settings.max_selections // 2
