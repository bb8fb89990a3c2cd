"""The whole manual through GraphQL, across three levels (基层单位 → 主管部门 → the
committee's accepting unit), with every refusal on the way answered by its typed error.

The second walk is the unit stage under the national rules (issue 13): a unit without a
统一社会信用代码 approved by hand by its city, the title-specific cascade, a 单位公示 of five
working days over the 2026 劳动节 week (FakeClock), and 一次性告知补正 — one notice answered in
time, one left to lapse (视为放弃). It goes on through the committee stage (issue 14): the
formal check, a drawn panel's secret ballot, the results publicity, the title office's
confirmation, and a certificate anyone can verify by number and name."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.api import PASSWORD, REGISTER_UNIT
from tests.support.committee import (
    ADD_EXPERT,
    ATTENDANCE,
    CANDIDATES,
    CAST,
    CHECK,
    CLOSE,
    CREATE_SESSION,
    DRAW,
    office_for,
)
from tests.support.corrections import REQUEST, STATE
from tests.support.declarations import ACCEPT, CONFIRM, CREATE, OPEN_YEAR, PDF, QUALIFICATION, UPDATE, World, make_admin
from tests.support.review import (
    DECLARATION,
    PUBLICISE,
    REPORT,
    REPORT_QUEUE,
    REVIEW,
    REVIEW_QUEUE,
    codes,
    pass_time,
)
from tests.support.units import (
    APPLY_PATH,
    REVIEW_PATH,
    SUBMIT,
    approved_path,
    create_committee,
    permitted_unit,
    save,
    unit_with_token,
)
from tests.support.units import REVIEW as REVIEW_PERMISSION

RAISE = "mutation($d: ID!, $r: String!) { raiseObjection(declarationId: $d, reason: $r) { raisedAt errors { code } } }"
OBJECTIONS = "{ publicityObjections { nodes { id reason } } }"
RESOLVE = ("mutation($o: ID!, $r: String!) { resolveObjection(objectionId: $o, upheld: false, reason: $r) "
           "{ errors { code } } }")
START_RESULTS = """mutation($s: ID!) { startResultsPublicity(sessionId: $s) { publicity { endsOn } errors { code } } }"""
RESULTS_PUBLICITY = "{ resultsPublicity { nodes { holderName titleName unitName idNumber } } }"
CONFIRM_RESULTS = "mutation($s: ID!) { confirmResults(sessionId: $s) { grantedCount errors { code } } }"
CERTIFICATE = "query($id: ID!) { declaration(id: $id) { status certificate { content { number titleName } } } }"
VERIFY = """query($n: String!, $name: String!) { verifyCertificate(number: $n, holderName: $name) {
  status certificate { holderName } } }"""
CATALOG = "{ catalog { code levels { level titles { code name specialties { code name } } } } }"
CASCADE = "{ declarationCascade { level name titles { code name seriesCode specialtiesSeriesWide specialties { code name } } } }"


async def test_the_manual_end_to_end(api, engine, services):
    # 职称管理机构 (created at first start / `zhicheng create-admin`) opens the year.
    admin = await make_admin(api, services)
    assert (await api(OPEN_YEAR, {"y": 2026}, admin))["openDeclarationYear"]["errors"] == []

    # 2.1 / 2.2 注册 and 权限申请: three units, each saved, submitted, approved by the admin.
    base = await permitted_unit(api, admin, name="济南重型机械厂")
    dept = await permitted_unit(api, admin, name="济南市工业和信息化局")
    centre = await permitted_unit(api, admin, name="山东省工程技术职称评审受理中心")
    stranger = await unit_with_token(api, name="尚未申请权限的单位")

    # 2.5 路径申请 for 工程技术/副高级: 基层单位 → 主管部门 → 受理单位; refusals first.
    async def apply(unit, target, level="ASSOCIATE_SENIOR"):
        return (await api(APPLY_PATH, {"series": "ENGINEERING", "level": level, "to": target["id"]},
                          unit["token"]))["applyReportingPath"]

    assert codes(await apply(base, base)) == ["PATH_SELF"]
    assert codes(await apply(base, stranger)) == ["UNIT_NOT_PERMITTED"]
    for unit, target in ((base, dept), (dept, centre)):
        applied = await apply(unit, target)
        assert applied["errors"] == []
        reviewed = await api(REVIEW_PATH, {"id": applied["path"]["id"], "decision": "APPROVE"}, target["token"])
        assert reviewed["reviewReportingPath"]["errors"] == []
    # 评审委员会 whose accepting unit ends the route.
    committee = await create_committee(api, admin, centre)
    assert committee["errors"] == []

    # 1.1 / 1.2 个人注册, 承诺书, 新增申报 through the cascade.
    person = await api.register_person(name="王建国")
    token = await api.login(person["loginName"])
    world = World(api, engine, services)
    world.unit, world.token = base, token
    refused = (await api(CREATE, {"input": world.input()}, token))["createDeclaration"]
    assert codes(refused) == ["COMMITMENT_REQUIRED"]
    assert (await api(ACCEPT, {"v": 1}, token))["acceptCommitment"]["errors"] == []
    catalog = (await api(CATALOG))["catalog"]
    engineering = next(s for s in catalog if s["code"] == "ENGINEERING")
    level = next(lv for lv in engineering["levels"] if lv["level"] == "ASSOCIATE_SENIOR")
    title = next(t for t in level["titles"] if t["name"] == "高级工程师")
    specialty = title["specialties"][0]["code"]
    created = (await api(CREATE, {"input": world.input(titleCode=title["code"], specialtyCode=specialty)},
                         token))["createDeclaration"]
    assert created["errors"] == []
    d = created["declaration"]["id"]
    assert codes((await api(CONFIRM, {"id": d}, token))["confirmDeclaration"]) == [
        "QUALIFICATION_REQUIRED", "MATERIAL_REQUIRED"]
    assert (await world.add_record(d, QUALIFICATION))["errors"] == []
    material = await world.upload_ok(d, PDF, "职称证书.pdf")
    assert material["contentType"] == "application/pdf"
    assert (await api(CONFIRM, {"id": d}, token))["confirmDeclaration"]["errors"] == []

    # 2.3 数据审核 at the 基层单位: reject without a reason is refused; with one, returned.
    async def review(unit, decision="APPROVE", reason=None):
        return (await api(REVIEW, {"id": d, "decision": decision, "reason": reason},
                          unit["token"]))["reviewDeclaration"]

    assert codes(await review(dept)) == ["NOT_FOUND"]  # not routed there yet
    assert codes(await review(base, "REJECT")) == ["REASON_REQUIRED"]
    assert (await review(base, "REJECT", "请补充继续教育证明"))["declaration"]["status"] == "RETURNED"
    seen = (await api(DECLARATION, {"id": d}, token))["declaration"]
    assert seen["returnReason"] == "请补充继续教育证明" and seen["isEditable"]

    # The applicant edits and confirms again; the route starts over at the work unit.
    updated = (await api(UPDATE, {"id": d, "input": world.input(titleCode=title["code"], specialtyCode=specialty,
                                                                yearsInSpecialty=13)}, token))
    assert updated["updateDeclaration"]["errors"] == []
    assert (await api(CONFIRM, {"id": d}, token))["confirmDeclaration"]["errors"] == []
    queue = (await api(REVIEW_QUEUE, {"filter": {"year": 2026, "level": "ASSOCIATE_SENIOR",
                                                 "titleCode": title["code"]}}, base["token"]))["reviewQueue"]
    assert queue["totalCount"] == 1 and "*" in queue["edges"][0]["node"]["applicant"]["idNumber"]
    assert (await review(base))["declaration"]["status"] == "APPROVED"

    # 2.4 数据上报 to the 主管部门, review there, report to the accepting unit, 受理.
    async def report(unit):
        return (await api(REPORT, {"ids": [d]}, unit["token"]))["reportDeclarations"]

    assert codes(await report(dept)) == ["NOT_FOUND"]
    listed = (await api(REPORT_QUEUE, {"filter": {"workUnitName": "重型"}}, base["token"]))["reportQueue"]
    assert listed["totalCount"] == 1
    # 单位公示 first: not before it started, not before it ended, not with an open objection.
    assert codes(await report(base)) == ["PUBLICITY_NOT_ENDED"]
    started = (await api(PUBLICISE, {"ids": [d]}, base["token"]))["startUnitPublicity"]
    assert started["errors"] == [] and started["publicity"]["endsOn"] == "2026-03-06"
    assert codes(await report(base)) == ["PUBLICITY_NOT_ENDED"]
    raised = (await api(RAISE, {"d": d, "r": "业绩材料与实际不符"}, base["token"]))["raiseObjection"]
    assert raised["errors"] == []
    await pass_time(engine, services.clock, days=6)
    assert codes(await report(base)) == ["OPEN_OBJECTION"]
    objection = (await api(OBJECTIONS, {}, base["token"]))["publicityObjections"]["nodes"][0]["id"]
    dismissed = (await api(RESOLVE, {"o": objection, "r": "经核实材料属实"}, base["token"]))["resolveObjection"]
    assert dismissed["errors"] == []
    assert (await report(base))["reportedCount"] == 1
    assert codes(await report(base)) == ["INVALID_STATE"]
    assert (await review(dept))["declaration"]["status"] == "APPROVED"
    assert (await report(dept))["reportedCount"] == 1
    accepted = await review(centre)
    assert accepted["declaration"]["status"] == "ACCEPTED" and accepted["review"]["accepted"]
    assert codes(await review(centre)) == ["INVALID_STATE"]

    # 状态跟踪: the applicant's timeline shows every step.
    final = (await api(DECLARATION, {"id": d}, token))["declaration"]
    assert final["committee"]["name"] == committee["committee"]["name"]
    assert [(e["action"], (e["unit"] or {}).get("name")) for e in final["timeline"]] == [
        ("CREATE", None), ("CONFIRM", "济南重型机械厂"), ("REJECT", "济南重型机械厂"), ("CONFIRM", "济南重型机械厂"),
        ("APPROVE", "济南重型机械厂"), ("START_PUBLICITY", "济南重型机械厂"), ("RAISE_OBJECTION", "济南重型机械厂"),
        ("DISMISS_OBJECTION", "济南重型机械厂"), ("REPORT", "济南重型机械厂"), ("APPROVE", "济南市工业和信息化局"),
        ("REPORT", "济南市工业和信息化局"), ("ACCEPT", "山东省工程技术职称评审受理中心")]
    assert [r["decision"] for r in final["reviews"]] == ["REJECTED", "APPROVED", "APPROVED", "APPROVED"]


NO_CODE_REASON = "本单位为乡镇卫生院下设的村卫生室，未办理法人登记，没有统一社会信用代码和组织机构代码"
NURSE = {"seriesCode": "HEALTH", "level": "ASSOCIATE_SENIOR", "titleCode": "HEALTH.ASSOCIATE_CHIEF_NURSE",
         "currentTitle": "主管护师"}


async def test_the_unit_stage_under_the_national_rules(api, engine, services, clock, province_admin, city_admin):
    """人社部令第40号 and the manual's unit stage, Mar–May 2026 on the FakeClock (from Sunday
    2026-03-01 09:00 Beijing):

    - Mar 1: a 村卫生室 without a code registers; its permission goes to 人工审核 by 济南's office.
      Two nurses declare with it as work unit through the title's own specialties. The clinic
      approves 甲 and sends 乙 a correction notice due Friday 2026-03-13.
    - Mar 14: 乙's notice lapsed at 2026-03-14 00:00 (Beijing): ABANDONED, confirmation refused.
    - Thu Apr 30: the clinic starts 甲's 单位公示 (5 working days). 劳动节 2026 is May 1–5 and
      Saturday May 9 is an adjusted working day, so the days are May 6, 7, 8, 9 and 11: it ends
      on 2026-05-11 (a plain Mon–Fri count would have ended on May 7) and has ended from
      2026-05-12 00:00 Beijing.
    - May 12: reported to the 主管部门, which sends a notice due 2026-05-22; 甲 answers it on the
      last day, 23:00, and it comes back to the 主管部门, which reports it on to be accepted."""
    assert (await api(OPEN_YEAR, {"y": 2026}, province_admin))["openDeclarationYear"]["errors"] == []
    series, level = "HEALTH", "ASSOCIATE_SENIOR"

    # 单位注册 without a 统一社会信用代码 (手册 2.2 note 4): the reason replaces the code.
    registered = (await api(REGISTER_UNIT, {"input": {
        "name": "历城区港沟街道村卫生室", "regionCode": "370100", "contactName": "王五", "contactMobile": "13900139000",
        "loginName": "village_clinic", "password": PASSWORD, "noCodeReason": NO_CODE_REASON}}))["registerUnit"]
    assert registered["errors"] == []
    assert (registered["unit"]["uscc"], registered["unit"]["permissionStatus"]) == (None, "NOT_APPLIED")
    clinic = {**registered["unit"], "loginName": "village_clinic", "token": await api.login("village_clinic")}
    # 权限申请: no code to check against the registry, so 人工审核 is the only route.
    saved = await save(api, clinic["token"], name=clinic["name"], uscc=None, supervisorName="历城区卫生健康局")
    assert saved["errors"] == [] and saved["application"]["manualReviewRequested"] is True
    submitted = (await api(SUBMIT, token=clinic["token"]))["submitPermissionApplication"]
    assert submitted["errors"] == [] and submitted["application"]["codeCheck"] == "NO_CODE"
    application = submitted["application"]["id"]
    # The province office may not approve it: manual review belongs to the unit's own city (济南).
    by_province = (await api(REVIEW_PERMISSION, {"id": application, "decision": "APPROVE"},
                             province_admin))["reviewPermissionApplication"]
    assert [(e["code"], e["field"]) for e in by_province["errors"]] == [("NOT_YOUR_REGION", "approve")]
    assert by_province["application"] is None
    granted = (await api(REVIEW_PERMISSION, {"id": application, "decision": "APPROVE"},
                         city_admin))["reviewPermissionApplication"]
    assert granted["errors"] == []
    assert [(h["decision"], h["codeCheck"]) for h in granted["application"]["history"]] == [
        ("APPROVED_MANUALLY", "NO_CODE")]
    assert granted["application"]["unit"] == {"permissionStatus": "APPROVED", "isPermitted": True}

    # Its route for 卫生技术人员/副高级: 村卫生室 → 主管部门 → the committee's accepting unit.
    dept = await permitted_unit(api, province_admin, name="历城区卫生健康局")
    centre = await permitted_unit(api, province_admin, name="山东省卫生专业技术职称评审受理中心")
    await approved_path(api, clinic, dept, series, level)
    await approved_path(api, dept, centre, series, level)
    committee = await create_committee(api, province_admin, centre, name="山东省卫生系列高级职称评审委员会",
                                       seriesCode=series, levels=[level])
    assert committee["errors"] == []

    # The title-specific cascade (1.2 图1-8): 申报级别 → title → the title's own specialties.
    cascade = {lv["level"]: lv for lv in (await api(CASCADE))["declarationCascade"]}
    assert cascade[level]["name"] == "副高级"
    titles = {t["name"]: t for t in cascade[level]["titles"]}
    nurse, physician = titles["副主任护师"], titles["副主任医师"]
    assert (nurse["code"], nurse["seriesCode"], nurse["specialtiesSeriesWide"]) == (
        NURSE["titleCode"], series, False)
    nurse_specialties = {s["name"]: s["code"] for s in nurse["specialties"]}
    assert "护理学" in nurse_specialties and "外科学" not in nurse_specialties
    assert "外科学" in {s["name"] for s in physician["specialties"]}  # the series offers it, the title not
    catalog = next(s for s in (await api(CATALOG))["catalog"] if s["code"] == series)
    in_catalog = next(t for lv in catalog["levels"] for t in lv["titles"] if t["code"] == nurse["code"])
    assert in_catalog["specialties"] == nurse["specialties"]  # one catalogue, two views

    # Two nurses of the clinic declare with it as their work unit (1.1 / 1.2).
    world = World(api, engine, services)
    world.unit = clinic

    async def nurse_declares(name: str) -> dict:
        person = await api.register_person(name=name)
        token = await api.login(person["loginName"])
        assert (await api(ACCEPT, {"v": 1}, token))["acceptCommitment"]["errors"] == []
        surgery = (await api(CREATE, {"input": world.input(**NURSE, specialtyCode="HEALTH.SURGERY")},
                             token))["createDeclaration"]
        assert surgery["declaration"] is None
        assert [(e["code"], e["field"]) for e in surgery["errors"]] == [("SPECIALTY_NOT_FOR_TITLE", "specialtyCode")]
        assert "副主任护师" in surgery["errors"][0]["message"] and "外科学" in surgery["errors"][0]["message"]
        created = (await api(CREATE, {"input": world.input(**NURSE, specialtyCode=nurse_specialties["护理学"])},
                             token))["createDeclaration"]
        assert created["errors"] == []
        d = created["declaration"]
        assert (d["titleName"], d["specialtyCode"], d["workUnit"]) == (
            "副主任护师", nurse_specialties["护理学"], {"id": clinic["id"], "name": clinic["name"]})
        assert (await world.add_record(d["id"], QUALIFICATION, token=token))["errors"] == []
        await world.upload_ok(d["id"], PDF, "职称证书.pdf", token=token)
        confirmed = (await api(CONFIRM, {"id": d["id"]}, token))["confirmDeclaration"]
        assert confirmed["errors"] == [] and confirmed["declaration"]["currentUnit"]["id"] == clinic["id"]
        return {"id": d["id"], "token": token}

    jia, yi = await nurse_declares("李秀英"), await nurse_declares("赵桂兰")

    async def notice(unit: dict, d: dict, deadline: str) -> dict:
        payload = (await api(REQUEST, {"d": d["id"], "items": [{"target": "PHONE", "message": "联系电话无法接通"}],
                                       "deadline": deadline}, unit["token"]))["requestCorrection"]
        assert payload["errors"] == [] and payload["declaration"]["status"] == "RETURNED"
        return payload["correctionNotice"]

    async def state(d: dict) -> dict:
        return (await api(STATE, {"id": d["id"]}, d["token"]))["declaration"]

    async def confirm(d: dict) -> dict:
        return (await api(CONFIRM, {"id": d["id"]}, d["token"]))["confirmDeclaration"]

    async def report(unit: dict, d: dict) -> dict:
        return (await api(REPORT, {"ids": [d["id"]]}, unit["token"]))["reportDeclarations"]

    async def review(unit: dict, d: dict) -> dict:
        return (await api(REVIEW, {"id": d["id"], "decision": "APPROVE"}, unit["token"]))["reviewDeclaration"]

    # 2.3 at the clinic: 甲 approved; 乙 gets a 一次性告知补正 due Friday Mar 13.
    assert (await review(clinic, jia))["declaration"]["status"] == "APPROVED"
    sent = await notice(clinic, yi, "2026-03-13")
    assert (sent["state"], sent["expiresAt"], sent["unit"]["id"]) == ("OPEN", "2026-03-13T16:00:00+00:00", clinic["id"])

    # Saturday Mar 14 09:00: nobody answered, nobody acted — 视为放弃 as soon as it is read.
    await pass_time(engine, clock, days=13)
    lapsed = await state(yi)
    assert (lapsed["status"], lapsed["correctionNotice"]["state"], lapsed["isEditable"]) == (
        "ABANDONED", "ABANDONED", False)
    last = lapsed["timeline"][-1]
    assert (last["action"], last["toStatus"], last["actorName"], last["at"]) == (
        "ABANDON", "ABANDONED", "系统", "2026-03-13T16:00:00+00:00")
    late = await confirm(yi)
    assert codes(late) == ["CORRECTION_DEADLINE_PASSED"] and "2026-03-13" in late["errors"][0]["message"]
    assert (await state(yi))["timeline"][-1] == last  # stored once, as it was read

    # 单位公示 over the 劳动节 week: started Thursday 2026-04-30 09:00 Beijing.
    await pass_time(engine, clock, days=47)
    assert clock.now() == datetime(2026, 4, 30, 1, 0, tzinfo=UTC)
    assert codes(await report(clinic, jia)) == ["PUBLICITY_NOT_ENDED"]  # never publicised
    started = (await api(PUBLICISE, {"ids": [jia["id"]]}, clinic["token"]))["startUnitPublicity"]
    assert started["errors"] == []
    assert {k: started["publicity"][k] for k in ("workingDays", "endsOn", "declarationCount", "createdByName")} == {
        "workingDays": 5, "endsOn": "2026-05-11", "declarationCount": 1, "createdByName": clinic["name"]}
    # Still running: the last holiday (Tue May 5), the day a Mon–Fri count would have ended it
    # after (Fri May 8), the adjusted working Saturday (May 9), the last day (Mon May 11).
    for days in (5, 3, 1, 2):
        await pass_time(engine, clock, days=days)
        refused = await report(clinic, jia)
        assert codes(refused) == ["PUBLICITY_NOT_ENDED"] and refused["reportedCount"] == 0
        assert "2026年5月11日" in refused["errors"][0]["message"]
    assert clock.now() == datetime(2026, 5, 11, 1, 0, tzinfo=UTC)
    await pass_time(engine, clock, hours=15)  # Tuesday 2026-05-12 00:00 Beijing: over
    reported = await report(clinic, jia)
    assert reported["errors"] == [] and reported["reported"][0]["currentUnit"]["id"] == dept["id"]

    # The 主管部门's notice, due Friday May 22, answered on its last day at 23:00 (Beijing).
    sent = await notice(dept, jia, "2026-05-22")
    assert (sent["expiresAt"], sent["unit"]["id"]) == ("2026-05-22T16:00:00+00:00", dept["id"])
    await pass_time(engine, clock, days=10, hours=23)
    assert clock.now() == datetime(2026, 5, 22, 15, 0, tzinfo=UTC)
    fixed = (await api(UPDATE, {"id": jia["id"], "input": world.input(
        **NURSE, specialtyCode=nurse_specialties["护理学"], phone="0531-87654321")}, jia["token"]))
    assert fixed["updateDeclaration"]["errors"] == []
    resubmitted = await confirm(jia)
    assert resubmitted["errors"] == []
    assert (resubmitted["declaration"]["status"], resubmitted["declaration"]["currentUnit"]["id"]) == (
        "PENDING_REVIEW", dept["id"])  # back to the unit that asked, not the clinic
    answered = await state(jia)
    assert answered["correctionNotice"]["state"] == "RESUBMITTED"
    assert (answered["timeline"][-1]["action"], answered["timeline"][-1]["unit"]["id"]) == ("RESUBMIT", dept["id"])
    assert (await review(dept, jia))["declaration"]["status"] == "APPROVED"
    assert (await report(dept, jia))["reportedCount"] == 1  # superiors report without a publicity
    accepted = await review(centre, jia)
    assert accepted["declaration"]["status"] == "ACCEPTED"
    assert accepted["declaration"]["committee"]["name"] == "山东省卫生系列高级职称评审委员会"
    assert [e["action"] for e in (await state(jia))["timeline"]] == [
        "CREATE", "CONFIRM", "APPROVE", "START_PUBLICITY", "REPORT", "REQUEST_CORRECTION", "RESUBMIT",
        "APPROVE", "REPORT", "ACCEPT"]

    # 评审 (issue 14). The committee's office (created by the title office) checks 甲's
    # declaration, builds its expert pool (高级 nurses of the 主管部门, not of 甲's clinic),
    # draws a panel of 3 (the tests' minimum) and records them all present.
    office = await office_for(api, province_admin, committee["committee"]["id"], "health_office")
    assert (await api(CHECK, {"id": jia["id"]}, office))["checkDeclaration"]["errors"] == []
    experts = {}
    for name in ("周主任", "吴主任", "郑主任"):
        person = await api.register_person(name=name)
        added = (await api(ADD_EXPERT, {"input": {
            "idNumber": person["idNumberRaw"], "name": name, "specialtyCodes": [nurse_specialties["护理学"]],
            "heldLevel": "SENIOR", "unitId": dept["id"], "termStart": "2026-01-01", "termEnd": "2028-12-31"}},
            office))["addExpert"]
        assert added["errors"] == [], added
        experts[added["expert"]["id"]] = await api.login(person["loginName"])
    created = (await api(CREATE_SESSION, {"input": {"name": "2026年度卫生系列副高级评审会议", "year": 2026,
                                                     "level": "ASSOCIATE_SENIOR", "meetingOn": "2026-06-15",
                                                     "panelSize": 3}}, office))["createReviewSession"]
    assert created["errors"] == [], created
    session_id = created["session"]["id"]
    drawn = (await api(DRAW, {"id": session_id}, office))["drawPanel"]
    assert drawn["errors"] == [] and len(drawn["session"]["panel"]) == 3
    panel = drawn["session"]["panel"]
    opened = (await api(ATTENDANCE, {"id": session_id, "present": [m["id"] for m in panel]}, office))
    assert opened["recordAttendance"]["session"]["state"] == "VOTING"
    (candidate,) = (await api(CANDIDATES, {"id": session_id}, office))["node"]["candidates"]["nodes"]
    for member in panel:  # the secret ballot: all three agree
        cast = (await api(CAST, {"id": session_id, "votes": [{"candidateId": candidate["id"], "choice": "AGREE"}]},
                          experts[member["expert"]["id"]]))["castVotes"]
        assert cast["errors"] == [], cast
    assert (await api(CLOSE, {"id": session_id}, office))["closeBallot"]["errors"] == []
    assert (await state(jia))["status"] == "PASSED"

    # 评审结果公示 from Friday May 22 (23:00 Beijing): 5 working days, to Friday May 29; the
    # public list needs no login and masks the ID number.
    started = (await api(START_RESULTS, {"s": session_id}, office))["startResultsPublicity"]
    assert started["errors"] == [] and started["publicity"]["endsOn"] == "2026-05-29"
    listed = (await api(RESULTS_PUBLICITY))["resultsPublicity"]["nodes"]
    assert [(n["holderName"], n["titleName"], n["unitName"]) for n in listed] == [("李秀英", "副主任护师", clinic["name"])]
    assert "********" in listed[0]["idNumber"]
    assert codes((await api(CONFIRM_RESULTS, {"s": session_id}, province_admin))["confirmResults"]) == [
        "RESULTS_PUBLICITY_NOT_ENDED"]
    await pass_time(engine, clock, days=8)  # Saturday May 30 23:00 Beijing: over
    confirmed = (await api(CONFIRM_RESULTS, {"s": session_id}, province_admin))["confirmResults"]
    assert confirmed["errors"] == [] and confirmed["grantedCount"] == 1

    # 甲 holds the title and an electronic certificate that anyone verifies by number and name.
    granted = (await api(CERTIFICATE, {"id": jia["id"]}, jia["token"]))["declaration"]
    assert granted["status"] == "GRANTED"
    number = granted["certificate"]["content"]["number"]
    assert granted["certificate"]["content"]["titleName"] == "副主任护师"
    verified = (await api(VERIFY, {"n": number, "name": "李秀英"}))["verifyCertificate"]
    assert verified["status"] == "VALID" and verified["certificate"]["holderName"] == "李秀英"
    assert (await api(VERIFY, {"n": number, "name": "赵桂兰"}))["verifyCertificate"]["status"] == "UNKNOWN"
    assert [e["action"] for e in (await state(jia))["timeline"]][-6:] == [
        "ACCEPT", "CHECK", "SCHEDULE", "PASS", "START_RESULTS_PUBLICITY", "GRANT"]
