"""What a request may carry: bounds checked before validation, and text we can store.

`RefuseUnstorableText` (at the end) refuses NUL and lone surrogates in any string before
a resolver runs. The rest bounds what a document may ask before the server spends time
validating it.

graphql-core's OverlappingFieldsCanBeMerged rule compares every pair of fields that
answer under the same response path (`me` with `me`, then `me.kind` with `me.kind` …),
so its work grows with the square of the repeats: 490 × `me{kind}` (4.4 KB, under the
depth, alias and token limits) took ~4 s of event loop before graphql-core's own budget
aborted it. strawberry's depth and alias limiters expand every fragment where it is
spread without memory, so 18 fragments that each spread the previous one twice (1 KB)
took 3.5 s, and every further fragment doubles it. Both run inside validation, which
runs on the event loop.

`DocumentLimits` walks the parsed document once before validation, expanding fragments
where they are spread (each spread counted, cycles cut), and refuses with a top-level
`QUERY_TOO_COMPLEX` a document that
- has more than `max_selections` selections (fields, fragment spreads, inline fragments)
  once expanded: the walk stops there, so it costs at most that many steps; or
- repeats fields under one response path so often that checking they can be merged
  would compare more than `max_field_overlaps` pairs.
It also refuses what would otherwise crash validation into a masked internal error: a
spread of a fragment the document does not define (strawberry's depth limiter raises
KeyError) and an integer literal too long for `int()` (Python refuses over 4,300 digits).
The numbers behind the defaults are in `bench/validation.py`'s report and core/config.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
)
from strawberry.extensions import SchemaExtension

from core.errors import BadInput, PublicError

#: Longer integer literals are refused before graphql-core converts them. GraphQL's Int is
#: 32-bit (11 characters at most); 100 leaves room for anything a JSON argument might hold.
MAX_INT_LITERAL_CHARS = 100


class QueryTooComplex(PublicError):
    """A document whose validation alone would cost more than any real client needs."""

    code = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True)
class DocumentCost:
    """What validating a document will cost: its selections with every fragment expanded
    where it is spread, and the pairs of same-path fields the overlap rule compares."""

    selections: int
    field_overlaps: int
    most_repeated_path: str
    most_repeats: int


class _TooMany(Exception):
    pass


def measure(document: DocumentNode, max_selections: int) -> DocumentCost:
    """Walk every operation with fragments expanded where spread (iteratively: a deep
    document must not exhaust the stack). Raises QueryTooComplex past `max_selections`,
    BadInput for a spread of an unknown fragment."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    paths: dict[tuple[int, str], int] = {}  # (parent path id, response name) → path id
    repeats: Counter[int] = Counter()
    selections = 0
    stack: list[tuple[SelectionSetNode, int, frozenset[str]]] = [
        (d.selection_set, 0, frozenset()) for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    while stack:
        selection_set, path, spread = stack.pop()
        for selection in selection_set.selections:
            selections += 1
            if selections > max_selections:
                raise QueryTooComplex(
                    f"查询过于复杂：展开片段后的字段与片段超过 {max_selections} 个，请拆分为多个查询"
                )
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                child = paths.setdefault((path, name), len(paths) + 1)
                repeats[child] += 1
                if selection.selection_set is not None:
                    stack.append((selection.selection_set, child, spread))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, path, spread))
            elif isinstance(selection, FragmentSpreadNode):
                fragment_name = selection.name.value
                if fragment_name in spread:
                    continue  # a cycle: NoFragmentCyclesRule reports it
                fragment = fragments.get(fragment_name)
                if fragment is None:
                    raise BadInput(f"片段 {fragment_name} 未定义")
                stack.append((fragment.selection_set, path, spread | {fragment_name}))
    overlaps = sum(n * (n - 1) // 2 for n in repeats.values())
    worst_id, worst = repeats.most_common(1)[0] if repeats else (0, 0)
    return DocumentCost(selections, overlaps, _path_name(paths, worst_id), worst)


def _path_name(paths: dict[tuple[int, str], int], path_id: int) -> str:
    parents = {child: key for key, child in paths.items()}
    names = []
    while path_id in parents:
        path_id, name = parents[path_id]
        names.append(name)
    return ".".join(reversed(names))


def _nodes(node: Node) -> Iterator[Node]:
    """Every node of a document, iteratively."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        for key in current.keys:
            value = getattr(current, key, None)
            if isinstance(value, Node):
                stack.append(value)
            elif isinstance(value, (list, tuple)):
                stack.extend(v for v in value if isinstance(v, Node))


_LONG_NUMBER = re.compile(rf"\d{{{MAX_INT_LITERAL_CHARS + 1}}}")


def check_literals(document: DocumentNode, text: str | None) -> None:
    """Integer literals graphql-core could not convert are BAD_USER_INPUT, not a crash.
    Walking every node costs ~0.3 ms for a queue page, so only a text with a long run of
    digits is walked."""
    if text is not None and not _LONG_NUMBER.search(text):
        return
    for node in _nodes(document):
        if isinstance(node, IntValueNode) and len(node.value) > MAX_INT_LITERAL_CHARS:
            raise BadInput(f"整数字面量过长（超过 {MAX_INT_LITERAL_CHARS} 位）")


def check_document(document: DocumentNode, *, max_selections: int, max_field_overlaps: int,
                   text: str | None = None) -> DocumentCost:
    """The document's cost, or QueryTooComplex / BadInput. `text` (the document's source)
    lets the literal check skip documents that cannot hold a long integer."""
    cost = measure(document, max_selections)
    if cost.field_overlaps > max_field_overlaps:
        raise QueryTooComplex(
            f"查询过于复杂：同一字段重复请求过多（{cost.most_repeated_path} 出现 {cost.most_repeats} 次），"
            "请去掉重复的字段"
        )
    check_literals(document, text)
    return cost


class DocumentLimits(SchemaExtension):
    """Refuses, before validation, documents whose validation would stall the event loop.

    Must come before ValidationCache in the extension list: hooks run in list order, and
    ValidationCache validates in its `on_validate`. Raising here ends the operation with
    the error as its only (top-level) error."""

    def __init__(self, *, max_selections: int, max_field_overlaps: int) -> None:
        super().__init__()
        self.max_selections = max_selections
        self.max_field_overlaps = max_field_overlaps

    def on_validate(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        if document is not None:
            check_document(document, max_selections=self.max_selections,
                           max_field_overlaps=self.max_field_overlaps, text=self.execution_context.query)
        yield


# --- Text PostgreSQL cannot store -----------------------------------------------------

#: NUL (PostgreSQL text refuses it: asyncpg raises CharacterNotInRepertoireError) and lone
#: UTF-16 surrogates (JSON's "\ud800" decodes to one; encoding it to UTF-8 raises
#: UnicodeEncodeError). Either became a masked internal error wherever a string reached SQL.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
#: How a GraphQL string literal can spell NUL: the character itself or an escape.
_MAY_SPELL_NUL = re.compile(r"\x00|\\u")


def _unstorable_variable(variables: object) -> str | None:
    """The path of the first variable string (or object key) that cannot be stored."""
    stack: list[tuple[str, object]] = [("", variables)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and _UNSTORABLE.search(key):
                    return path or "$"
                stack.append((f"{path}.{key}" if path else f"${key}", item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))
    return None


def _literal_unstorable(document: DocumentNode, text: str | None) -> bool:
    # Walking every node costs ~0.3 ms for a queue page: only a text that can spell NUL is
    # walked. Lone surrogates cannot reach a literal: graphql-core's lexer refuses them.
    if text is not None and not _MAY_SPELL_NUL.search(text):
        return False
    return any(isinstance(n, StringValueNode) and _UNSTORABLE.search(n.value) for n in _nodes(document))


def check_text(document: DocumentNode | None, text: str | None, variables: object) -> None:
    """BAD_USER_INPUT for NUL or a lone surrogate in any variable or string literal."""
    where = _unstorable_variable(variables)
    if where is None and document is not None and _literal_unstorable(document, text):
        where = "查询文本中的字符串"
    if where is not None:
        raise BadInput(f"输入含有不允许的字符（空字符 U+0000 或不成对的代理项）：{where}")


class RefuseUnstorableText(SchemaExtension):
    """One place for every string argument: refused before any resolver runs, so no step
    half-happens and nothing is written (or audited) for such a request."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        check_text(context.graphql_document, context.query, context.variables)
        yield
