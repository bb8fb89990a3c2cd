"""Issue 16: trusted documents compiled to one SQL statement answer exactly what the
standard path answers, for every caller, on the same data.

Each case sends the same document twice with the same variables and token: once as text
(the standard path: graphql-core and the resolvers) and once by its documentId (the
compiled statement). The answers must be equal as parsed JSON, and the compiled one must
have cost one statement beyond the caller's authentication."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import BigInteger, DateTime, String, literal, select

from bench.run import REVIEW_QUEUE as BENCH_REVIEW_QUEUE
from resolvers import projections as sql
from resolvers.paging import encode_cursor
from rules.identity import mask_mobile, mask_resident_id
from schema.ids import encode_id
from tests.support.db import StatementCounter
from tests.support.review import REVIEW_QUEUE, ReviewWorld

ADD = """mutation($text: String!) { addTrustedDocument(text: $text) { errors { code message } } }"""

EVERYTHING = """query Everything($filter: ReviewQueueFilter, $first: Int, $after: String, $withReview: Boolean!) {
  __typename
  page: reviewQueue(filter: $filter, first: $first, after: $after) {
    __typename totalCount
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges { __typename cursor node { ...item } }
    nodes { id ... on QueueItem { state year } }
  }
}
fragment item on QueueItem {
  __typename id year level titleName applicantName confirmedAt arrivedAt state reportedAt
  review @include(if: $withReview) { __typename decision reason reviewerName decidedAt accepted round
                                     unit { id name } }
  applicant { __typename id name idNumber birthDate birthYear sex mobile }
  workUnit { id name uscc isPermitted permissionStatus region { code name parentCode } }
  declaration {
    id year seriesCode seriesName level titleCode titleName specialtyCode specialtyName method exceptionalReason
    formerSeriesCode educationLevel currentTitle currentTitleObtainedOn yearsInSpecialty phone status
    returnReason createdAt updatedAt confirmedAt isEditable canWithdraw acceptedAt
    applicant { id idNumber mobile birthDate } workUnit { id name } currentUnit { id name }
    qualifications { id category createdAt updatedAt seriesCode seriesName level titleCode titleName obtainedOn
                     certificateNumber issuingAuthority }
  }
}"""
DOCUMENTS = {"bench": BENCH_REVIEW_QUEUE, "tests": REVIEW_QUEUE, "everything": EVERYTHING}


class Compare:
    """Sends a registered document both ways and compares."""

    def __init__(self, api, counter: StatementCounter) -> None:
        self.api, self.counter = api, counter

    async def register(self, admin: str, text: str) -> str:
        added = (await self.api(ADD, {"text": text}, admin))["addTrustedDocument"]
        assert added["errors"] == [], added
        return hashlib.sha256(text.encode()).hexdigest()

    async def _post(self, body: dict, token: str | None) -> tuple[int, Any, int]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.counter.count, self.counter.active = 0, True
        try:
            response = await self.api.client.post("/graphql", json=body, headers=headers)
        finally:
            self.counter.active = False
        return response.status_code, _without_budget(response.json()), self.counter.count

    async def same(self, text: str, variables: dict, token: str | None, *, compiled: bool = True,
                   operation: str | None = None) -> Any:
        doc_id = hashlib.sha256(text.encode()).hexdigest()
        standard = await self._post({"query": text, "variables": variables, "operationName": operation}, token)
        body = {"documentId": doc_id, "variables": variables, "operationName": operation}
        await self._post(body, token)  # the worker looks it up once
        by_id = await self._post(body, token)
        assert by_id[:2] == standard[:2]
        if compiled:  # authentication (when a token is sent) and the one compiled statement
            assert by_id[2] == (2 if token else 1), (by_id[2], standard[2])
        return standard[1]


def _without_budget(answer: Any) -> Any:
    """The answer without what changes from one request to the next: the rate budget left
    (anonymous callers spend one; schema/cost.py). The requested cost stays compared."""
    cost = (answer.get("extensions") or {}).get("cost") if isinstance(answer, dict) else None
    if cost:
        answer["extensions"]["cost"] = {"requested": cost.get("requested")}
    return answer


@pytest.fixture
async def world(api, engine, services) -> ReviewWorld:
    return await ReviewWorld(api, engine, services).setup()


@pytest.fixture
def compare(api, statement_counter) -> Compare:
    return Compare(api, statement_counter)


async def _queue(world: ReviewWorld, pending: int, approved: int, rejected: int) -> None:
    for _ in range(pending):
        await world.confirmed()
    for _ in range(approved):
        d = await world.confirmed()
        assert (await world.review(world.base, d["id"]))["errors"] == []
    for _ in range(rejected):
        d = await world.confirmed()
        assert (await world.review(world.base, d["id"], "REJECT", "材料不全"))["errors"] == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
async def test_review_queue_pages_answer_the_same(world, compare, name):
    await _queue(world, pending=3, approved=2, rejected=1)
    text = DOCUMENTS[name]
    await compare.register(world.admin, text)
    extra = {"withReview": True} if name == "everything" else {}
    for state in ("PENDING", "APPROVED", "REJECTED", "CORRECTION_REQUESTED"):
        after = None
        for _ in range(4):  # pages of 2 until the end, then the empty page after it
            data = await compare.same(text, {"filter": {"state": state}, "first": 2, "after": after, **extra},
                                      world.base["token"])
            page = data["data"].get("page") or data["data"]["reviewQueue"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    data = await compare.same(text, {"filter": {"state": "APPROVED", "year": 2026, "level": "ASSOCIATE_SENIOR",
                                                "titleCode": "ENGINEERING.SENIOR_ENGINEER"}, **extra},
                              world.base["token"])
    page = data["data"].get("page") or data["data"]["reviewQueue"]
    assert page["totalCount"] == 2
    empty = await compare.same(text, {"filter": {"state": "APPROVED", "year": 2001}, **extra}, world.base["token"])
    assert (empty["data"].get("page") or empty["data"]["reviewQueue"])["edges"] == []


async def test_refusals_are_the_standard_paths(world, compare, api, applicant, province_admin):
    """Whoever the standard path refuses, and whatever arguments it refuses, the document
    sent by id gets the very same answer (it runs on the standard path)."""
    await _queue(world, pending=2, approved=0, rejected=0)
    await compare.register(world.admin, EVERYTHING)
    unpermitted = await api.register_unit()
    unpermitted_token = await api.login(unpermitted["loginName"])
    ok = {"filter": {"state": "PENDING"}, "first": 1, "withReview": False}
    for token in (None, applicant["token"], province_admin, unpermitted_token):
        answer = await compare.same(EVERYTHING, ok, token, compiled=False)
        assert answer["data"] is None and answer["errors"]
    base = world.base["token"]
    for variables in ({**ok, "first": 0}, {**ok, "first": 1000}, {**ok, "after": "bm90IGEgY3Vyc29y"},
                      {**ok, "after": "W10="}, {**ok, "first": "two"}, {"first": 1},
                      {**ok, "filter": {"state": "NOT_A_STATE"}}):
        answer = await compare.same(EVERYTHING, variables, base, compiled=False)
        assert answer.get("errors"), answer


async def test_unknown_operation_and_mutations_run_on_the_standard_path(world, compare):
    both = EVERYTHING + "\nmutation Logout { logout { errors { code } } }"
    await compare.register(world.admin, both)
    base = world.base["token"]
    variables = {"filter": {"state": "PENDING"}, "withReview": True}
    await compare.same(both, variables, base, compiled=False)  # which operation? the standard path decides
    data = await compare.same(both, variables, base, operation="Everything")
    assert data["data"]["page"]["totalCount"] == 0
    logout = await compare.api.client.post("/graphql", json={
        "documentId": hashlib.sha256(both.encode()).hexdigest(), "operationName": "Logout"},
        headers={"Authorization": f"Bearer {base}"})  # a trusted mutation: the standard path runs it
    assert logout.json()["data"] == {"logout": {"errors": []}}


# --- property tests ---------------------------------------------------------------------

EXAMPLES = int(os.environ.get("ZHICHENG_HYPOTHESIS_EXAMPLES", "25"))


@pytest.fixture
async def session_loop() -> asyncio.AbstractEventLoop:
    """The loop the engine and the app's client were made on (hypothesis runs sync tests)."""
    return asyncio.get_running_loop()


_ID_CHARS = st.sampled_from("0123456789Xx ")
_STAMPS = st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9000, 12, 31),
                       timezones=st.just(dt.UTC))


def test_sql_twins_render_what_python_renders(session_loop, engine):
    """Masks, global ids, cursors and timestamps: the SQL of resolvers.projections equals the
    Python the standard path runs, for generated values (one statement per example)."""

    async def evaluate(columns: list[Any]) -> tuple:
        async with engine.connect() as conn:
            return tuple((await conn.execute(select(*columns))).one())

    @settings(max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))
    @given(ids=st.lists(st.text(_ID_CHARS, max_size=20), min_size=1, max_size=8),
           mobiles=st.lists(st.text("0123456789", max_size=12), min_size=1, max_size=8),
           rows=st.lists(st.integers(1, 2**63 - 1), min_size=1, max_size=8),
           stamps=st.lists(_STAMPS, min_size=1, max_size=8))
    def check(ids: list[str], mobiles: list[str], rows: list[int], stamps: list[dt.datetime]) -> None:
        columns = [*(sql.masked_id_number(literal(i, String)) for i in ids),
                   *(sql.masked_mobile(literal(m, String)) for m in mobiles),
                   *(sql.global_id("QueueItem", literal(r, BigInteger)) for r in rows),
                   *(sql.int_cursor(literal(r, BigInteger)) for r in rows),
                   *(sql.iso_datetime(literal(s, DateTime(timezone=True))) for s in stamps)]
        expected = (*(mask_resident_id(i) for i in ids), *(mask_mobile(m) for m in mobiles),
                    *(encode_id("QueueItem", r) for r in rows), *(encode_cursor((r,)) for r in rows),
                    *(s.isoformat() for s in stamps))
        assert session_loop.run_until_complete(evaluate(columns)) == expected

    check()


def test_generated_variables_answer_the_same(session_loop, api, engine, services, statement_counter):
    """A queue with every review state, then generated variables: states, filters, page
    sizes in and out of range, cursors from the answers and forged ones, @include."""
    world = ReviewWorld(api, engine, services)
    compare = Compare(api, statement_counter)

    async def build() -> list[str]:
        await world.setup()
        await _queue(world, pending=3, approved=2, rejected=2)
        await compare.register(world.admin, EVERYTHING)
        cursors = []
        for state in ("PENDING", "APPROVED", "REJECTED"):
            data = await api(EVERYTHING, {"filter": {"state": state}, "first": 1, "withReview": False},
                             world.base["token"])
            cursors += [e["cursor"] for e in data["page"]["edges"]]
        return cursors

    cursors = session_loop.run_until_complete(build())
    filters = st.fixed_dictionaries({}, optional={
        "state": st.sampled_from(["PENDING", "APPROVED", "REJECTED", "RETURNED_DOWN"]),
        "year": st.sampled_from([2025, 2026]), "level": st.sampled_from(["ASSOCIATE_SENIOR", "SENIOR"]),
        "titleCode": st.sampled_from(["", "ENGINEERING.SENIOR_ENGINEER", "NO.SUCH"])})

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(f=st.one_of(st.none(), filters), first=st.one_of(st.none(), st.integers(-1, 8), st.just(101)),
           after=st.one_of(st.none(), st.sampled_from(cursors), st.just("W10="), st.just("bad")),
           with_review=st.booleans())
    def check(f: dict | None, first: int | None, after: str | None, with_review: bool) -> None:
        variables = {"filter": f, "first": first, "after": after, "withReview": with_review}
        refused = (first is not None and not 1 <= first <= 100) or after in ("W10=", "bad")
        session_loop.run_until_complete(compare.same(EVERYTHING, variables, world.base["token"],
                                                     compiled=not refused))

    check()


MY_DECLARATIONS = """query Mine($first: Int, $after: String) { myDeclarations(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { cursor node { ...declaration } } nodes { id status isEditable canWithdraw } } }
fragment declaration on Declaration {
  id year seriesCode seriesName level titleCode titleName specialtyCode specialtyName method exceptionalReason
  formerSeriesCode educationLevel currentTitle currentTitleObtainedOn yearsInSpecialty phone status returnReason
  createdAt updatedAt confirmedAt isEditable canWithdraw acceptedAt
  applicant { id name idNumber birthDate birthYear sex mobile } workUnit { id name region { code name } }
  currentUnit { id name }
  qualifications { id category createdAt updatedAt seriesName level titleName obtainedOn certificateNumber }
}"""


async def test_my_declarations_answer_the_same_for_their_owner_only(world, compare, api):
    draft = await world.complete()
    other = await world.other_applicant()
    await compare.register(world.admin, MY_DECLARATIONS)
    mine = await compare.same(MY_DECLARATIONS, {}, world.token)
    node = mine["data"]["myDeclarations"]["edges"][0]["node"]
    assert node["id"] == draft["id"] and node["applicant"]["birthDate"] is not None  # the owner's own view
    assert "*" not in node["applicant"]["idNumber"] and len(node["qualifications"]) == 1
    first = await compare.same(MY_DECLARATIONS, {"first": 1}, world.token)
    after = first["data"]["myDeclarations"]["pageInfo"]["endCursor"]
    assert (await compare.same(MY_DECLARATIONS, {"first": 1, "after": after}, world.token)
            )["data"]["myDeclarations"]["edges"] == []
    assert (await compare.same(MY_DECLARATIONS, {}, other))["data"]["myDeclarations"]["totalCount"] == 0
    for token in (None, world.unit_token, world.admin):
        assert (await compare.same(MY_DECLARATIONS, {}, token, compiled=False))["errors"]
    confirmed = await world.confirmed()  # another applicant's, waiting at the unit: confirmed, not editable
    seen = await compare.same(MY_DECLARATIONS, {}, confirmed["token"])
    assert seen["data"]["myDeclarations"]["nodes"][0]["isEditable"] is False


UNITS = """query Units($search: String, $region: String, $all: Boolean! = false, $first: Int, $after: String) {
  units(search: $search, regionCode: $region, includeUnpermitted: $all, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { __typename id name uscc isPermitted permissionStatus region { code name parentCode } } } } }"""


async def test_unit_search_answers_the_same(world, compare, api):
    for name in ("济南“光明”建材有限公司", "济南市光明中学", "青岛光明100%_科技\\公司"):
        await world.permitted_unit(name)
    await api.register_unit(name="济南光明未获权限单位")
    await compare.register(world.admin, UNITS)
    token = world.unit_token
    for variables in ({}, {"search": "光明"}, {"search": "光"}, {"search": "光明中学"}, {"search": "100%_"},
                      {"search": world.unit["uscc"]}, {"search": "光明", "all": True}, {"search": "光明", "region": "370100"},
                      {"search": "光明", "region": "370000"}, {"search": "没有这个"}, {"search": "  "}):
        after = None
        for _ in range(6):  # one unit a page: every cursor, names with quotes and % _ \\ in it
            data = await compare.same(UNITS, {**variables, "first": 1, "after": after}, token)
            page = data["data"]["units"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    assert (await compare.same(UNITS, {"search": "光明", "all": True}, token))["data"]["units"]["totalCount"] == 4
    assert (await compare.same(UNITS, {"search": "光明"}, None, compiled=False))["errors"]
