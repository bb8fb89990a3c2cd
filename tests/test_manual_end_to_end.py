"""The whole manual through GraphQL, across three levels (基层单位 → 主管部门 → the
committee's accepting unit), with every refusal on the way answered by its typed error."""

from __future__ import annotations

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
    create_committee,
    permitted_unit,
    unit_with_token,
)

RAISE = "mutation($d: ID!, $r: String!) { raiseObjection(declarationId: $d, reason: $r) { raisedAt errors { code } } }"
OBJECTIONS = "{ publicityObjections { nodes { id reason } } }"
RESOLVE = ("mutation($o: ID!, $r: String!) { resolveObjection(objectionId: $o, upheld: false, reason: $r) "
           "{ errors { code } } }")
CATALOG = "{ catalog { code levels { level titles { code name specialties { code name } } } } }"


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
