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
from sqlalchemy import BigInteger, Date, DateTime, SmallInteger, String, literal, select, text

from bench.run import REVIEW_QUEUE as BENCH_REVIEW_QUEUE
from resolvers import projections as sql
from resolvers.paging import encode_cursor
from rules import corrections as correction_rules
from rules.identity import mask_mobile, mask_resident_id
from schema.ids import decode_id, encode_id
from tests.support.api import PASSWORD
from tests.support.committee import CREATE_OFFICE, CommitteeWorld, office_for
from tests.support.corrections import confirm, item, relogin, request, return_down
from tests.support.corrections import confirmed as confirmed_applicant
from tests.support.db import StatementCounter
from tests.support.declarations import CONFIRM, QUALIFICATION, WITHDRAW, make_admin, png_bytes
from tests.support.review import REPORT_QUEUE, REVIEW_QUEUE, ReviewWorld, codes, rows, seed_approved
from tests.support.units import create_committee

ADD = """mutation($text: String!) { addTrustedDocument(text: $text) { errors { code message } } }"""

QUEUE_ITEM = """fragment item on QueueItem {
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


def _queue_page() -> str:
    """A queue connection's selection, spreading QUEUE_ITEM (not a module-level string: on its
    own it is a document whose fragment is missing, which test_limits' scan would refuse)."""
    return """{
    __typename totalCount
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    edges { __typename cursor node { ...item } }
    nodes { id ... on QueueItem { state year } }
  }"""


EVERYTHING = """query Everything($filter: ReviewQueueFilter, $first: Int, $after: String, $withReview: Boolean!) {
  __typename
  page: reviewQueue(filter: $filter, first: $first, after: $after) %s
}
%s""" % (_queue_page(), QUEUE_ITEM)
REPORT_EVERYTHING = """query Report($filter: ReportQueueFilter, $sort: ReportQueueSort, $direction: SortDirection,
                    $first: Int, $after: String, $withReview: Boolean!) {
  __typename
  page: reportQueue(filter: $filter, sort: $sort, direction: $direction, first: $first, after: $after) %s
}
%s""" % (_queue_page(), QUEUE_ITEM)
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


def keep_documents(services) -> None:
    """The worker trusts its copy of a document for 5 s (real time), then looks it up again:
    a lookup between a comparison's two requests would count as a statement of the second."""
    services.documents.refresh_seconds = 3600


@pytest.fixture
def compare(api, services, statement_counter) -> Compare:
    keep_documents(services)
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


TWO_ROOTS = """query Dashboard {
  waiting: reviewQueue(first: 1) { totalCount pageInfo { hasNextPage endCursor } nodes { id } }
  approved: reviewQueue(filter: {state: APPROVED, year: 2026}, first: 2) { totalCount nodes { id } }
  units(search: "济南", first: 1) { totalCount edges { cursor node { name } } }
}"""
NULL_FOR_NON_NULL = """query($all: Boolean) { units(includeUnpermitted: $all) { totalCount } }"""


async def test_root_fields_keep_their_own_page_and_arguments(world, compare):
    """Two queues and a unit search in one compiled statement: each root field binds its own
    page size and filter (they shared one parameter name, and the last one's value) and pages
    in its own CTE (two of the same name did not compile); a null for a non-null argument
    is the standard path's refusal."""
    await _queue(world, pending=3, approved=3, rejected=0)
    await compare.register(world.admin, TWO_ROOTS)
    data = (await compare.same(TWO_ROOTS, {}, world.base["token"]))["data"]
    assert len(data["waiting"]["nodes"]) == 1 and len(data["approved"]["nodes"]) == 2
    assert data["waiting"]["totalCount"] == data["approved"]["totalCount"] == 3
    assert len(data["units"]["edges"]) == 1 and data["units"]["totalCount"] == 2
    await compare.register(world.admin, NULL_FOR_NON_NULL)
    assert (await compare.same(NULL_FOR_NON_NULL, {"all": None}, world.base["token"], compiled=False))["errors"]
    assert (await compare.same(NULL_FOR_NON_NULL, {"all": False}, world.base["token"]))["data"]["units"]["totalCount"] == 3


# --- the report queue ---------------------------------------------------------------------

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
REPORT_UNITS = ("乙钢铁公司", "青岛光明100%_科技\\公司", "济南“光明”建材有限公司")


async def _seed_report_queue(world: ReviewWorld, unit: dict) -> None:
    """Declarations waiting at `unit` to be reported, from work units whose names hold quotes,
    % _ and a backslash, with ties in every sort column (names, work units, levels, titles,
    confirmation times) and confirmation times to the microsecond and to the second."""
    await world.api("mutation { openDeclarationYear(year: 2025) { errors { code } } }", token=world.admin)
    units = [(await world.permitted_unit(name))["id"] for name in REPORT_UNITS]
    data = [("王五", 0, "ASSOCIATE_SENIOR", dt.timedelta(days=2), 2026),
            ("王五", 1, "ASSOCIATE_SENIOR", dt.timedelta(days=2), 2026),
            ('李"四\\', 1, "INTERMEDIATE", dt.timedelta(microseconds=123_456), 2026),
            ("张三", 2, "ASSOCIATE_SENIOR", dt.timedelta(days=1, milliseconds=500), 2026),
            ("赵六", 2, "INTERMEDIATE", dt.timedelta(days=3), 2026),
            ("钱七", 0, "ASSOCIATE_SENIOR", dt.timedelta(days=4), 2025)]
    await seed_approved(world.engine, unit["id"], [
        {"name": n, "work_unit": units[u], "level": lv, "confirmed_at": T0 + d, "year": y}
        for n, u, lv, d, y in data], tag=f"report{unit['id']}")


@pytest.fixture
async def report_world(world) -> ReviewWorld:
    """The 主管部门's report queue: the seeded declarations and one that came up the real way
    (with its qualification, reviewed there); the work unit's: one approved and publicised."""
    await _seed_report_queue(world, world.dept)
    reviewed = await world.at_dept()
    assert (await world.review(world.dept, reviewed["id"]))["errors"] == []
    await world.ready_to_report()
    return world


def _report_page(data: dict) -> dict:
    return data["data"].get("page") or data["data"]["reportQueue"]


async def _every_page(compare: Compare, text: str, variables: dict, token: str, first: int) -> list[dict]:
    """Every page of `first` through the queue, and the empty page after the last one."""
    pages, after = [], None
    for _ in range(20):
        data = await compare.same(text, {**variables, "first": first, "after": after}, token)
        pages.append(_report_page(data))
        if not pages[-1]["pageInfo"]["hasNextPage"]:
            break
        after = pages[-1]["pageInfo"]["endCursor"]
    assert pages[-1]["pageInfo"]["endCursor"] is not None
    empty = await compare.same(text, {**variables, "first": first, "after": pages[-1]["pageInfo"]["endCursor"]},
                               token)
    assert _report_page(empty)["edges"] == []
    return pages


_SORT_COLUMNS = {"CONFIRMED_AT": "confirmed_at", "LEVEL": "level_rank", "TITLE": "title_name",
                 "APPLICANT_NAME": "applicant_name", "WORK_UNIT_NAME": "work_unit_name"}


@pytest.mark.parametrize("name", ["tests", "everything"])
async def test_report_queue_pages_answer_the_same(report_world, compare, name):
    """Every sort in both directions, page by page through the whole queue (cursors of
    timestamps, small integers and text with quotes and backslashes): the same answers, and
    the order the rows' columns give, ties by id in the same direction."""
    world = report_world
    text = {"tests": REPORT_QUEUE, "everything": REPORT_EVERYTHING}[name]
    extra = {"withReview": True} if name == "everything" else {}
    await compare.register(world.admin, text)
    dept = world.dept["token"]
    for sort, column in _SORT_COLUMNS.items():
        for direction in ("ASC", "DESC"):
            pages = await _every_page(compare, text, {"sort": sort, "direction": direction, **extra}, dept, first=2)
            got = [e["node"]["declaration"]["id"] for page in pages for e in page["edges"]]
            found = await rows(world.engine, f"SELECT declaration_id FROM review_step WHERE awaiting_report "
                                             f"AND unit_id = :unit ORDER BY {column} {direction}, id {direction}",
                               unit=decode_id(world.dept["id"], "Unit", "id"))
            assert got == [encode_id("Declaration", r.declaration_id) for r in found], (sort, direction)
            assert len(got) == 7 and pages[0]["totalCount"] == 7
    defaults = await compare.same(text, {"first": 3, **extra}, dept)  # sort and direction omitted
    assert _report_page(defaults) == _report_page(
        await compare.same(text, {"first": 3, "sort": "CONFIRMED_AT", "direction": "ASC", **extra}, dept))
    own = _report_page(await compare.same(text, extra, world.base["token"]))  # the work unit's own queue
    assert own["totalCount"] == 1
    nothing = _report_page(await compare.same(text, extra, world.accepting["token"]))
    assert nothing["totalCount"] == 0 and nothing["edges"] == [] and nothing["pageInfo"]["endCursor"] is None


async def test_report_queue_filters_and_the_work_unit_search_answer_the_same(report_world, compare):
    """Year, level and title filters, and the work-unit name search with LIKE's own characters
    taken literally: the same rows both ways, paged with cursors while searching."""
    world = report_world
    await compare.register(world.admin, REPORT_EVERYTHING)
    dept = world.dept["token"]
    counts = {}
    for f in ({}, {"workUnitName": "光明"}, {"workUnitName": "%"}, {"workUnitName": "_"}, {"workUnitName": "\\"},
              {"workUnitName": "100%_"}, {"workUnitName": "0%_科"}, {"workUnitName": "“光明”"},
              {"workUnitName": "  钢铁 "}, {"workUnitName": ""}, {"workUnitName": "   "},
              {"workUnitName": "没有这个"}, {"year": 2025}, {"year": 2026, "level": "INTERMEDIATE"},
              {"level": "ASSOCIATE_SENIOR", "titleCode": "ENGINEERING.SENIOR_ENGINEER", "workUnitName": "钢铁"},
              {"titleCode": ""}, {"titleCode": "NO.SUCH"}, {"year": 2001}):
        for sort in ("APPLICANT_NAME", "WORK_UNIT_NAME"):
            data = await compare.same(REPORT_EVERYTHING, {"filter": f, "sort": sort, "direction": "DESC",
                                                          "withReview": False}, dept)
            counts[repr(f)] = _report_page(data)["totalCount"]
    assert counts[repr({"workUnitName": "%"})] == counts[repr({"workUnitName": "\\"})] == 2  # 青岛光明100%_科技\公司
    assert counts[repr({"workUnitName": "光明"})] == 4 and counts[repr({"workUnitName": "没有这个"})] == 0
    assert counts[repr({"workUnitName": "   "})] == counts[repr({})] == 7
    assert counts[repr({"year": 2001})] == 0 and counts[repr({"year": 2025})] == 1
    pages = await _every_page(compare, REPORT_EVERYTHING, {"filter": {"workUnitName": "光明"}, "sort": "WORK_UNIT_NAME",
                                                           "withReview": True}, dept, first=1)
    assert sum(len(p["edges"]) for p in pages) == 4


async def test_report_queue_refusals_are_the_standard_paths(report_world, compare, api, applicant, province_admin,
                                                            engine):
    """Whoever may not read the report queue, and whatever arguments the standard path
    refuses (page sizes, cursors of another sort's type or of the review queue, null for the
    sort or direction), run on the standard path and get its very answer."""
    world = report_world
    await compare.register(world.admin, REPORT_EVERYTHING)
    unpermitted = await api.register_unit()
    unpermitted_token = await api.login(unpermitted["loginName"])
    must_change = await world.permitted_unit("济南市须改密码单位")
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE account SET must_change_password = true WHERE login_name = :login"),
                           {"login": must_change["loginName"]})
    ok = {"first": 1, "withReview": False}
    for token in (None, applicant["token"], province_admin, unpermitted_token, must_change["token"]):
        answer = await compare.same(REPORT_EVERYTHING, ok, token, compiled=False)
        assert answer["data"] is None and answer["errors"]
    dept = world.dept["token"]
    by_time = _report_page(await compare.same(REPORT_EVERYTHING, ok, dept))["pageInfo"]["endCursor"]
    by_name = _report_page(await compare.same(REPORT_EVERYTHING, {**ok, "sort": "TITLE"}, dept))["pageInfo"]["endCursor"]
    review_cursor = encode_cursor((1,))
    for variables in ({**ok, "first": 0}, {**ok, "first": 1000}, {**ok, "first": "two"},
                      {**ok, "after": "bm90IGEgY3Vyc29y"}, {**ok, "after": "W10="}, {**ok, "after": review_cursor},
                      {**ok, "after": by_name}, {**ok, "sort": "LEVEL", "after": by_time},
                      {**ok, "sort": "LEVEL", "after": encode_cursor((70_000, 1))},
                      {**ok, "after": encode_cursor((dt.datetime(2026, 3, 1), 1))},
                      {**ok, "after": encode_cursor((dt.date(2026, 3, 1), 1))},
                      {**ok, "sort": None}, {**ok, "direction": None}, {**ok, "sort": "NOPE"},
                      {**ok, "direction": "UP"}, {"first": 1}):
        answer = await compare.same(REPORT_EVERYTHING, variables, dept, compiled=False)
        assert answer.get("errors"), (variables, answer)
    # A text cursor fits every text sort: another sort's (or a made-up) one pages from its value.
    assert (await compare.same(REPORT_EVERYTHING, {**ok, "sort": "APPLICANT_NAME", "after": by_name}, dept)
            )["data"]["page"]["pageInfo"]["hasPreviousPage"] is True


BOTH_QUEUES = """query Both($sort: ReportQueueSort!, $search: String) {
  review: reviewQueue(filter: {state: APPROVED}, first: 1) { totalCount pageInfo { endCursor } nodes { id } }
  soonest: reportQueue(sort: $sort, first: 2, filter: {year: 2026}) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id applicantName } } }
  latest: reportQueue(sort: $sort, direction: DESC, first: 3, filter: {workUnitName: $search}) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id workUnit { name } } } }
  units(search: "光明", first: 4) { totalCount edges { cursor node { name } } }
}"""


async def test_both_queues_in_one_document_answer_the_same(report_world, compare):
    """A unit's dashboard: its review queue, its report queue twice and a unit search in one
    compiled statement, each with its own page size, filter, sort and cursor."""
    world = report_world
    await compare.register(world.admin, BOTH_QUEUES)
    for sort in ("CONFIRMED_AT", "WORK_UNIT_NAME"):
        for search in (None, "光明", "%"):
            data = (await compare.same(BOTH_QUEUES, {"sort": sort, "search": search}, world.dept["token"]))["data"]
            assert len(data["soonest"]["edges"]) == 2 and data["soonest"]["totalCount"] == 6
            assert len(data["latest"]["edges"]) == min(3, data["latest"]["totalCount"])
            assert len(data["review"]["nodes"]) == 1


# --- property tests ---------------------------------------------------------------------

EXAMPLES = int(os.environ.get("ZHICHENG_HYPOTHESIS_EXAMPLES", "25"))


@pytest.fixture
async def session_loop() -> asyncio.AbstractEventLoop:
    """The loop the engine and the app's client were made on (hypothesis runs sync tests)."""
    return asyncio.get_running_loop()


_ID_CHARS = st.sampled_from("0123456789Xx ")
_STAMPS = st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9000, 12, 31),
                       timezones=st.just(dt.UTC))
_DAYS = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9000, 12, 31))
#: Sort-key text: anything PostgreSQL's text holds (no NUL), quotes, escapes and all.
_TEXTS = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=20)


def _key_type(value: Any) -> Any:
    """The column type a report-queue (or unit-search) sort key of this value has."""
    if isinstance(value, dt.datetime):
        return DateTime(timezone=True)
    if isinstance(value, dt.date):
        return Date()
    return SmallInteger() if isinstance(value, int) else String()


def test_sql_twins_render_what_python_renders(session_loop, engine):
    """Masks, global ids, cursors (of every sort key's type) and timestamps: the SQL of
    resolvers.projections equals the Python the standard path runs, for generated values
    (one statement per example)."""

    async def evaluate(columns: list[Any]) -> tuple:
        async with engine.connect() as conn:
            return tuple((await conn.execute(select(*columns))).one())

    @settings(max_examples=EXAMPLES * 4, deadline=None, suppress_health_check=list(HealthCheck))
    @given(ids=st.lists(st.text(_ID_CHARS, max_size=20), min_size=1, max_size=8),
           mobiles=st.lists(st.text("0123456789", max_size=12), min_size=1, max_size=8),
           rows=st.lists(st.integers(1, 2**63 - 1), min_size=1, max_size=8),
           stamps=st.lists(_STAMPS, min_size=1, max_size=8),
           keys=st.lists(st.tuples(st.one_of(_STAMPS, _DAYS, _TEXTS, st.integers(-(2**15), 2**15 - 1), st.none()),
                                   st.integers(1, 2**63 - 1)), min_size=1, max_size=8))
    def check(ids: list[str], mobiles: list[str], rows: list[int], stamps: list[dt.datetime],
              keys: list[tuple[Any, int]]) -> None:
        columns = [*(sql.masked_id_number(literal(i, String)) for i in ids),
                   *(sql.masked_mobile(literal(m, String)) for m in mobiles),
                   *(sql.global_id("QueueItem", literal(r, BigInteger)) for r in rows),
                   *(sql.int_cursor(literal(r, BigInteger)) for r in rows),
                   *(sql.iso_datetime(literal(s, DateTime(timezone=True))) for s in stamps),
                   *(sql.json_cursor(literal(k, _key_type(k)), literal(r, BigInteger)) for k, r in keys)]
        expected = (*(mask_resident_id(i) for i in ids), *(mask_mobile(m) for m in mobiles),
                    *(encode_id("QueueItem", r) for r in rows), *(encode_cursor((r,)) for r in rows),
                    *(s.isoformat() for s in stamps), *(encode_cursor(key) for key in keys))
        assert session_loop.run_until_complete(evaluate(columns)) == expected

    check()


#: The kind of value each report sort's cursor holds: a cursor fits the sorts of its kind.
REPORT_CURSOR_KIND = {"CONFIRMED_AT": "timestamp", "LEVEL": "integer", "TITLE": "text", "APPLICANT_NAME": "text",
                      "WORK_UNIT_NAME": "text"}
REPORT_SORTS = sorted(REPORT_CURSOR_KIND)
WORK_UNIT_SEARCHES = ["", "  ", "光明", " 钢铁 ", "%", "_", "\\", "100%_", "“光明”", "没有这个"]
#: Cursors no answer gave, that fit no sort: not base64 JSON, no keys, a date or a naive time
#: for a timestamp, past a smallint. (A made-up text cursor fits the text sorts: FORGED_TEXT.)
FORGED_CURSORS = ["W10=", "bad", encode_cursor((dt.date(2026, 3, 1), 1)), encode_cursor((dt.datetime(2026, 3, 1), 1)),
                  encode_cursor((70_000, 1))]
FORGED_TEXT = encode_cursor(("光明", 1))
_OMITTED = "(omitted)"


def test_generated_variables_answer_the_same(session_loop, api, engine, services, statement_counter):
    """A unit's review queue with every review state and its report queue with ties in every
    sort column, then generated requests of either: states, filters, the work-unit search,
    sorts and directions (given, omitted, null), page sizes in and out of range, cursors from
    the answers (of either queue, of any sort) and forged ones, @include."""
    world = ReviewWorld(api, engine, services)
    keep_documents(services)
    compare = Compare(api, statement_counter)

    async def build() -> tuple[list[str], list[tuple[str, str]]]:
        await world.setup()
        await _queue(world, pending=3, approved=2, rejected=2)  # the approved ones wait to be reported
        await _seed_report_queue(world, world.base)
        await compare.register(world.admin, EVERYTHING)
        await compare.register(world.admin, REPORT_EVERYTHING)
        cursors = []
        for state in ("PENDING", "APPROVED", "REJECTED"):
            data = await api(EVERYTHING, {"filter": {"state": state}, "first": 1, "withReview": False},
                             world.base["token"])
            cursors += [e["cursor"] for e in data["page"]["edges"]]
        report_cursors = []
        for sort in REPORT_SORTS:
            for direction in ("ASC", "DESC"):
                data = await api(REPORT_EVERYTHING, {"sort": sort, "direction": direction, "first": 4,
                                                     "withReview": False}, world.base["token"])
                report_cursors += [(sort, e["cursor"]) for e in data["page"]["edges"]]
        return cursors, report_cursors

    cursors, report_cursors = session_loop.run_until_complete(build())
    queue_filter = {"year": st.sampled_from([2025, 2026]), "level": st.sampled_from(["ASSOCIATE_SENIOR", "SENIOR"]),
                    "titleCode": st.sampled_from(["", "ENGINEERING.SENIOR_ENGINEER", "NO.SUCH"])}
    review_filters = st.fixed_dictionaries({}, optional={
        "state": st.sampled_from(["PENDING", "APPROVED", "REJECTED", "RETURNED_DOWN"]), **queue_filter})
    report_filters = st.fixed_dictionaries({}, optional={
        "workUnitName": st.sampled_from(WORK_UNIT_SEARCHES), **queue_filter})
    firsts = st.one_of(st.none(), st.integers(-1, 8), st.just(101))

    def bad_first(first: int | None) -> bool:
        return first is not None and not 1 <= first <= 100

    @st.composite
    def review_requests(draw: Any) -> tuple[str, dict, bool]:
        """(document, variables, whether the standard path refuses them)."""
        first = draw(firsts)
        after = draw(st.one_of(st.none(), st.sampled_from(cursors),
                               st.sampled_from([c for _, c in report_cursors] + FORGED_CURSORS + [FORGED_TEXT])))
        variables = {"filter": draw(st.one_of(st.none(), review_filters)), "first": first, "after": after}
        return EVERYTHING, variables, bad_first(first) or (after is not None and after not in cursors)

    @st.composite
    def report_requests(draw: Any) -> tuple[str, dict, bool]:
        sort = draw(st.sampled_from([*REPORT_SORTS, None, _OMITTED]))
        direction = draw(st.sampled_from(["ASC", "DESC", None, _OMITTED]))
        first = draw(firsts)
        cursor_sort, after = draw(st.one_of(st.none().map(lambda _: (None, None)), st.sampled_from(report_cursors),
                                            st.sampled_from([("TITLE", FORGED_TEXT)]
                                                            + [("none", c) for c in cursors + FORGED_CURSORS])))
        variables = {"filter": draw(st.one_of(st.none(), report_filters)), "first": first, "after": after}
        variables |= {k: v for k, v in (("sort", sort), ("direction", direction)) if v != _OMITTED}
        kind = REPORT_CURSOR_KIND["CONFIRMED_AT" if sort == _OMITTED else sort] if sort is not None else None
        refused = (bad_first(first) or sort is None or direction is None  # null for a non-null argument
                   or (after is not None and REPORT_CURSOR_KIND.get(cursor_sort or "") != kind))
        return REPORT_EVERYTHING, variables, refused

    @settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=list(HealthCheck))
    @given(request=st.one_of(review_requests(), report_requests()), with_review=st.booleans())
    def check(request: tuple[str, dict, bool], with_review: bool) -> None:
        document, variables, refused = request
        session_loop.run_until_complete(compare.same(document, {**variables, "withReview": with_review},
                                                     world.base["token"], compiled=not refused))

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


# --- declaration(id:) -------------------------------------------------------------------

RECORD = """fragment record on DeclarationRecord {
  __typename id category createdAt updatedAt materials { __typename id fileName downloadUrl }
  ... on Qualification { seriesCode seriesName level titleCode titleName obtainedOn certificateNumber issuingAuthority }
  ... on Education { school major educationLevel degree startDate endDate }
  ... on WorkExperience { employer position startDate until: endDate }
  ... on ContinuingEducation { year hours subject provider }
  ... on Achievement { kind title date role journal publisher isbn issuer awardGrade patentNumber projectSource ended: endDate }
}"""
#: Every Declaration field but `certificate` (resolved in Python: see the README), in one page.
DECLARATION_PAGE = {
    "scalars": """__typename id year seriesCode seriesName level titleCode titleName specialtyCode specialtyName method
      exceptionalReason formerSeriesCode educationLevel currentTitle currentTitleObtainedOn yearsInSpecialty phone
      status returnReason createdAt updatedAt confirmedAt isEditable canWithdraw acceptedAt""",
    "exceptionalConditions": "exceptionalConditions { __typename code name }",
    "correctionNotice": """correctionNotice { __typename items { target label message } deadline expiresAt requestedAt
      state resolvedAt unit { id name } }""",
    "applicant": "applicant { __typename id name idNumber birthDate birthYear sex mobile }",
    "units": """workUnit { id name uscc isPermitted permissionStatus region { code name parentCode } }
      currentUnit { id name }""",
    "records": "records { ...record }",
    "qualifications": "qualifications { id titleName materials { id } }",
    "byCategory": """educations { ...record } workExperiences { ...record } continuingEducations { ...record }
      achievements { ...record }""",
    "materials": """materials { __typename id fileName contentType size sha256 uploadedAt downloadUrl
      record { __typename id ... on Education { school } } }""",
    "reviews": "reviews { __typename decision reason reviewerName decidedAt accepted round unit { id name } }",
    "committee": """committee { __typename id name seriesCode seriesName levels region { code name parentCode }
      acceptingUnit { id name } active updatedAt }""",
    "timeline": "timeline @include(if: $withTimeline) { __typename action fromStatus toStatus actorName reason at unit { id name } }",
}


def declaration_document(parts: list[str]) -> str:
    """`declaration(id: $id)` selecting the page's `parts`, and a second root field of another id."""
    body = "\n    ".join(DECLARATION_PAGE[p] for p in parts) or "id"
    timeline = ", $withTimeline: Boolean! = true" if "timeline" in parts else ""
    return """query Declaration($id: ID!, $other: ID!%s) {
  __typename
  declaration(id: $id) {
    %s
  }
  other: declaration(id: $other) { id status applicant { idNumber mobile birthDate } }
}
%s""" % (timeline, body, RECORD if "...record" in body else "")


DECLARATION = declaration_document(list(DECLARATION_PAGE))

RECORDS = [
    QUALIFICATION,
    {"education": {"educationLevel": "BACHELOR", "school": "山东大学", "major": "土木工程",
                   "startDate": "2005-09-01", "endDate": "2009-07-01"}},
    {"education": {"educationLevel": "MASTER", "school": "同济大学", "major": "结构工程", "degree": "工学硕士",
                   "startDate": "2009-09-01", "endDate": "2012-07-01"}},
    {"workExperience": {"employer": "济南第一建筑公司", "position": "技术员", "startDate": "2012-08-01",
                        "endDate": "2016-12-31"}},
    {"workExperience": {"employer": "济南第二建筑公司", "position": "工程师", "startDate": "2017-01-01"}},
    {"continuingEducation": {"year": 2025, "hours": 96, "subject": "BIM 应用", "provider": "山东省建设培训中心"}},
    {"achievement": {"kind": "PAPER", "title": "大跨度结构的“抗震”设计", "date": "2020-05-01", "journal": "建筑结构"}},
    {"achievement": {"kind": "BOOK", "title": "混凝土结构", "date": "2021-03-01", "publisher": "科学出版社",
                     "role": "第一作者"}},
    {"achievement": {"kind": "PROJECT", "title": "济南东站配套工程", "date": "2022-01-01",
                     "projectSource": "济南市住建局", "endDate": "2023-06-30"}},
]


class DeclarationWorld:
    """A committee world with one declaration on every rung: accepted at the committee with
    records of every kind and materials, waiting at the 主管部门, a draft, a withdrawn one;
    and the callers who read them (or may not)."""

    def __init__(self, world: Any) -> None:
        self.world = world

    async def full(self) -> dict:
        """Accepted by the committee (破格, every kind of record, materials on it and on a record)."""
        w = self.world
        token = await w.other_applicant()
        created = await w.create(token, method="EXCEPTIONAL", exceptionalConditionCodes=["PROVINCIAL_AWARD",
                                 "MAJOR_ACHIEVEMENT"], exceptionalReason="获省科技进步二等奖")
        records = []
        for record in RECORDS:
            added = await w.add_record(created["id"], record, token=token)
            assert added["errors"] == [], added
            records.append(added["record"])
        await w.upload_ok(created["id"], token=token)
        await w.upload_ok(created["id"], png_bytes(), "学位证.png", mime="image/png", record_id=records[2]["id"],
                          token=token)
        confirmed = (await w.api(CONFIRM, {"id": created["id"]}, token))["confirmDeclaration"]
        assert confirmed["errors"] == [], confirmed
        d = {"id": created["id"], "token": token}
        assert (await w.review(w.base, d["id"]))["errors"] == []
        await w.publicised(w.base, [d["id"]])
        assert (await w.report(w.base, [d["id"]]))["errors"] == []
        assert (await w.review(w.dept, d["id"]))["errors"] == []
        assert (await w.report(w.dept, [d["id"]]))["errors"] == []
        assert (await w.review(w.accepting, d["id"]))["declaration"]["status"] == "ACCEPTED"
        return d

    async def setup(self) -> "DeclarationWorld":
        w = self.world
        self.accepted = await self.full()
        self.at_dept = await w.at_dept()
        self.draft = await w.create()  # the world's own applicant: no records, nothing decided
        self.draft["token"] = w.token
        self.withdrawn = await w.confirmed()
        withdrawn = await w.api(WITHDRAW, {"id": self.withdrawn["id"], "reason": "补充材料"}, self.withdrawn["token"])
        assert withdrawn["withdrawDeclaration"]["errors"] == []
        self.outsider = await w.permitted_unit("青岛第一机械厂")
        self.city_admin = await make_admin(w.api, w.services, "370100")
        self.other_city_admin = await make_admin(w.api, w.services, "370200")
        self.stranger = await w.other_applicant()
        return self

    def readers(self) -> dict[str, str]:
        w = self.world
        return {"owner": self.accepted["token"], "base": w.base["token"], "dept": w.dept["token"],
                "accepting": w.accepting["token"], "outsider": self.outsider["token"], "province": w.admin,
                "city": self.city_admin, "other city": self.other_city_admin, "office": w.office,
                "stranger": self.stranger, "draft owner": self.draft["token"]}

    def declarations(self) -> dict[str, str]:
        return {"accepted": self.accepted["id"], "at dept": self.at_dept["id"], "draft": self.draft["id"],
                "withdrawn": self.withdrawn["id"], "unknown": encode_id("Declaration", 2**62)}


@pytest.fixture
async def declaration_world(api, engine, services) -> DeclarationWorld:
    world = await CommitteeWorld(api, engine, services).setup()
    return await DeclarationWorld(world).setup()


async def test_declaration_answers_the_same_for_every_reader(declaration_world, compare):
    """Every reader × every declaration (own, routed through, region, committee, strangers,
    drafts, withdrawn, unknown): the standard path's answer, null where it answers null."""
    dw = declaration_world
    await compare.register(dw.world.admin, DECLARATION)
    ids = dw.declarations()
    seen = {}
    for reader, token in dw.readers().items():
        for name, gid in ids.items():
            data = await compare.same(DECLARATION, {"id": gid, "other": ids["draft"]}, token)
            assert "errors" not in data, data
            seen[reader, name] = data["data"]["declaration"]
    visible = {k for k, v in seen.items() if v is not None}
    assert visible == {("owner", "accepted"), ("draft owner", "draft"), *(
        (reader, name) for reader in ("base", "dept", "province", "city") for name in ("accepted", "at dept")),
        ("accepting", "accepted"), ("office", "accepted")}
    full = seen["base", "accepted"]
    assert full["status"] == "ACCEPTED" and full["committee"]["levels"] and full["committee"]["region"]["code"]
    assert [c["code"] for c in full["exceptionalConditions"]] == ["PROVINCIAL_AWARD", "MAJOR_ACHIEVEMENT"]
    assert [r["__typename"] for r in full["records"]] == [
        "Qualification", "Education", "Education", "WorkExperience", "WorkExperience", "ContinuingEducation",
        "Achievement", "Achievement", "Achievement"]
    assert [len(r["materials"]) for r in full["records"]] == [0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert full["materials"][1]["record"] == {"__typename": "Education", "id": full["records"][2]["id"],
                                              "school": "同济大学"}
    assert [r["unit"]["id"] for r in full["reviews"]] == [dw.world.base["id"], dw.world.dept["id"],
                                                          dw.world.accepting["id"]]
    assert "*" in full["applicant"]["idNumber"] and full["applicant"]["birthDate"] is None  # masked for a unit
    own = seen["owner", "accepted"]
    assert "*" not in own["applicant"]["idNumber"] and own["applicant"]["birthDate"] is not None
    draft = seen["draft owner", "draft"]
    assert draft["records"] == draft["materials"] == draft["reviews"] == draft["exceptionalConditions"] == []
    assert draft["committee"] is draft["correctionNotice"] is draft["currentUnit"] is draft["confirmedAt"] is None
    assert [e["action"] for e in draft["timeline"]] == ["CREATE"]


async def test_declaration_under_correction_then_abandoned(declaration_world, compare, clock):
    """A correction notice open, then its deadline passed with nothing stored (ABANDONED as
    read, with the 视为放弃 step the timeline will keep), then stored; a notice answered in
    time (RESUBMITTED); a declaration returned down the route."""
    dw, w = declaration_world, declaration_world.world
    await compare.register(w.admin, DECLARATION)
    late, answered = await confirmed_applicant(w), await confirmed_applicant(w)
    for d in (late, answered):
        assert (await request(w, w.base, d["id"], [item("PHONE", "电话无法接通"), item("MATERIALS")]))["errors"] == []
    confirmed = await confirm(w, answered)
    assert confirmed["errors"] == [], confirmed
    returned = await return_down(w, w.dept, dw.at_dept["id"])
    assert returned["errors"] == [], returned

    async def both(d: dict, *tokens: str) -> list[dict]:
        return [(await compare.same(DECLARATION, {"id": d["id"], "other": answered["id"]}, t))["data"]["declaration"]
                for t in tokens]

    open_, _ = await both(late, late["token"], w.base["token"])
    assert open_["status"] == "RETURNED" and open_["correctionNotice"]["state"] == "OPEN"
    assert open_["correctionNotice"]["resolvedAt"] is None and open_["correctionNotice"]["items"][1]["label"] == "证明材料"
    resubmitted, = await both(answered, w.base["token"])
    assert resubmitted["correctionNotice"]["state"] == "RESUBMITTED" and resubmitted["correctionNotice"]["resolvedAt"]
    down, = await both(dw.at_dept, w.dept["token"])
    assert down["reviews"][-1]["decision"] == "RETURNED_DOWN"

    clock.advance(days=14, hours=15)  # 2026-03-16 00:00, Beijing: the deadline of 2026-03-15 has passed
    await relogin(w, late, w.base)
    read, _ = await both(late, late["token"], w.base["token"])
    assert read["status"] == "ABANDONED" and read["correctionNotice"]["state"] == "ABANDONED"
    assert read["correctionNotice"]["resolvedAt"] == "2026-03-15T16:00:00+00:00"
    assert (read["timeline"][-1]["action"], read["timeline"][-1]["actorName"]) == ("ABANDON", "系统")
    assert read["timeline"][-1]["at"] == "2026-03-15T16:00:00+00:00" and "2026-03-15" in read["timeline"][-1]["reason"]
    assert codes(await confirm(w, late)) == ["CORRECTION_DEADLINE_PASSED"]  # now stored
    stored, = await both(late, late["token"])
    assert stored["timeline"] == read["timeline"] and stored["status"] == "ABANDONED"  # as read before


async def test_declaration_for_the_experts_and_offices_of_committees(declaration_world, compare, api):
    """Experts read the candidates of the panel they sit on, unless recused; an expert of the
    pool on no panel, and the office of another committee, read nothing."""
    dw, w = declaration_world, declaration_world.world
    await compare.register(w.admin, DECLARATION)
    candidate = await w.checked()
    judges = [await w.add_expert(), await w.add_expert()]
    recused = await w.add_expert(unit=w.base)  # of the candidate's work unit
    created = await w.create_session(panel_size=3)
    assert created["errors"] == [], created
    drawn = await w.draw(created["session"]["id"])
    assert drawn["errors"] == [] and len(drawn["session"]["panel"]) == 3, drawn
    idle = await w.add_expert()
    other = await create_committee(api, w.admin, dw.outsider, name="山东省卫生高级职称评审委员会", seriesCode="HEALTH",
                                   levels=["SENIOR"])
    assert other["errors"] == [], other
    other_office = await office_for(api, w.admin, other["committee"]["id"], "committee_office2")
    answers = {}
    for name, token in {"judge": judges[0]["token"], "judge 2": judges[1]["token"], "recused": recused["token"],
                        "idle": idle["token"], "office": w.office, "other office": other_office}.items():
        data = await compare.same(DECLARATION, {"id": candidate["id"], "other": dw.accepted["id"]}, token)
        answers[name] = data["data"]["declaration"]
    assert {k for k, v in answers.items() if v is not None} == {"judge", "judge 2", "office"}
    assert answers["judge"]["status"] == "IN_REVIEW" and "*" in answers["judge"]["applicant"]["idNumber"]


async def test_declaration_refusals_stay_on_the_standard_path(declaration_world, compare, api, engine):
    """A malformed id (or another type's), callers the compiler does not serve, and fields it
    does not compile: the standard path answers, the very same as for the text."""
    dw, w = declaration_world, declaration_world.world
    await compare.register(w.admin, DECLARATION)
    for bad in ("bad", "", encode_id("Unit", 1), encode_id("Declaration", 0), "RGVjbGFyYXRpb246LTE="):
        answer = await compare.same(DECLARATION, {"id": bad, "other": dw.draft["id"]}, w.base["token"],
                                    compiled=False)
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", answer
        assert answer["data"]["declaration"] is None
    ok = {"id": dw.accepted["id"], "other": dw.draft["id"]}
    assert (await compare.same(DECLARATION, ok, None, compiled=False))["data"]["declaration"] is None
    created = (await api(CREATE_OFFICE, {"input": {"committeeId": w.committee["id"], "loginName": "office_new",
                                                   "name": "办公室", "password": PASSWORD}}, w.admin))
    assert created["createCommitteeOffice"]["errors"] == []
    must_change = await api.login("office_new")  # a password set by an admin: reads nothing until changed
    assert (await compare.same(DECLARATION, ok, must_change, compiled=False))["data"]["declaration"] is None
    certificate = 'query($id: ID!) { declaration(id: $id) { id status certificate { revoked } } }'
    await compare.register(w.admin, certificate)
    answer = await compare.same(certificate, {"id": dw.accepted["id"]}, dw.accepted["token"], compiled=False)
    assert answer["data"]["declaration"]["certificate"] is None
    # A code the catalogue no longer knows is named by its code, on both paths.
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE declaration SET exceptional_condition_codes = '{NO_SUCH,PROVINCIAL_AWARD}' "
                                "WHERE id = :id"), {"id": decode_id(dw.accepted["id"], "Declaration", "id")})
    data = await compare.same(DECLARATION, ok, w.base["token"])
    assert data["data"]["declaration"]["exceptionalConditions"][0] == {"__typename": "ExceptionalCondition",
                                                                       "code": "NO_SUCH", "name": "NO_SUCH"}


def test_generated_declaration_documents_answer_the_same(session_loop, api, engine, services, statement_counter):
    """Generated selections of the declaration page (any parts, in any order, with or without
    the timeline), read by a generated caller, of a generated declaration."""
    keep_documents(services)
    compare = Compare(api, statement_counter)

    async def build() -> DeclarationWorld:
        world = await CommitteeWorld(api, engine, services).setup()
        return await DeclarationWorld(world).setup()

    dw = session_loop.run_until_complete(build())
    readers, ids, registered = dw.readers(), dw.declarations(), set()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(parts=st.lists(st.sampled_from(sorted(DECLARATION_PAGE)), unique=True, max_size=6),
           reader=st.sampled_from(sorted(readers)), name=st.sampled_from(sorted(ids)),
           other=st.sampled_from(sorted(ids)), with_timeline=st.booleans())
    def check(parts: list[str], reader: str, name: str, other: str, with_timeline: bool) -> None:
        document = declaration_document(parts)
        if document not in registered:
            session_loop.run_until_complete(compare.register(dw.world.admin, document))
            registered.add(document)
        variables = {"id": ids[name], "other": ids[other], **({"withTimeline": with_timeline} if "timeline" in parts
                                                              else {})}
        session_loop.run_until_complete(compare.same(document, variables, readers[reader]))

    check()


def test_correction_twins_render_what_python_renders(session_loop, engine):
    """The 视为放弃 step's time and reason, a deadline's passing and the items' labels: the
    SQL of resolvers.projections equals rules.corrections, for generated dates."""

    async def evaluate(columns: list[Any]) -> tuple:
        async with engine.connect() as conn:
            return tuple((await conn.execute(select(*columns))).one())

    labels = list(correction_rules.TARGET_LABELS.items())

    @settings(max_examples=EXAMPLES * 2, deadline=None, suppress_health_check=list(HealthCheck))
    @given(days=st.lists(st.tuples(st.dates(max_value=dt.date(9999, 12, 30)), st.dates()), min_size=1, max_size=6))
    def check(days: list[tuple[dt.date, dt.date]]) -> None:
        columns = [*(sql.iso_datetime(sql.expired_at(literal(d, Date))) for d, _ in days),
                   *(sql.abandoned_reason(literal(d, Date)) for d, _ in days),
                   *(sql.deadline_passed(literal(d, Date), literal(t, Date)) for d, t in days),
                   *(sql.correction_label(literal(target.value, String)) for target, _ in labels)]
        expected = (*(correction_rules.expired_at(d).astimezone(dt.UTC).isoformat() for d, _ in days),
                    *(correction_rules.abandoned_reason(d) for d, _ in days),
                    *(correction_rules.has_expired(d, t) for d, t in days), *(label for _, label in labels))
        assert session_loop.run_until_complete(evaluate(columns)) == expected

    check()


async def test_two_pages_of_one_root_field_compile_apart(world, compare):
    """Two connections of one root field under two aliases: each its own page (CTE) and bound
    names, one compiled statement (test_root_fields_keep_their_own_page_and_arguments: two
    root fields)."""
    await world.complete()
    text = """query($a: Int, $b: Int) { a: myDeclarations(first: $a) { totalCount nodes { id } }
      b: myDeclarations(first: $b) { totalCount pageInfo { hasNextPage } } }"""
    await compare.register(world.admin, text)
    data = await compare.same(text, {"a": 1, "b": 2}, world.token)
    assert data["data"]["a"]["totalCount"] == data["data"]["b"]["totalCount"] == 1
