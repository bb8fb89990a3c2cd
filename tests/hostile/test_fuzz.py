"""Schemathesis fuzzes the served schema: every query and mutation field, with documents
hypothesis-graphql builds from the introspected schema (valid ones, and invalid ones the
server must refuse), anonymously and as a logged-in permitted unit.

A response fails when its status is 5xx or when any GraphQL error carries the mask
`服务器内部错误` (an exception nobody turned into a typed error). Every distinct failure
(operation, status or error path) is collected with its first document, and the test fails
once at the end listing them all, so one run shows everything it found.

Bounded: `ZHICHENG_FUZZ_EXAMPLES` documents per operation and mode (default 4; positive and
negative, so twice that), within `ZHICHENG_FUZZ_SECONDS` of wall clock per identity (default
25); each operation gets an equal slice of the time and unused time carries forward.
Raise both for a longer run, e.g. `ZHICHENG_FUZZ_EXAMPLES=100 ZHICHENG_FUZZ_SECONDS=600`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import time
import unittest
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import graphql
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes

from core import db
from rules.identity import uscc_check_char
from schema.ids import decode_id
from tests.support.api import LOGIN, PASSWORD, REGISTER_UNIT
from tests.support.db import truncate_statement

MASK = "服务器内部错误"
EXAMPLES = int(os.environ.get("ZHICHENG_FUZZ_EXAMPLES", "4"))
SECONDS = float(os.environ.get("ZHICHENG_FUZZ_SECONDS", "25"))
# Mutations that end the fuzzing identity's session: it logs in again after each of them.
SESSION_ENDERS = {"Mutation.logout", "Mutation.changePassword"}

# `Upload` is a file part of a multipart request; in a plain JSON document the only honest
# values are null (what a client puts in the variables before mapping the file) and the
# wrong things a client might send instead: strings. Real multipart uploads, their limits and
# file checks are tested in tests/test_materials.py.
schemathesis.graphql.scalar("Upload", st.one_of(st.just(nodes.Null), st.text(max_size=64).map(nodes.String)))

# String and ID: hypothesis-graphql's own strings draw evenly from the first 64 Ki code points,
# so a NUL turned up in none of 2,623 anonymous requests (60 of them `login`, which a NUL
# crashes). These strategies replace them with a mix that reaches the known crash families:
# plain text, NUL, lone surrogates, long text, relay-style global ids of any type and size,
# and page cursors (base64 JSON) of any shape.
_TYPES = ("Declaration", "Unit", "Person", "Committee", "ReportingPath", "PermissionApplication",
          "Material", "Record", "QueueItem", "Nope", "")
_NUMBERS = st.one_of(st.integers(-5, 5), st.integers(), st.sampled_from([2**31, 2**63 - 1, 2**63, 10**30]))
_TEXT = st.text(max_size=30)
_CURSOR_VALUES = st.lists(st.one_of(_NUMBERS, _TEXT, st.floats(allow_nan=False), st.none(), st.booleans(),
                                    st.fixed_dictionaries({"dt": _TEXT}), st.fixed_dictionaries({"d": _TEXT})),
                          max_size=3)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


HOSTILE_STRINGS = st.one_of(
    _TEXT,
    st.tuples(_TEXT, _TEXT).map("\x00".join),
    st.tuples(_TEXT, st.integers(0xD800, 0xDFFF).map(chr), _TEXT).map("".join),
    st.tuples(st.sampled_from("a长\x00"), st.sampled_from([256, 5_000, 100_000])).map(lambda t: t[0] * t[1]),
    st.tuples(st.sampled_from(_TYPES), _NUMBERS).map(lambda t: _b64(f"{t[0]}:{t[1]}".encode())),
    _CURSOR_VALUES.map(lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).decode()),
    st.binary(max_size=24).map(_b64),
)
schemathesis.graphql.scalar("String", HOSTILE_STRINGS.map(nodes.String))
schemathesis.graphql.scalar("ID", HOSTILE_STRINGS.map(nodes.String))


# Lone surrogates cannot stand in a GraphQL string literal (the lexer refuses them: a syntax
# error, not a crash), only in JSON variables. Before a document is parsed for hoisting, each
# is swapped for a private-use code point and swapped back in the variables' values.
_SURROGATE_PARK = {c: c - 0xD800 + 0xF0000 for c in range(0xD800, 0xE000)}
_SURROGATE_BACK = {v: k for k, v in _SURROGATE_PARK.items()}


def hoisted(document: str, schema: graphql.GraphQLSchema) -> tuple[str, dict[str, Any]] | None:
    """The document with every string argument value moved into a typed variable, as clients
    send input; None when it does not parse (then it only goes as it is)."""
    try:
        ast = graphql.parse(document.translate(_SURROGATE_PARK))
    except graphql.GraphQLError:
        return None
    info = graphql.TypeInfo(schema)
    variables: dict[str, Any] = {}
    definitions: list[graphql.VariableDefinitionNode] = []

    class Hoist(graphql.Visitor):
        def enter_string_value(self, node, *_):
            input_type = info.get_input_type()
            if input_type is None:
                return None
            name = f"v{len(variables)}"
            variables[name] = node.value.translate(_SURROGATE_BACK)
            variable = graphql.VariableNode(name=graphql.NameNode(value=name))
            definitions.append(graphql.VariableDefinitionNode(
                variable=variable, type=graphql.language.parse_type(str(input_type))))
            return variable

    ast = graphql.visit(ast, graphql.TypeInfoVisitor(info, Hoist()))
    operations = [d for d in ast.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    if len(operations) != 1 or not variables:
        return None
    op = operations[0]
    op = graphql.OperationDefinitionNode(operation=op.operation, name=op.name, directives=op.directives,
                                         selection_set=op.selection_set, variable_definitions=tuple(definitions))
    return graphql.print_ast(op).translate(_SURROGATE_BACK), variables


@dataclass
class Finding:
    operation: str
    kind: str  # "HTTP 5xx", "masked <exception class> at [path]", "no response: …"
    status: int
    request: str
    answer: str
    count: int = 1


@dataclass
class Fuzzer:
    """Sends the generated documents of every operation as one identity, and collects findings."""

    url: str
    schema: Any  # schemathesis' GraphQLSchema
    token: str | None = None  # None: anonymous
    relogin: Callable[[], str] | None = None  # a fresh token after a step that ends the session
    log: Path | None = None  # the server's log: a masked error's exception class is read from it
    log_offset: int = 0
    findings: dict[tuple[str, str], Finding] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)  # per operation

    def run(self) -> None:
        operations = [result.ok() for result in self.schema.get_all_operations()]
        started = time.monotonic()
        with httpx.Client(timeout=30) as client:
            for i, operation in enumerate(operations):
                slice_end = started + SECONDS * (i + 1) / len(operations)
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    self.fuzz(client, operation, mode, slice_end)

    def fuzz(self, client: httpx.Client, operation, mode: GenerationMode, slice_end: float) -> None:
        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=(Phase.generate,),
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode), as_variables=st.booleans())
        def examples(case, as_variables: bool) -> None:
            if time.monotonic() >= slice_end:
                return
            body: dict[str, Any] = {"query": case.body}
            if as_variables and (moved := hoisted(case.body, self.schema.client_schema)):
                body = {"query": moved[0], "variables": moved[1]}
            self.send(client, operation.label, body)

        with contextlib.suppress(unittest.SkipTest):  # no invalid document for an operation without arguments
            examples()

    def send(self, client: httpx.Client, label: str, body: dict) -> None:
        self.requests[label] += 1
        # json.dumps escapes lone surrogates (\ud800), which httpx's json= could not encode.
        request = json.dumps(body)
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = client.post(f"{self.url}/graphql", content=request, headers=headers)
        except httpx.HTTPError as exc:  # no answer at all is a failure too (a crash, a hang)
            self.note(label, f"no response: {type(exc).__name__}", 0, request, str(exc))
            return
        if response.status_code >= 500:
            self.note(label, "HTTP 5xx", response.status_code, request, response.text)
        for error in _errors(response):
            if error.get("message") == MASK:
                self.note(label, f"masked {self.logged_exception()} at {error.get('path')}", response.status_code,
                          request, response.text)
        if label in SESSION_ENDERS and self.relogin is not None and not self.logged_in(client):
            self.token = self.relogin()  # a login costs a production Argon2 hash: only when needed

    def logged_in(self, client: httpx.Client) -> bool:
        answer = client.post(f"{self.url}/graphql", json={"query": "{ me { kind } }"},
                             headers={"Authorization": f"Bearer {self.token}"})
        return answer.json()["data"]["me"] is not None

    def logged_exception(self) -> str:
        """The class of the last exception the server logged since the previous call (the
        mask hides it from the client; distinct causes are distinct findings)."""
        if self.log is None:
            return "error"
        with self.log.open("rb") as f:
            f.seek(self.log_offset)
            text = f.read().decode(errors="replace")
        self.log_offset += len(text.encode(errors="replace"))
        found = _EXCEPTION_LINE.findall(text)
        if not found:
            return "error (cause not found in the log)"
        name, message = found[-1]
        wrapped = _WRAPPED.match(message or "")
        return f"{name} ({re.sub(r'[$][0-9]+', '$n', wrapped.group(1).strip())})" if wrapped else name

    def note(self, label: str, kind: str, status: int, request: str, answer: str) -> None:
        if (label, kind) in self.findings:
            self.findings[label, kind].count += 1
        else:
            self.findings[label, kind] = Finding(label, kind, status, _shorter(request)[:800], answer[:300])

    def report(self) -> str:
        lines = [f"{len(self.findings)} distinct failure(s) in {self.requests.total()} requests to "
                 f"{len(self.requests)} operations (fewest: {min(self.requests.values(), default=0)}):"]
        for f in self.findings.values():
            lines += [f"- {f.operation}: {f.kind} (status {f.status}, {f.count}×)",
                      f"    request: {f.request}", f"    answer: {f.answer}"]
        return "\n".join(lines)


# The last line of a logged traceback: "module.ClassError: message". SQLAlchemy's wrapper
# (DBAPIError) says what the driver refused in its message's opening words.
_EXCEPTION_LINE = re.compile(r"^((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception))(?::(.*)|$)", re.MULTILINE)
_WRAPPED = re.compile(r"^\s*\([\w.]+\)\s*([^:'\"(]{1,60})")


def _shorter(text: str) -> str:
    """`text` with long runs of one (escaped) character written once with a count."""
    return re.sub(r"((?:\\u[0-9a-f]{4})|[^\\])\1{15,}", lambda m: f"{m.group(1)}<×{len(m.group(0)) // len(m.group(1))}>",
                  text)


def _errors(response: httpx.Response) -> list[dict]:
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


@pytest.fixture(scope="module", autouse=True)
def clean_afterwards(database_url: str) -> Iterator[None]:
    """What the fuzzing registered and changed is truncated at the end, as `clean_db` does
    after an in-process test, so later modules start from an empty database."""
    yield
    _run_sql(database_url, "SET zhicheng.allow_truncate = 'on'", truncate_statement())


def _run_sql(database_url: str, *statements: str, args: tuple = ()) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(db.plain_url(database_url))
        try:
            for statement in statements:
                await conn.execute(statement, *args)
        finally:
            await conn.close()

    loop = asyncio.new_event_loop()  # not asyncio.run: that would unset pytest-asyncio's loop
    try:
        loop.run_until_complete(run())
    finally:
        loop.close()


@pytest.fixture(scope="module")
def schema(live_server):
    """The schema as the server serves it, by introspection over HTTP."""
    return schemathesis.graphql.from_url(f"{live_server.url}/graphql")


def _unit_login(live_server, database_url: str) -> Iterator[str]:
    """Register a unit over HTTP, grant its permission, then give a fresh token per next()."""
    n = time.time_ns() % 10**9
    first17 = f"91370100MA{n % 10**7:07d}"
    variables = {"name": f"济南模糊测试{n}厂", "uscc": first17 + uscc_check_char(first17), "regionCode": "370100",
                 "contactName": "李四", "contactMobile": "13900139000", "loginName": f"fuzz{n}", "password": PASSWORD}
    registered = live_server.graphql(REGISTER_UNIT, {"input": variables}).json()["data"]["registerUnit"]
    assert registered["errors"] == [], registered

    # The permission workflow's outcome, set directly as tests/support/declarations.permit_unit does.
    _run_sql(database_url, "UPDATE unit SET permission_status = 'APPROVED' WHERE id = $1",
             args=(decode_id(registered["unit"]["id"], "Unit", "id"),))
    while True:
        answer = live_server.graphql(LOGIN, {"login": variables["loginName"], "password": PASSWORD}).json()
        assert answer["data"]["login"]["errors"] == [], answer
        yield answer["data"]["login"]["token"]


def test_fuzz_anonymously(live_server, schema):
    fuzzer = Fuzzer(live_server.url, schema, log=live_server.log, log_offset=live_server.log.stat().st_size)
    fuzzer.run()
    print(fuzzer.report())
    if fuzzer.findings:
        pytest.fail(fuzzer.report(), pytrace=False)


def test_fuzz_as_a_permitted_unit(live_server, schema, database_url):
    tokens = _unit_login(live_server, database_url)
    fuzzer = Fuzzer(live_server.url, schema, token=next(tokens), relogin=lambda: next(tokens),
                    log=live_server.log, log_offset=live_server.log.stat().st_size)
    me = live_server.graphql("{ me { kind unit { isPermitted } } }", token=fuzzer.token).json()["data"]["me"]
    assert me == {"kind": "UNIT", "unit": {"isPermitted": True}}, me
    fuzzer.run()
    print(fuzzer.report())
    if fuzzer.findings:
        pytest.fail(fuzzer.report(), pytrace=False)
