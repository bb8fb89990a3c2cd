"""评审结果 (issue 14, steps 6–8) through GraphQL: results publicity (public list, objections),
confirmation by the title office with certificates, the PDF download, public verification
and revocation — each step's refusals and races included."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest
from sqlalchemy import text

from schema.ids import encode_id
from tests.support import clients
from tests.support.committee import OFFICE_PASSWORD, CommitteeWorld, office_for, seed_tallied_session
from tests.support.corrections import MY_INTEGRITY
from tests.support.declarations import CREATE
from tests.support.review import ERRORS, codes, pass_time, rows
from tests.support.units import create_committee

START = """mutation($s: ID!, $days: Int) { startResultsPublicity(sessionId: $s, workingDays: $days) {
  publicity { startedAt workingDays endsOn entryCount confirmedAt } %s } }""" % ERRORS
PUBLIC = """query($s: ID, $ended: Boolean, $first: Int, $after: String) {
  resultsPublicity(sessionId: $s, includeEnded: $ended, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id holderName idNumber unitName seriesName level titleName specialtyName committeeName endsOn ended } } }"""
RAISE = """mutation($e: ID!, $r: String!) { raiseResultObjection(entryId: $e, reason: $r) { raisedAt %s } }""" % ERRORS
OBJECTIONS = """query($open: Boolean) { resultObjections(openOnly: $open) { totalCount
  nodes { id holderName titleName reason raisedByName outcome resolution } } }"""
RESOLVE = """mutation($o: ID!, $up: Boolean!, $r: String!) { resolveResultObjection(objectionId: $o, upheld: $up, reason: $r) {
  objection { outcome resolution holderName } declaration { status } %s } }""" % ERRORS
CONFIRM = """mutation($s: ID!) { confirmResults(sessionId: $s) {
  grantedCount notPassedCount publicity { confirmedAt } %s } }""" % ERRORS
REVOKE = """mutation($d: ID!, $r: String!) { revokeTitle(declarationId: $d, reason: $r) {
  declaration { status } certificate { revoked content { number } } integrityEndsOn %s } }""" % ERRORS
VERIFY = """query($n: String!, $name: String!) { verifyCertificate(number: $n, holderName: $name) {
  status certificate { number holderName idNumber titleName levelName specialtyName committeeName issuedBy
  issuedOn year } } }"""
MINE = """query($id: ID!) { declaration(id: $id) { status applicant { name }
  certificate { revoked downloadPath content { number holderName idNumber titleName } }
  timeline { action toStatus actorName reason } } }"""


@pytest.fixture
async def world(api, engine, services) -> CommitteeWorld:
    return await CommitteeWorld(api, engine, services).setup()


async def closed_session(world: CommitteeWorld, passed: int = 2, failed: int = 1) -> tuple[str, list[dict]]:
    """A CLOSED session of the world's committee with `passed` then `failed` candidates."""
    ds = [await world.accepted() for _ in range(passed + failed)]
    tallies = {d["id"]: (25, 17, 8, 0) if i < passed else (25, 10, 15, 0) for i, d in enumerate(ds)}
    await seed_tallied_session(world.engine, world.committee["id"], tallies, now=world.services.clock.now())
    session = (await rows(world.engine, "SELECT max(id) AS id FROM review_session"))[0].id
    return encode_id("ReviewSession", session), ds


async def start(world, session: str, token: str | None = None, days: int | None = None) -> dict:
    return (await world.api(START, {"s": session, "days": days}, token or world.office))["startResultsPublicity"]


async def public(world, session: str | None = None, **variables) -> dict:
    return (await world.api(PUBLIC, {"s": session, **variables}))["resultsPublicity"]


async def confirm(world, session: str, token: str | None = None) -> dict:
    return (await world.api(CONFIRM, {"s": session}, token or world.admin))["confirmResults"]


async def end_publicity(world) -> None:
    """5 working days from Sunday 2026-03-01 end with Friday 03-06: move past it."""
    await pass_time(world.engine, world.services.clock, days=7)


async def granted(world) -> tuple[str, list[dict]]:
    session, ds = await closed_session(world, passed=1, failed=0)
    assert (await start(world, session))["errors"] == []
    await end_publicity(world)
    assert (await confirm(world, session))["errors"] == []
    return session, ds


async def mine(world, d: dict) -> dict:
    return (await world.api(MINE, {"id": d["id"]}, d["token"]))["declaration"]


# --- publicity ---------------------------------------------------------------------------------


async def test_publicity_lists_the_passed_publicly_with_masked_ids(world):
    session, ds = await closed_session(world, passed=2, failed=1)
    started = await start(world, session)
    assert started["errors"] == []
    assert started["publicity"]["workingDays"] == 5 and started["publicity"]["entryCount"] == 2
    assert started["publicity"]["endsOn"] == "2026-03-06"  # Sunday 03-01 + 5 working days
    listed = await public(world)  # no login
    assert listed["totalCount"] == 2
    names = {(await mine(world, d))["applicant"]["name"] for d in ds[:2]}
    assert {n["holderName"] for n in listed["nodes"]} == names
    for node in listed["nodes"]:
        assert "********" in node["idNumber"] and len(node["idNumber"]) == 18
        assert node["titleName"] == "高级工程师" and node["level"] == "ASSOCIATE_SENIOR" and not node["ended"]
        assert node["unitName"] and node["specialtyName"] and node["committeeName"] == world.committee["name"]
    timeline = (await mine(world, ds[0]))["timeline"]
    assert timeline[-1]["action"] == "START_RESULTS_PUBLICITY" and "2026年3月6日" in timeline[-1]["reason"]
    assert (await mine(world, ds[2]))["timeline"][-1]["action"] == "FAIL"  # the failed are not publicised
    paged = await public(world, session, first=1)
    assert len(paged["nodes"]) == 1 and paged["pageInfo"]["hasNextPage"]
    rest = await public(world, session, first=1, after=paged["pageInfo"]["endCursor"])
    assert rest["nodes"][0]["id"] != paged["nodes"][0]["id"] and not rest["pageInfo"]["hasNextPage"]


async def test_start_refusals(world, engine, make_admin):
    session, _ = await closed_session(world)
    assert codes(await start(world, session, days=3)) == ["PUBLICITY_TOO_SHORT"]
    assert await rows(engine, "SELECT id FROM results_publicity") == []
    errors = await world.api.errors(START, {"s": session, "days": None}, world.base["token"])
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    # Another committee's office does not see this session.
    other = await create_committee(world.api, world.admin, world.dept, name="济南市工程技术中级评审委员会",
                                   levels=["INTERMEDIATE"], regionCode="370100")
    other_office = await office_for(world.api, world.admin, other["committee"]["id"], "committee_office2")
    assert codes(await start(world, session, other_office)) == ["NOT_FOUND"]
    assert codes(await start(world, "UmV2aWV3U2Vzc2lvbjo5OTk5")) == ["NOT_FOUND"]  # ReviewSession:9999
    assert (await start(world, session))["errors"] == []
    assert codes(await start(world, session)) == ["PUBLICITY_ALREADY_STARTED"]


async def test_a_session_not_closed_cannot_be_publicised(world, engine):
    session, _ = await closed_session(world)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE review_session SET state = 'VOTING'"))
    assert codes(await start(world, session)) == ["INVALID_STATE"]


# --- objections --------------------------------------------------------------------------------


async def test_an_upheld_objection_withdraws_the_result(world):
    session, ds = await closed_session(world, passed=2, failed=0)
    assert (await start(world, session))["errors"] == []
    entries = (await public(world, session))["nodes"]
    holder = (await mine(world, ds[0]))["applicant"]["name"]
    target = next(e for e in entries if e["holderName"] == holder)
    objector = await world.other_applicant()
    raised = (await world.api(RAISE, {"e": target["id"], "r": "论文系代写"}, objector))["raiseResultObjection"]
    assert raised["errors"] == [] and raised["raisedAt"]
    # The candidate cannot object to their own result; a blank reason is refused.
    own = (await world.api(RAISE, {"e": target["id"], "r": "我有异议"}, ds[0]["token"]))["raiseResultObjection"]
    assert codes(own) == ["INVALID_STATE"]
    blank = (await world.api(RAISE, {"e": target["id"], "r": "  "}, objector))["raiseResultObjection"]
    assert codes(blank) == ["REASON_REQUIRED"]
    listed = (await world.api(OBJECTIONS, {"open": True}, world.office))["resultObjections"]
    assert listed["totalCount"] == 1
    objection = listed["nodes"][0]
    assert objection["reason"] == "论文系代写" and objection["holderName"] == target["holderName"]
    # The candidate's timeline says an objection came, not who raised it nor its words.
    event = (await mine(world, ds[0]))["timeline"][-1]
    assert event["action"] == "RAISE_RESULT_OBJECTION" and "论文" not in event["reason"]
    assert objection["raisedByName"] not in event["actorName"]
    resolved = (await world.api(RESOLVE, {"o": objection["id"], "up": True, "r": "经核实论文系代写"},
                                world.office))["resolveResultObjection"]
    assert resolved["errors"] == [] and resolved["declaration"]["status"] == "NOT_PASSED"
    assert resolved["objection"]["outcome"] == "UPHELD"
    again = (await world.api(RESOLVE, {"o": objection["id"], "up": False, "r": "再议"},
                             world.office))["resolveResultObjection"]
    assert codes(again) == ["INVALID_STATE"]
    timeline = (await mine(world, ds[0]))["timeline"]
    assert timeline[-1]["action"] == "WITHDRAW_RESULT" and "经核实论文系代写" in timeline[-1]["reason"]
    assert [n["id"] for n in (await public(world, session))["nodes"]] == [
        e["id"] for e in entries if e["id"] != target["id"]]
    # Withdrawn: no further objection to it; the confirmation grants only the other one.
    gone = (await world.api(RAISE, {"e": target["id"], "r": "再次异议"}, objector))["raiseResultObjection"]
    assert codes(gone) == ["NOT_FOUND"]
    await end_publicity(world)
    confirmed = await confirm(world, session)
    assert (confirmed["grantedCount"], confirmed["notPassedCount"]) == (1, 1)
    assert (await mine(world, ds[0]))["status"] == "NOT_PASSED" and (await mine(world, ds[0]))["certificate"] is None


async def test_an_open_objection_blocks_confirmation_until_dismissed(world):
    session, ds = await closed_session(world, passed=1, failed=0)
    assert (await start(world, session))["errors"] == []
    entry = (await public(world, session))["nodes"][0]
    objector = await world.other_applicant()
    assert (await world.api(RAISE, {"e": entry["id"], "r": "业绩不实"}, objector))["raiseResultObjection"]["errors"] == []
    await end_publicity(world)
    late = (await world.api(RAISE, {"e": entry["id"], "r": "期满后的异议"}, objector))["raiseResultObjection"]
    assert codes(late) == ["NOT_IN_PUBLICITY"]
    assert codes(await confirm(world, session)) == ["OPEN_OBJECTION"]
    objection = (await world.api(OBJECTIONS, {"open": True}, world.office))["resultObjections"]["nodes"][0]
    dismissed = (await world.api(RESOLVE, {"o": objection["id"], "up": False, "r": "经核实业绩属实"},
                                 world.office))["resolveResultObjection"]
    assert dismissed["errors"] == [] and dismissed["declaration"]["status"] == "PASSED"
    assert (await confirm(world, session))["grantedCount"] == 1
    assert (await mine(world, ds[0]))["status"] == "GRANTED"


async def test_objections_need_a_person(world):
    session, _ = await closed_session(world, passed=1, failed=0)
    assert (await start(world, session))["errors"] == []
    entry = (await public(world, session))["nodes"][0]
    for token in (world.base["token"], world.admin, world.office):
        errors = await world.api.errors(RAISE, {"e": entry["id"], "r": "异议"}, token)
        assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    assert [e["extensions"]["code"] for e in await world.api.errors(OBJECTIONS, {"open": True}, world.admin)] == [
        "FORBIDDEN"]


# --- confirmation and certificates -------------------------------------------------------------


async def test_confirmation_grants_certificates_and_keeps_the_failed_final(world, make_admin):
    session, ds = await closed_session(world, passed=2, failed=1)
    assert codes(await confirm(world, session)) == ["RESULTS_NOT_PUBLICISED"]
    assert (await start(world, session))["errors"] == []
    assert codes(await confirm(world, session)) == ["RESULTS_PUBLICITY_NOT_ENDED"]
    await end_publicity(world)
    assert codes(await confirm(world, session, await make_admin("370200"))) == ["NOT_FOUND"]  # not its region
    errors = await world.api.errors(CONFIRM, {"s": session}, world.office)
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    confirmed = await confirm(world, session)
    assert confirmed["errors"] == [] and (confirmed["grantedCount"], confirmed["notPassedCount"]) == (2, 1)
    assert codes(await confirm(world, session)) == ["RESULTS_ALREADY_CONFIRMED"]
    numbers = set()
    for d in ds[:2]:
        seen = await mine(world, d)
        assert seen["status"] == "GRANTED" and seen["timeline"][-1]["action"] == "GRANT"
        cert = seen["certificate"]
        assert cert["revoked"] is False and cert["content"]["holderName"] == seen["applicant"]["name"]
        assert cert["downloadPath"] == f"/certificates/{cert['content']['number']}.pdf"
        numbers.add(cert["content"]["number"])
    assert len(numbers) == 2 and all(n.startswith("3700002026" "2") for n in numbers)
    failed = await mine(world, ds[2])
    assert failed["status"] == "NOT_PASSED" and failed["certificate"] is None
    assert failed["timeline"][-1]["action"] == "CONFIRM_NOT_PASSED"
    audit = await rows(world.engine, "SELECT success, reason FROM audit_entry WHERE action = 'results.confirm'")
    assert [a.success for a in audit].count(True) == 1


async def test_two_confirmations_at_once_issue_one_set_of_certificates(world, make_admin):
    session, _ = await closed_session(world, passed=3, failed=0)
    assert (await start(world, session))["errors"] == []
    await end_publicity(world)
    second = await make_admin("370000")
    results = await asyncio.gather(confirm(world, session), confirm(world, session, second))
    outcomes = sorted(codes(r)[0] if r["errors"] else "OK" for r in results)
    assert outcomes == ["OK", "RESULTS_ALREADY_CONFIRMED"]
    assert (await rows(world.engine, "SELECT count(*) AS n FROM certificate"))[0].n == 3
    assert (await rows(world.engine, "SELECT count(*) AS n FROM declaration_event WHERE action = 'GRANT'"))[0].n == 3
    assert (await rows(world.engine, "SELECT last FROM certificate_sequence"))[0].last == 3


async def test_numbers_continue_across_sessions_of_a_region_year_and_level(world):
    await granted(world)
    session, _ = await closed_session(world, passed=1, failed=0)
    assert (await start(world, session))["errors"] == []
    await end_publicity(world)
    assert (await confirm(world, session))["errors"] == []
    numbers = [r.number for r in await rows(world.engine, "SELECT number FROM certificate ORDER BY id")]
    assert [int(n[11:18]) for n in numbers] == [1, 2]


async def test_the_pdf_is_downloaded_by_the_holder_and_offices_only(world, client, make_admin):
    _, ds = await granted(world)
    number = (await mine(world, ds[0]))["certificate"]["content"]["number"]
    path = f"/certificates/{number}.pdf"
    own = await client.get(path, headers={"Authorization": f"Bearer {ds[0]['token']}"})
    assert own.status_code == 200 and own.headers["content-type"] == "application/pdf"
    assert own.content.startswith(b"%PDF") and "no-store" in own.headers["cache-control"]
    for token in (world.office, world.admin):
        assert (await client.get(path, headers={"Authorization": f"Bearer {token}"})).status_code == 200
    other = await world.other_applicant()
    for token in (other, world.base["token"], await make_admin("370200")):
        assert (await client.get(path, headers={"Authorization": f"Bearer {token}"})).status_code == 404
    assert (await client.get(path)).status_code == 401
    hr_system = await clients.token(world.api, await clients.register(world.services))
    refused = await client.get(path, headers={"Authorization": f"Bearer {hr_system}"})
    assert refused.status_code == 403 and refused.json()["code"] == "FORBIDDEN"  # an API client: no holder
    unknown = await client.get("/certificates/3700002026200009999.pdf",
                               headers={"Authorization": f"Bearer {ds[0]['token']}"})
    assert unknown.status_code == 404
    for junk in ("%00", "x" * 300, "3700002026200000011"):  # malformed, too long, a wrong check character
        response = await client.get(f"/certificates/{junk}.pdf", headers={"Authorization": f"Bearer {ds[0]['token']}"})
        assert response.status_code == 404
    audit = await rows(world.engine, "SELECT count(*) AS n FROM audit_entry WHERE action = 'certificate.download'")
    assert audit[0].n == 3


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
async def test_the_downloaded_pdf_shows_the_holder(world, client, tmp_path):
    _, ds = await granted(world)
    seen = await mine(world, ds[0])
    number = seen["certificate"]["content"]["number"]
    pdf = (await client.get(f"/certificates/{number}.pdf", headers={"Authorization": f"Bearer {ds[0]['token']}"}))
    (tmp_path / "c.pdf").write_bytes(pdf.content)
    shown = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "c.pdf"), "-"], check=True,
                           capture_output=True, text=True).stdout
    assert seen["applicant"]["name"] in shown and number in shown and "高级工程师" in shown


# --- verification ------------------------------------------------------------------------------


async def verify(world, number: str, name: str, api=None) -> dict:
    return (await (api or world.api)(VERIFY, {"n": number, "name": name}))["verifyCertificate"]


async def test_verification_valid_unknown_and_no_oracle(world):
    _, ds = await granted(world)
    seen = await mine(world, ds[0])
    number, name = seen["certificate"]["content"]["number"], seen["applicant"]["name"]
    valid = await verify(world, number, name)
    assert valid["status"] == "VALID"
    assert valid["certificate"]["holderName"] == name and valid["certificate"]["number"] == number
    assert "********" in valid["certificate"]["idNumber"] and valid["certificate"]["titleName"] == "高级工程师"
    spaced = await verify(world, f"{number[:6]} {number[6:10]}-{number[10:]}".lower(), f" {name} ")
    assert spaced["status"] == "VALID"
    wrong_name = await verify(world, number, name + "某")
    unknown_number = await verify(world, number[:11] + "0000099" + "X", name)
    malformed = await verify(world, "not a number", name)
    assert wrong_name == unknown_number == malformed == {"status": "UNKNOWN", "certificate": None}


async def test_verification_is_throttled_per_address(world, api_from):
    _, ds = await granted(world)
    seen = await mine(world, ds[0])
    number, name = seen["certificate"]["content"]["number"], seen["applicant"]["name"]
    guesser = api_from("10.0.0.7")
    threshold = world.services.settings.verify_threshold
    for i in range(threshold):
        assert (await verify(world, number, f"无此人{i}", guesser))["status"] == "UNKNOWN"
    # That many misses set the wait: from then on even a right pair waits.
    errors = await guesser.errors(VERIFY, {"n": number, "name": name})
    assert errors[0]["extensions"]["code"] == "RATE_LIMITED" and errors[0]["extensions"]["retryAfter"] > 0
    # Another address is not affected, and found certificates cost nothing.
    for _ in range(threshold + 2):
        assert (await verify(world, number, name))["status"] == "VALID"
    await pass_time(world.engine, world.services.clock, hours=2)
    assert (await verify(world, number, name, guesser))["status"] == "VALID"


# --- revocation --------------------------------------------------------------------------------


async def test_revocation_revokes_the_certificate_and_lists_the_person(world, make_admin):
    _, ds = await granted(world)
    seen = await mine(world, ds[0])
    number, name = seen["certificate"]["content"]["number"], seen["applicant"]["name"]
    blank = (await world.api(REVOKE, {"d": ds[0]["id"], "r": ""}, world.admin))["revokeTitle"]
    assert codes(blank) == ["REASON_REQUIRED"]
    assert codes((await world.api(REVOKE, {"d": ds[0]["id"], "r": "伪造业绩"},
                                  await make_admin("370200")))["revokeTitle"]) == ["NOT_FOUND"]
    errors = await world.api.errors(REVOKE, {"d": ds[0]["id"], "r": "伪造业绩"}, world.office)
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    revoked = (await world.api(REVOKE, {"d": ds[0]["id"], "r": "伪造业绩证明"}, world.admin))["revokeTitle"]
    assert revoked["errors"] == [] and revoked["declaration"]["status"] == "REVOKED"
    assert revoked["certificate"] == {"revoked": True, "content": {"number": number}}
    # 2026-03-08 (Beijing) + 3 years, the anniversary's eve the last day.
    assert revoked["integrityEndsOn"] == "2029-03-07"
    again = (await world.api(REVOKE, {"d": ds[0]["id"], "r": "再次撤销"}, world.admin))["revokeTitle"]
    assert codes(again) == ["INVALID_STATE"]
    verdict = await verify(world, number, name)
    assert verdict["status"] == "REVOKED" and verdict["certificate"]["number"] == number
    seen = await mine(world, ds[0])
    assert seen["status"] == "REVOKED" and seen["certificate"]["revoked"] is True
    assert seen["timeline"][-1]["action"] == "REVOKE" and "伪造业绩证明" in seen["timeline"][-1]["reason"]
    listed = (await world.api(MY_INTEGRITY, None, ds[0]["token"]))["myIntegrityRecords"]
    assert [(r["category"], r["endsOn"], r["inForce"]) for r in listed] == [
        ("FALSIFIED_MATERIALS", "2029-03-07", True)]
    # The integrity check at createDeclaration refuses them (before any other check).
    refused = (await world.api(CREATE, {"input": world.input()}, ds[0]["token"]))["createDeclaration"]
    assert codes(refused) == ["INTEGRITY_LISTED"]
    audit = await rows(world.engine, "SELECT count(*) AS n FROM audit_entry WHERE action = 'title.revoke' AND success")
    assert audit[0].n == 1


async def test_only_granted_titles_are_revoked(world):
    _, ds = await closed_session(world, passed=1, failed=0)
    refused = (await world.api(REVOKE, {"d": ds[0]["id"], "r": "伪造"}, world.admin))["revokeTitle"]
    assert codes(refused) == ["NOT_FOUND"]  # no certificate yet


async def test_two_starts_at_once_make_one_publicity(world):
    session, _ = await closed_session(world, passed=2, failed=0)
    second = await world.api.login("committee_office1", OFFICE_PASSWORD)
    results = await asyncio.gather(start(world, session), start(world, session, second))
    assert sorted(codes(r)[0] if r["errors"] else "OK" for r in results) == ["OK", "PUBLICITY_ALREADY_STARTED"]
    assert (await rows(world.engine, "SELECT count(*) AS n FROM results_publicity_entry"))[0].n == 2
    events = "SELECT count(*) AS n FROM declaration_event WHERE action = 'START_RESULTS_PUBLICITY'"
    assert (await rows(world.engine, events))[0].n == 2


async def test_a_public_entry_is_a_node_anyone_reads_until_withdrawn(world):
    session, _ = await closed_session(world, passed=1, failed=0)
    assert (await start(world, session))["errors"] == []
    entry = (await public(world, session))["nodes"][0]
    node = "query($id: ID!) { node(id: $id) { ... on ResultsPublicityEntry { holderName idNumber } } }"
    assert (await world.api(node, {"id": entry["id"]}))["node"] == {
        "holderName": entry["holderName"], "idNumber": entry["idNumber"]}
    objector = await world.other_applicant()
    assert (await world.api(RAISE, {"e": entry["id"], "r": "学历造假"}, objector))["raiseResultObjection"]["errors"] == []
    objection = (await world.api(OBJECTIONS, {"open": True}, world.office))["resultObjections"]["nodes"][0]
    assert (await world.api(RESOLVE, {"o": objection["id"], "up": True, "r": "属实"},
                            world.office))["resolveResultObjection"]["errors"] == []
    assert (await world.api(node, {"id": entry["id"]}))["node"] is None


async def test_the_qr_codes_page_asks_the_name_and_answers_like_the_query(world, client):
    _, ds = await granted(world)
    seen = await mine(world, ds[0])
    number, name = seen["certificate"]["content"]["number"], seen["applicant"]["name"]
    form = await client.get("/verify", params={"no": number})
    assert form.status_code == 200 and f'value="{number}"' in form.text and 'name="name"' in form.text
    assert "form-action 'self'" in form.headers["content-security-policy"]
    valid = await client.get("/verify", params={"no": number, "name": name})
    assert "证书有效" in valid.text and name in valid.text and "高级工程师" in valid.text
    wrong = await client.get("/verify", params={"no": number, "name": "<script>x</script>"})
    assert "查无此证书" in wrong.text and "<script>" not in wrong.text and name not in wrong.text
    for i in range(world.services.settings.verify_threshold):
        await client.get("/verify", params={"no": number, "name": f"无此人{i}"})
    throttled = await client.get("/verify", params={"no": number, "name": name})
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
