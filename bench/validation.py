"""bench/validation: the worst documents within the API's limits, and what validating them costs.

    .venv/bin/python -m bench.validation [--repeat 5] [--skip-slow]

Builds documents meant to make validation slow (repeated fields, repeated fragment spreads,
nested repeats, aliases, directives, arguments, doubling fragments, many operations) as
large as the token limit allows, plus the largest that still pass schema/limits.py's bounds,
and prints the time `schema.execute` spends on each in-process, before the bound (the
schema's extensions without DocumentLimits) and after it. Every run varies the text's
whitespace, so neither the parser cache nor the validation cache can hide the cost. The
caller is anonymous: `me` is null, so execution adds next to nothing. No database needed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from graphql import Lexer, Source, TokenKind, parse
from strawberry.extensions import SchemaExtension

from core.config import Settings
from schema import schema
from schema.context import Context
from schema.limits import DocumentLimits, QueryTooComplex, measure

SETTINGS = Settings.from_env()
BUDGET_MS = 50
#: Runs slower than this are timed once: a few of them take seconds each.
SLOW_MS = 500
MEASURE_CAP = 1_000_000


@dataclass
class Case:
    name: str
    query: str
    note: str = ""
    variables: dict | None = None


def _tokens(query: str) -> int:
    lexer, count = Lexer(Source(query)), 0
    while lexer.advance().kind != TokenKind.EOF:
        count += 1
    return count


def _repeat_within_tokens(build: Callable[[int], str], limit: int) -> str:
    """The largest build(n) within `limit` tokens (build grows with n)."""
    low, high = 1, 1
    while _tokens(build(high * 2)) <= limit:
        high *= 2
    high *= 2
    while low < high - 1:
        mid = (low + high) // 2
        low, high = (mid, high) if _tokens(build(mid)) <= limit else (low, mid)
    return build(low)


def _largest_passing(build: Callable[[int], str]) -> str:
    """The largest build(n) that the bounds accept (build grows with n)."""
    def passes(n: int) -> bool:
        try:
            cost = measure(parse(build(n)), SETTINGS.max_selections)
        except QueryTooComplex:
            return False
        return cost.field_overlaps <= SETTINGS.max_field_overlaps
    low = 1
    while passes(low * 2):
        low *= 2
    high = low * 2
    while low < high - 1:
        mid = (low + high) // 2
        low, high = (mid, high) if passes(mid) else (low, mid)
    return build(low)


def _doubling(k: int) -> str:
    fragments = ["fragment F0 on Query { __typename }"] + [
        f"fragment F{i} on Query {{ ...F{i - 1} ... on Query {{ ...F{i - 1} }} }}" for i in range(1, k + 1)
    ]
    return f"{{ ...F{k} }} " + " ".join(fragments)


def attacks(tokens: int) -> list[Case]:
    """The worst documents we could build under the depth, alias and token limits."""
    def within(build: Callable[[int], str]) -> str:
        return _repeat_within_tokens(build, tokens - 2)  # the parser counts the end too

    return [
        Case("repeated object field me{kind}", within(lambda n: "{" + "me{kind} " * n + "}"), "the issue's"),
        Case("repeated leaf __typename", within(lambda n: "{" + "__typename " * n + "}")),
        Case("nested repeats me{kind×n}×n", within(lambda n: "{" + ("me{" + "kind " * n + "} ") * n + "}")),
        Case("repeats inside one fragment", within(lambda n: "{ ...F } fragment F on Query {" + "me{kind} " * n + "}")),
        Case("distinct fragments spread once each", within(
            lambda n: "{" + " ".join(f"...F{i}" for i in range(n)) + "}"
            + "".join(f" fragment F{i} on Query {{me{{kind}}}}" for i in range(n)))),
        Case("one fragment spread in many fields", within(
            lambda n: "{" + "me{...M} " * n + "} fragment M on Me { kind loginName capabilities }")),
        Case("repeated alias x: me{kind}", within(lambda n: "{" + "x: me{kind} " * n + "}"), "aliases over the limit"),
        Case("directives me @include(if: true)", within(lambda n: "{" + "me @include(if: true) {kind} " * n + "}")),
        Case("arguments __type(name: \"Nothing\")", within(lambda n: "{" + '__type(name: "Nothing") { name } ' * n + "}")),
        Case("long string arguments (720 KB)", "{" + ('__type(name: "%s") { name } ' % ("长" * 6000)) * 40 + "}"),
        Case("many operations sharing a fragment", within(
            lambda n: " ".join(f"query Q{i} {{ ...F }}" for i in range(n))
            + " fragment F on Query {" + "me{kind} " * 40 + "}")),
        Case("doubling fragments ×14", _doubling(14), "each more doubles it"),
        Case("doubling fragments ×16", _doubling(16)),
        Case("doubling fragments ×60", _doubling(60), "before: not run (2^60 steps)"),
    ]


def real_documents() -> list[Case]:
    """The largest hand-written queries (bench's hot reads): they must pass untouched. With
    no database their resolvers fail after validation; only the validation time counts."""
    from bench.run import DECLARATION, REPORT_QUEUE, REVIEW_QUEUE

    note = "(no database: execution fails)"
    return [Case("bench declaration(id) with everything", DECLARATION, note, {"id": "RGVjbGFyYXRpb246MQ=="}),
            Case("bench reviewQueue page", REVIEW_QUEUE, note, {"first": 50}),
            Case("bench reportQueue page", REPORT_QUEUE, note,
                 {"first": 50, "sort": "CONFIRMED_AT", "direction": "ASC"})]


def largest_accepted() -> list[Case]:
    """The worst documents that pass the bounds: at the edge of each."""
    return [
        Case("repeated me{kind}, at the overlap bound", _largest_passing(lambda n: "{" + "me{kind} " * n + "}")),
        Case("repeated __typename, at the overlap bound", _largest_passing(lambda n: "{" + "__typename " * n + "}")),
        Case("nested repeats, at the overlap bound", _largest_passing(
            lambda n: "{" + ("me{" + "kind " * n + "} ") * n + "}")),
        Case("repeated __type(name:), at the overlap bound", _largest_passing(
            lambda n: "{" + '__type(name: "Nothing") { name } ' * n + "}")),
        Case("long arguments, at the overlap bound", _largest_passing(
            lambda n: "{" + ('__type(name: "%s") { name } ' % ("长" * 6000)) * n + "}")),
        Case("fragment in many fields, at the selection bound", _largest_passing(
            lambda n: "{" + "me{...M} " * n + "} fragment M on Me { kind loginName capabilities }")),
        Case("operations × fragment, at the selection bound", _largest_passing(
            lambda n: " ".join(f"query Q{i} {{ ...F }}" for i in range(n))
            + " fragment F on Query { me { kind loginName } }")),
        Case("doubling fragments, at the selection bound", _largest_passing(_doubling)),
    ]


_counter = itertools.count()


def _varied(query: str) -> str:
    n = next(_counter)
    return query + "\n" + " " * (n % 101) + f"# {n}"


class _Timer(SchemaExtension):
    """Bench only, first in the list: the time of the parse and validate phases (every other
    extension's hooks of a phase run inside this one's)."""

    phases: ClassVar[dict[str, float]] = {}

    def on_parse(self) -> Iterator[None]:
        yield from self._timed("parse")

    def on_validate(self) -> Iterator[None]:
        yield from self._timed("validate")

    def on_execute(self) -> Iterator[None]:
        self.phases["executed"] = 1
        yield

    def _timed(self, phase: str) -> Iterator[None]:
        # When a later hook of the phase raises (DocumentLimits refusing), strawberry never
        # resumes this one: `_time` then counts from the start to the end of execute.
        started = self.phases[f"{phase} started"] = time.perf_counter()
        yield
        self.phases[phase] = (time.perf_counter() - started) * 1000


@dataclass
class Timing:
    validate_ms: float
    total_ms: float
    outcome: str


async def _time(case: Case, repeat: int) -> Timing:
    """Median over `repeat` runs (one when slow) of validation and of the whole execute."""
    context = Context(services=None, request=None, viewer=None)  # type: ignore[arg-type]
    variables = dict(case.variables or {})
    validations, totals = [], []
    outcome = ""
    for _ in range(repeat):
        _Timer.phases.clear()
        started = time.perf_counter()
        result = await schema.execute(_varied(case.query), variables, context_value=context)
        ended = time.perf_counter()
        totals.append((ended - started) * 1000)
        validate_started = _Timer.phases.get("validate started", ended)
        validations.append(_Timer.phases.get("validate", (ended - validate_started) * 1000))
        errors = result.errors or []
        code = (errors[0].extensions or {}).get("code") if errors else None
        executed = "executed" in _Timer.phases
        outcome = "ok" if not errors else "passed validation" if executed else (code or errors[0].message[:40])
        if totals[-1] > SLOW_MS:
            break
    return Timing(statistics.median(validations), statistics.median(totals), outcome)


def _size(query: str) -> str:
    """Selections and same-path pairs, counted up to a million selections."""
    try:
        cost = measure(parse(query), MEASURE_CAP)
    except QueryTooComplex:
        return f"{'>' + format(MEASURE_CAP, ','):>10} {'?':>10}"
    return f"{cost.selections:10} {cost.field_overlaps:10}"


def _without_limits(extensions: list) -> list:
    return [e for e in extensions if getattr(e, "func", None) is not DocumentLimits]


async def run(repeat: int, skip_slow: bool) -> None:
    logging.disable(logging.CRITICAL)  # refused documents are logged with their whole text
    extensions = [_Timer, *schema.extensions]
    print(f"bounds: {SETTINGS.max_selections} selections, {SETTINGS.max_field_overlaps} same-path pairs; "
          f"limits: {SETTINGS.max_tokens} tokens, depth {SETTINGS.max_query_depth}, {SETTINGS.max_aliases} aliases")
    print("validate = the validation phase (DocumentLimits, then graphql-core's rules with the limiters);")
    print("total = the whole schema.execute (parse, validate, execute); median of the runs, ms")
    print(f"{'document':46} {'bytes':>7} {'tokens':>6} {'selections':>10} {'pairs':>10} "
          f"{'before: validate':>16} {'total':>7} {'after: validate':>15} {'total':>7}  answer")
    worst = 0.0
    sections = (("attacks", attacks(SETTINGS.max_tokens)), ("largest accepted", largest_accepted()),
                ("real documents", real_documents()))
    for title, cases in sections:
        print(f"-- {title}")
        for case in cases:
            if "before: not run" in case.note:
                before_text = f"{'not run':>16} {'':>7}"
            else:
                schema.extensions = _without_limits(extensions)
                before = await _time(case, 1 if skip_slow else repeat)
                before_text = f"{before.validate_ms:16.1f} {before.total_ms:7.1f}"
            schema.extensions = extensions
            after = await _time(case, repeat)
            worst = max(worst, after.validate_ms)
            print(f"{case.name:46} {len(case.query.encode()):7} {_tokens(case.query):6} {_size(case.query)} "
                  f"{before_text} {after.validate_ms:15.1f} {after.total_ms:7.1f}  {after.outcome} {case.note}")
    schema.extensions = extensions[1:]
    verdict = "within" if worst < BUDGET_MS else "OVER"
    print(f"worst validation after the bound: {worst:.1f} ms ({verdict} the {BUDGET_MS} ms budget)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.validation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per document (median); slow ones run once")
    parser.add_argument("--skip-slow", action="store_true", help="time each document once before the bound")
    args = parser.parse_args(argv)
    asyncio.run(run(args.repeat, args.skip_slow))


if __name__ == "__main__":
    main()
