"""路径申请 (2.5): apply, review, replace, revoke; no duplicates, no cycles; the route to a committee."""

from __future__ import annotations

from resolvers import routes
from rules.catalog import TitleLevel
from schema.ids import decode_id
from tests.support.units import (
    LEVEL,
    REVIEW_PATH,
    REVOKE_PATH,
    SERIES,
    apply_path,
    approved_path,
    create_committee,
    permitted_unit,
    table_snapshot,
    unit_with_token,
)

TABLES = ("reporting_path",)
PATHS = """query($direction: PathDirection) { reportingPaths(direction: $direction) {
  totalCount edges { node { id status inEffect unit { name } toUnit { name } } } } }"""
ROUTE = """query($series: String!, $level: TitleLevel!) { reportingRoute(seriesCode: $series, level: $level) {
  complete broken brokenAt { name } units { name } committee { name } } }"""


async def units(api, admin, *names):
    return [await permitted_unit(api, admin, name=n) for n in names]


def codes(payload):
    return [e["code"] for e in payload["errors"]]


async def test_apply_review_and_list(api, province_admin):
    base, dept = await units(api, province_admin, "济南某医院", "济南市卫生健康委员会")
    applied = await apply_path(api, base, dept)
    assert applied["errors"] == [] and applied["path"]["status"] == "PENDING"
    assert applied["path"]["inEffect"] is False
    asked = (await api(PATHS, {"direction": "INCOMING"}, dept["token"]))["reportingPaths"]
    assert [e["node"]["unit"]["name"] for e in asked["edges"]] == ["济南某医院"]
    # Only the target reviews; to the applicant the path is not found.
    refused = (await api(REVIEW_PATH, {"id": applied["path"]["id"], "decision": "APPROVE"}, base["token"]))
    assert codes(refused["reviewReportingPath"]) == ["NOT_FOUND"]
    no_reason = (await api(REVIEW_PATH, {"id": applied["path"]["id"], "decision": "REJECT"}, dept["token"]))
    assert codes(no_reason["reviewReportingPath"]) == ["REASON_REQUIRED"]
    rejected = (await api(REVIEW_PATH, {"id": applied["path"]["id"], "decision": "REJECT", "reason": "不是主管部门"},
                          dept["token"]))["reviewReportingPath"]["path"]
    assert rejected["status"] == "REJECTED" and rejected["reason"] == "不是主管部门"
    path = await approved_path(api, base, dept)
    assert path["status"] == "APPROVED" and path["inEffect"] is True
    own = (await api(PATHS, {"direction": "OUTGOING"}, base["token"]))["reportingPaths"]
    assert [e["node"]["status"] for e in own["edges"]] == ["APPROVED", "REJECTED"]


async def test_refusals_change_nothing(api, province_admin, engine):
    base, dept = await units(api, province_admin, "甲单位", "乙主管部门")
    stranger = await unit_with_token(api, name="未获权限单位")
    await approved_path(api, base, dept)
    await apply_path(api, base, dept, level="ASSOCIATE_SENIOR")
    before = await table_snapshot(engine, *TABLES)
    assert codes(await apply_path(api, base, base)) == ["PATH_SELF"]
    assert codes(await apply_path(api, base, dept)) == ["PATH_DUPLICATE"]  # same target in effect
    assert codes(await apply_path(api, base, dept, level="ASSOCIATE_SENIOR")) == ["PATH_DUPLICATE"]  # pending
    assert codes(await apply_path(api, base, stranger)) == ["UNIT_NOT_PERMITTED"]
    assert codes(await apply_path(api, stranger, dept)) == ["UNIT_NOT_PERMITTED"]
    assert codes(await apply_path(api, base, dept, series="NO_SUCH")) == ["UNKNOWN_SERIES"]
    assert codes(await apply_path(api, base, {"id": "garbage"})) == ["INVALID_ID"]
    assert await table_snapshot(engine, *TABLES) == before


async def test_cycles_are_refused_short_and_long(api, province_admin, engine):
    a, b, c, d = await units(api, province_admin, "单位甲", "单位乙", "单位丙", "单位丁")
    await approved_path(api, a, b)
    await approved_path(api, b, c)
    await approved_path(api, c, d)
    before = await table_snapshot(engine, *TABLES)
    assert codes(await apply_path(api, b, a)) == ["PATH_CYCLE"]
    assert codes(await apply_path(api, d, a)) == ["PATH_CYCLE"]  # d → a → b → c → d
    assert await table_snapshot(engine, *TABLES) == before
    # Another level is another graph.
    assert (await apply_path(api, d, a, level="ASSOCIATE_SENIOR"))["errors"] == []


async def test_cycle_formed_while_pending_is_refused_at_approval(api, province_admin, engine):
    a, b = await units(api, province_admin, "单位甲", "单位乙")
    pending = (await apply_path(api, b, a))["path"]  # b → a asked first …
    await approved_path(api, a, b)  # … then a → b approved
    before = await table_snapshot(engine, "reporting_path")
    refused = (await api(REVIEW_PATH, {"id": pending["id"], "decision": "APPROVE"}, a["token"]))
    assert codes(refused["reviewReportingPath"]) == ["PATH_CYCLE"]
    assert await table_snapshot(engine, "reporting_path") == before


async def test_new_approval_replaces_the_old_path(api, province_admin):
    base, old, new = await units(api, province_admin, "基层单位", "旧主管部门", "新主管部门")
    first = await approved_path(api, base, old)
    second = await approved_path(api, base, new)
    listed = (await api(PATHS, {"direction": "OUTGOING"}, base["token"]))["reportingPaths"]["edges"]
    statuses = {e["node"]["toUnit"]["name"]: (e["node"]["status"], e["node"]["inEffect"]) for e in listed}
    assert statuses == {"旧主管部门": ("REPLACED", False), "新主管部门": ("APPROVED", True)}
    node = await api('query($id: ID!) { node(id: $id) { ... on ReportingPath { replacedBy { id } status } } }',
                     {"id": first["id"]}, base["token"])
    assert node["node"] == {"replacedBy": {"id": second["id"]}, "status": "REPLACED"}


async def test_revocation_by_either_side(api, province_admin, engine):
    base, dept, other = await units(api, province_admin, "基层单位", "主管部门", "无关单位")
    path = await approved_path(api, base, dept)
    before = await table_snapshot(engine, *TABLES)
    stranger = (await api(REVOKE_PATH, {"id": path["id"], "reason": "x"}, other["token"]))["revokeReportingPath"]
    assert codes(stranger) == ["NOT_FOUND"]
    blank = (await api(REVOKE_PATH, {"id": path["id"], "reason": " "}, dept["token"]))["revokeReportingPath"]
    assert codes(blank) == ["REASON_REQUIRED"]
    assert await table_snapshot(engine, *TABLES) == before
    revoked = (await api(REVOKE_PATH, {"id": path["id"], "reason": "机构调整"}, dept["token"]))["revokeReportingPath"]
    assert revoked["path"]["status"] == "REVOKED" and revoked["path"]["reason"] == "机构调整"
    again = (await api(REVOKE_PATH, {"id": path["id"], "reason": "x"}, base["token"]))["revokeReportingPath"]
    assert codes(again) == ["INVALID_STATE"]
    # The applicant may revoke its own effective path too.
    path = await approved_path(api, base, dept)
    mine = (await api(REVOKE_PATH, {"id": path["id"], "reason": "改报"}, base["token"]))["revokeReportingPath"]
    assert mine["errors"] == []


async def test_route_up_to_the_committee(api, province_admin, engine):
    base, city, province = await units(api, province_admin, "某县医院", "市卫健委", "省卫健委职称办")
    variables = {"series": SERIES, "level": LEVEL}
    route = (await api(ROUTE, variables, base["token"]))["reportingRoute"]
    assert route == {"complete": False, "broken": "NO_PATH", "brokenAt": {"name": "某县医院"},
                     "units": [{"name": "某县医院"}], "committee": None}
    await approved_path(api, base, city)
    await approved_path(api, city, province)
    route = (await api(ROUTE, variables, base["token"]))["reportingRoute"]
    assert route["broken"] == "NO_PATH" and route["brokenAt"] == {"name": "省卫健委职称办"}
    assert (await create_committee(api, province_admin, province))["errors"] == []
    route = (await api(ROUTE, variables, base["token"]))["reportingRoute"]
    assert route == {"complete": True, "broken": None, "brokenAt": None,
                     "units": [{"name": "某县医院"}, {"name": "市卫健委"}, {"name": "省卫健委职称办"}],
                     "committee": {"name": "山东省工程技术高级职称评审委员会"}}

    # The helpers the reporting work calls.
    async with engine.connect() as conn:
        from sqlalchemy.ext.asyncio import AsyncSession

        session = AsyncSession(bind=conn)
        base_id = decode_id(base["id"], "Unit", "id")
        city_id = decode_id(city["id"], "Unit", "id")
        assert await routes.next_hop(session, base_id, SERIES, TitleLevel.SENIOR) == city_id
        assert await routes.next_hop(session, base_id, SERIES, TitleLevel.INTERMEDIATE) is None
        found = await routes.route_for(session, base_id, SERIES, TitleLevel.SENIOR)
        assert found.complete and len(found.unit_ids) == 3
        await session.close()


async def test_concurrent_approvals_cannot_close_a_cycle(api, province_admin):
    import asyncio

    a, b = await units(api, province_admin, "单位甲", "单位乙")
    ab = (await apply_path(api, a, b))["path"]
    ba = (await apply_path(api, b, a))["path"]
    results = await asyncio.gather(
        api(REVIEW_PATH, {"id": ab["id"], "decision": "APPROVE"}, b["token"]),
        api(REVIEW_PATH, {"id": ba["id"], "decision": "APPROVE"}, a["token"]),
    )
    outcomes = sorted(tuple(codes(r["reviewReportingPath"])) for r in results)
    assert outcomes == [(), ("PATH_CYCLE",)]
