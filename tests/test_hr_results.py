"""Results and certificates for the HR systems: `declarations` shows each declaration's ballot
tally, result and certificate (still one statement a page), and the RESULTS and CERTIFICATES
exports write them in each format, masked, scoped to the caller's region."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import openpyxl
import pytest

from rules import exports as rules
from rules.declaration_states import DeclarationStatus as S
from rules.results import ReviewResult, review_result
from tests.support import clients
from tests.support.committee import CommitteeWorld
from tests.support.db import count_statements
from tests.test_exports import EXPORT, START, download, work
from tests.test_results import REVOKE, closed_session, confirm, end_publicity, start

SUMMARY = """query($f: DeclarationsFilter, $first: Int) { declarations(filter: $f, first: $first) {
  totalCount nodes { declarationId status result tally { present agree disagree abstain passed }
                     certificateNumber certificateIssuedOn certificateRevoked } } }"""


@pytest.fixture
async def world(api, engine, services) -> CommitteeWorld:
    return await CommitteeWorld(api, engine, services).setup()


async def confirmed_results(world: CommitteeWorld) -> list[dict]:
    """Two granted (the second then revoked for fraud), one not passed, one accepted but not
    yet judged: every result a HR system must tell apart."""
    session, ds = await closed_session(world, passed=2, failed=1)
    assert (await start(world, session))["errors"] == []
    await end_publicity(world)
    assert (await confirm(world, session))["errors"] == []
    revoked = (await world.api(REVOKE, {"d": ds[1]["id"], "r": "论文抄袭，弄虚作假"}, world.admin))["revokeTitle"]
    assert revoked["errors"] == [], revoked
    return [*ds, await world.accepted()]


async def summaries(world: CommitteeWorld, token: str) -> dict[str, dict]:
    page = (await world.api(SUMMARY, {"first": 50}, token))["declarations"]
    return {n["declarationId"]: n for n in page["nodes"]}


# --- pure rules ------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "passed", "expected"), [
    (S.CHECKED, None, None),
    (S.IN_REVIEW, None, None),
    (S.PASSED, True, ReviewResult.PASSED),
    (S.NOT_PASSED, False, ReviewResult.NOT_PASSED),
    (S.NOT_PASSED, True, ReviewResult.WITHDRAWN),  # an upheld objection withdrew a passing vote
    (S.GRANTED, True, ReviewResult.GRANTED),
    (S.REVOKED, True, ReviewResult.REVOKED),
])
def test_review_result(status, passed, expected):
    assert review_result(status, passed) is expected


def test_result_and_certificate_lines_mask_unless_told():
    result = rules.ResultExportRow(
        global_id="RGVjbGFyYXRpb246MQ==", year=2026, name="张三", id_number="11010519491231002X", unit_name="厂",
        region_code="370100", series_name="工程", level="SENIOR", title_name="正高级工程师", specialty_name="机械",
        committee_name="评委会", session_name="第一次会议", meeting_on=date(2026, 3, 1), present=3, agree=2,
        disagree=1, abstain=0, passed=True, status=S.GRANTED)
    line = dict(zip([k for k, _ in rules.RESULT_COLUMNS], rules.result_row(result), strict=True))
    assert line["idNumber"] == "110105********002X" and line["meetingOn"] == "2026-03-01"
    assert (line["agree"], line["passed"], line["status"]) == (2, True, "GRANTED")
    assert rules.result_row(result, unmask=True)[3] == "11010519491231002X"

    cert = rules.CertificateExportRow(
        number="3700002026200000011", declaration_global_id="RGVjbGFyYXRpb246MQ==", holder_name="张三",
        id_number="11010519491231002X", series_name="工程", level_name="正高级", title_name="正高级工程师",
        specialty_name="机械", committee_name="评委会", region_code="370000", issued_by="山东省人力资源和社会保障厅",
        issued_on=date(2026, 3, 9), revoked_on=None)
    line = dict(zip([k for k, _ in rules.CERTIFICATE_COLUMNS], rules.certificate_row(cert), strict=True))
    assert (line["idNumber"], line["revoked"], line["revokedOn"]) == ("110105********002X", False, "")
    revoked = rules.certificate_row(cert.__class__(**{**cert.__dict__, "revoked_on": date(2026, 4, 1)}))
    assert revoked[-2:] == (True, "2026-04-01")


def test_file_names_say_the_kind():
    created = datetime(2026, 12, 2, tzinfo=UTC)
    assert rules.file_name(rules.ExportKind.RESULTS, rules.ExportFormat.XLSX, 7, created) == "职称评审结果-20261202-7.xlsx"
    assert rules.file_name(rules.ExportKind.CERTIFICATES, rules.ExportFormat.CSV, 8, created) == "职称证书-20261202-8.csv"


# --- declarations: the result and the certificate ------------------------------------------------

async def test_the_summary_shows_tally_result_and_certificate(api, services, world):
    granted, revoked, failed, pending = await confirmed_results(world)
    client = await clients.register(services, scopes=["declarations:read"], region="370100")
    seen = await summaries(world, await clients.token(api, client))

    g = seen[granted["id"]]
    assert (g["status"], g["result"]) == ("GRANTED", "GRANTED")
    assert g["tally"] == {"present": 25, "agree": 17, "disagree": 8, "abstain": 0, "passed": True}
    assert g["certificateNumber"].startswith("370000") and g["certificateIssuedOn"]
    assert g["certificateRevoked"] is False
    r = seen[revoked["id"]]
    assert (r["result"], r["certificateRevoked"]) == ("REVOKED", True) and r["certificateNumber"]
    f = seen[failed["id"]]
    assert (f["result"], f["tally"]["passed"], f["certificateNumber"], f["certificateRevoked"]) == (
        "NOT_PASSED", False, None, None)
    p = seen[pending["id"]]
    assert (p["status"], p["result"], p["tally"], p["certificateNumber"]) == ("ACCEPTED", None, None, None)

    granted_only = (await world.api(SUMMARY, {"f": {"statuses": ["GRANTED", "REVOKED"]}}, world.admin))["declarations"]
    assert {n["declarationId"] for n in granted_only["nodes"]} == {granted["id"], revoked["id"]}


async def test_a_page_with_results_is_still_one_statement(api, services, world, statement_counter):
    await confirmed_results(world)
    token = await clients.token(api, await clients.register(services, scopes=["declarations:read"]))
    data, statements = await count_statements(api, statement_counter, SUMMARY, token, {"first": 3})
    assert len(data["declarations"]["nodes"]) == 3 and data["declarations"]["totalCount"] == 4
    assert statements == 1


async def test_an_upheld_objection_reads_as_withdrawn(world):
    from tests.test_results import OBJECTIONS, PUBLIC, RAISE, RESOLVE

    session, ds = await closed_session(world, passed=1, failed=0)
    assert (await start(world, session))["errors"] == []
    entry = (await world.api(PUBLIC, {"s": session}))["resultsPublicity"]["nodes"][0]
    objector = await world.other_applicant()
    assert (await world.api(RAISE, {"e": entry["id"], "r": "业绩材料与事实不符"}, objector))["raiseResultObjection"][
        "errors"] == []
    objection = (await world.api(OBJECTIONS, {"open": True}, world.office))["resultObjections"]["nodes"][0]
    resolved = (await world.api(RESOLVE, {"o": objection["id"], "up": True, "r": "核实属实"}, world.office))[
        "resolveResultObjection"]
    assert resolved["errors"] == [], resolved
    seen = (await summaries(world, world.admin))[ds[0]["id"]]
    assert (seen["status"], seen["result"], seen["tally"]["passed"]) == ("NOT_PASSED", "WITHDRAWN", True)


# --- exports of results and certificates ----------------------------------------------------

def parse(fmt: str, content: bytes, columns) -> list[dict]:
    """The file back as dicts keyed by the JSONL keys, whatever the format."""
    keys = [k for k, _ in columns]
    headers = [h for _, h in columns]
    if fmt == "JSONL":
        return [json.loads(line) for line in content.decode("utf-8").splitlines()]
    if fmt == "CSV":
        assert content.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        table = [[c if c is not None else "" for c in row] for row in book.active.iter_rows(values_only=True)]
    assert table[0] == headers
    return [dict(zip(keys, row, strict=True)) for row in table[1:]]


def truthy(value) -> bool:
    """A boolean cell as each format writes it: JSON/XLSX booleans, CSV's True/False."""
    return value is True or value == "True"


async def export_file(world, client, services, database_url, clock, token: str, kind: str, fmt: str,
                      **filter_) -> tuple[dict, bytes]:
    started = (await world.api(START, {"kind": kind, "format": fmt, "filter": filter_ or None}, token))["startExport"]
    assert started["errors"] == [], started
    await work(services, database_url, clock)
    export = (await world.api(EXPORT, {"id": started["export"]["id"]}, token))["export"]
    assert export["state"] == "SUCCEEDED", export
    response = await download(client, export["downloadUrl"], token)
    assert response.status_code == 200
    return export, response.content


@pytest.mark.parametrize("fmt", ["CSV", "XLSX", "JSONL"])
async def test_results_export_in_each_format(world, client, services, database_url, clock, fmt):
    granted, revoked, failed, _pending = await confirmed_results(world)
    export, content = await export_file(world, client, services, database_url, clock, world.admin, "RESULTS", fmt)
    assert export["fileName"].startswith("职称评审结果-") and export["rowsDone"] == export["rowsTotal"] == 3
    lines = {line["declarationId"]: line for line in parse(fmt, content, rules.RESULT_COLUMNS)}
    assert set(lines) == {granted["id"], revoked["id"], failed["id"]}  # not judged yet: not a result
    g = lines[granted["id"]]
    assert "********" in g["idNumber"] and len(g["idNumber"]) == 18
    assert [int(g[k]) for k in ("present", "agree", "disagree", "abstain")] == [25, 17, 8, 0]
    assert truthy(g["passed"]) and g["status"] == "GRANTED" and g["committeeName"] == world.committee["name"]
    assert (truthy(lines[failed["id"]]["passed"]), lines[failed["id"]]["status"]) == (False, "NOT_PASSED")
    assert lines[revoked["id"]]["status"] == "REVOKED"


@pytest.mark.parametrize("fmt", ["CSV", "XLSX", "JSONL"])
async def test_certificates_export_in_each_format(world, client, services, database_url, clock, fmt):
    granted, revoked, _failed, _pending = await confirmed_results(world)
    numbers = {n["declarationId"]: n["certificateNumber"] for n in (await summaries(world, world.admin)).values()}
    export, content = await export_file(world, client, services, database_url, clock, world.admin, "CERTIFICATES",
                                        fmt)
    assert export["fileName"].startswith("职称证书-") and export["rowsTotal"] == 2
    lines = {line["certificateNumber"]: line for line in parse(fmt, content, rules.CERTIFICATE_COLUMNS)}
    assert set(lines) == {numbers[granted["id"]], numbers[revoked["id"]]}
    g, r = lines[numbers[granted["id"]]], lines[numbers[revoked["id"]]]
    assert g["declarationId"] == granted["id"] and "********" in g["idNumber"]
    assert g["issuedOn"] and not truthy(g["revoked"]) and g["revokedOn"] == ""
    assert truthy(r["revoked"]) and date.fromisoformat(r["revokedOn"])


async def test_exports_of_results_keep_to_the_region(world, client, services, database_url, clock, make_admin):
    await confirmed_results(world)  # the world's declarations are in 济南 (370100)
    qingdao = await make_admin("370200")
    for kind in ("RESULTS", "CERTIFICATES"):
        export, _ = await export_file(world, client, services, database_url, clock, qingdao, kind, "JSONL")
        assert export["rowsTotal"] == 0
        refused = (await world.api(START, {"kind": kind, "format": "CSV", "filter": {"regionCode": "370100"}},
                                   qingdao))["startExport"]
        assert [e["code"] for e in refused["errors"]] == ["NOT_YOUR_REGION"]
    jinan = await make_admin("370100")
    export, _ = await export_file(world, client, services, database_url, clock, jinan, "CERTIFICATES", "CSV",
                                  year=2026)
    assert export["rowsTotal"] == 2
    export, _ = await export_file(world, client, services, database_url, clock, jinan, "RESULTS", "CSV",
                                  states=["GRANTED"])
    assert export["rowsTotal"] == 1


async def test_a_client_with_identity_scope_gets_full_id_numbers_in_certificates(world, api, client, services,
                                                                                   database_url, clock):
    await confirmed_results(world)
    hr = await clients.register(services, scopes=["declarations:read", "identity:read"], region="370100")
    token = await clients.token(api, hr)
    _export, content = await export_file(world, client, services, database_url, clock, token, "CERTIFICATES", "JSONL")
    lines = parse("JSONL", content, rules.CERTIFICATE_COLUMNS)
    assert len(lines) == 2 and all("*" not in line["idNumber"] and len(line["idNumber"]) == 18 for line in lines)
