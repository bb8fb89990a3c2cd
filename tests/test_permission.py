"""权限申请 (2.2) through GraphQL: save, submit, review by the right admin, history, code checks."""

from __future__ import annotations

from rules.identity import uscc_check_char
from tests.support.admin import import_registry, registry_csv
from tests.support.units import (
    MY_APPLICATION,
    REVIEW,
    SUBMIT,
    save,
    table_snapshot,
    unit_with_token,
)

TABLES = ("unit", "permission_application", "permission_round")
LIST = """query($status: PermissionStatus) { permissionApplications(status: $status) {
  totalCount edges { node { id name status codeCheck unit { id } } } } }"""


def bad_check_digit(code: str) -> str:
    wrong = "0" if code[-1] != "0" else "1"
    return code[:17] + wrong


async def test_whole_lifecycle(api, city_admin, engine):
    unit = await unit_with_token(api)
    saved = await save(api, unit["token"], uscc=unit["uscc"], name=unit["name"])
    assert saved["errors"] == [] and saved["application"]["status"] == "DRAFT"
    again = await save(api, unit["token"], uscc=unit["uscc"], name=unit["name"], address="济南市市中区")
    assert again["application"]["id"] == saved["application"]["id"]

    submitted = (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]
    assert submitted["application"]["status"] == "SUBMITTED"
    assert submitted["application"]["codeCheck"] == "PASSED"

    # Submitted: read-only for the unit.
    before = await table_snapshot(engine, *TABLES)
    refused = await save(api, unit["token"], uscc=unit["uscc"], name=unit["name"], address="别处")
    assert [e["code"] for e in refused["errors"]] == ["INVALID_STATE"]
    assert await table_snapshot(engine, *TABLES) == before

    app_id = saved["application"]["id"]
    listed = (await api(LIST, {"status": "SUBMITTED"}, city_admin))["permissionApplications"]
    assert [e["node"]["id"] for e in listed["edges"]] == [app_id]

    # Rejection needs a reason.
    no_reason = (await api(REVIEW, {"id": app_id, "decision": "REJECT"}, city_admin))["reviewPermissionApplication"]
    assert [e["code"] for e in no_reason["errors"]] == ["REASON_REQUIRED"]
    assert await table_snapshot(engine, *TABLES) == before

    rejected = (await api(REVIEW, {"id": app_id, "decision": "REJECT", "reason": "地址不详"}, city_admin))
    rejected = rejected["reviewPermissionApplication"]["application"]
    assert rejected["status"] == "REJECTED" and rejected["unit"]["permissionStatus"] == "REJECTED"
    mine = (await api(MY_APPLICATION, token=unit["token"]))["myPermissionApplication"]
    assert mine["rejectionReason"] == "地址不详"

    fixed = await save(api, unit["token"], uscc=unit["uscc"], name=unit["name"], address="济南市历下区经十路2号")
    assert fixed["errors"] == [] and fixed["application"]["status"] == "DRAFT"
    assert (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]["errors"] == []
    approved = (await api(REVIEW, {"id": app_id, "decision": "APPROVE"}, city_admin))["reviewPermissionApplication"]
    app = approved["application"]
    assert app["status"] == "APPROVED" and app["unit"] == {"permissionStatus": "APPROVED", "isPermitted": True}
    assert [(h["round"], h["decision"], h["reason"]) for h in app["history"]] == [
        (2, "APPROVED", None), (1, "REJECTED", "地址不详")]
    assert app["history"][1]["details"]["address"] == "济南市市中区"

    # Deciding twice: the second admin gets a typed state error.
    again = (await api(REVIEW, {"id": app_id, "decision": "REJECT", "reason": "x"}, city_admin))
    assert [e["code"] for e in again["reviewPermissionApplication"]["errors"]] == ["INVALID_STATE"]


async def test_other_region_admin_cannot_see_or_decide(api, make_admin, province_admin, engine):
    qingdao = await make_admin("370200")
    unit = await unit_with_token(api)
    await save(api, unit["token"], uscc=unit["uscc"], name=unit["name"])
    app_id = (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]["application"]["id"]
    assert (await api(LIST, {}, qingdao))["permissionApplications"]["totalCount"] == 0
    before = await table_snapshot(engine, *TABLES)
    refused = (await api(REVIEW, {"id": app_id, "decision": "APPROVE"}, qingdao))["reviewPermissionApplication"]
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    assert await table_snapshot(engine, *TABLES) == before
    # The province covers every city.
    ok = (await api(REVIEW, {"id": app_id, "decision": "APPROVE"}, province_admin))["reviewPermissionApplication"]
    assert ok["errors"] == [] and ok["application"]["status"] == "APPROVED"


async def test_wrong_account_kind_and_bad_ids(api, city_admin):
    person = await api.register_person()
    token = await api.login(person["loginName"])
    errors = await api.errors(SUBMIT, token=token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    errors = await api.errors(REVIEW, {"id": "whatever", "decision": "APPROVE"}, token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    bad = (await api(REVIEW, {"id": "not-an-id", "decision": "APPROVE"}, city_admin))["reviewPermissionApplication"]
    assert bad["errors"][0]["code"] == "INVALID_ID"
    unit_gid = (await api.register_unit())["id"]  # a Unit ID where an application's is expected
    bad = (await api(REVIEW, {"id": unit_gid, "decision": "APPROVE"}, city_admin))["reviewPermissionApplication"]
    assert bad["errors"][0]["code"] == "INVALID_ID"


async def test_invalid_details_reported_at_once(api, engine):
    unit = await unit_with_token(api)
    before = await table_snapshot(engine, *TABLES)
    payload = await save(api, unit["token"], name=" ", address="", regionCode="110000", uscc="abc",
                         contactPhone="x")
    assert {(e["code"], e["field"]) for e in payload["errors"]} == {
        ("FIELD_REQUIRED", "name"), ("FIELD_REQUIRED", "address"), ("REGION_UNKNOWN", "regionCode"),
        ("USCC_FORMAT", "uscc"), ("INVALID_INPUT", "contactPhone")}
    assert await table_snapshot(engine, *TABLES) == before


async def test_wrong_check_digit_needs_manual_review(api, city_admin, province_admin, engine):
    unit = await unit_with_token(api)
    wrong = bad_check_digit(api.next_uscc())
    await save(api, unit["token"], uscc=wrong, name=unit["name"])
    before = await table_snapshot(engine, *TABLES)
    refused = (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("USCC_CHECK_DIGIT", "uscc")]
    assert await table_snapshot(engine, *TABLES) == before

    # Asking for manual review needs a written explanation …
    missing = await save(api, unit["token"], uscc=wrong, name=unit["name"], manualReviewRequested=True)
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [("FIELD_REQUIRED", "manualReviewReason")]
    await save(api, unit["token"], uscc=wrong, name=unit["name"], manualReviewRequested=True,
               manualReviewReason="早期组织机构代码转换，校验位不符")
    app = (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]["application"]
    assert app["codeCheck"] == "CHECK_DIGIT" and app["manualReviewRequested"] is True

    # … and only the unit's own city admin may grant it; the decision says so.
    by_province = (await api(REVIEW, {"id": app["id"], "decision": "APPROVE"}, province_admin))
    assert [e["code"] for e in by_province["reviewPermissionApplication"]["errors"]] == ["NOT_YOUR_REGION"]
    granted = (await api(REVIEW, {"id": app["id"], "decision": "APPROVE"}, city_admin))
    granted = granted["reviewPermissionApplication"]["application"]
    assert granted["status"] == "APPROVED" and granted["history"][0]["decision"] == "APPROVED_MANUALLY"


async def test_no_code_only_with_manual_review(api, city_admin):
    unit = await unit_with_token(api)
    await save(api, unit["token"], uscc=None, name=unit["name"])
    refused = (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]
    assert [e["code"] for e in refused["errors"]] == ["USCC_REQUIRED"]
    await save(api, unit["token"], uscc=None, name=unit["name"], manualReviewRequested=True,
               manualReviewReason="社会组织，尚未取得统一社会信用代码")
    app = (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]["application"]
    assert app["codeCheck"] == "NO_CODE"
    ok = (await api(REVIEW, {"id": app["id"], "decision": "APPROVE"}, city_admin))["reviewPermissionApplication"]
    assert ok["application"]["history"][0]["decision"] == "APPROVED_MANUALLY"


async def test_registry_mismatch_is_shown_to_the_admin(api, city_admin, province_admin, engine):
    unit = await unit_with_token(api)
    other = api.next_uscc()
    rows = registry_csv((unit["name"], unit["uscc"]), ("青岛某某公司", other))
    loaded = await import_registry(api, province_admin, rows)
    assert loaded["imported"] == 2, loaded
    # Right pair: passes.
    await save(api, unit["token"], uscc=unit["uscc"], name=unit["name"])
    app = (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]["application"]
    assert app["codeCheck"] == "PASSED"
    await api(REVIEW, {"id": app["id"], "decision": "REJECT", "reason": "请改用登记名称以外的代码测试"}, city_admin)

    # Code registered under another name: submitted, flagged, and not approvable as is.
    await save(api, unit["token"], uscc=other, name=unit["name"])
    app = (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]["application"]
    assert app["codeCheck"] == "NAME_MISMATCH" and app["registryName"] == "青岛某某公司"
    before = await table_snapshot(engine, *TABLES)
    refused = (await api(REVIEW, {"id": app["id"], "decision": "APPROVE"}, city_admin))["reviewPermissionApplication"]
    assert [e["code"] for e in refused["errors"]] == ["MANUAL_REVIEW_REQUIRED"]
    assert await table_snapshot(engine, *TABLES) == before


def test_check_digit_helper():
    code = "91370100MA0000001"
    assert uscc_check_char(code) != bad_check_digit(code + uscc_check_char(code))[-1]


async def test_two_admins_deciding_at_once_one_wins(api, city_admin, province_admin):
    import asyncio

    unit = await unit_with_token(api)
    await save(api, unit["token"], uscc=unit["uscc"], name=unit["name"])
    app_id = (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]["application"]["id"]
    results = await asyncio.gather(
        api(REVIEW, {"id": app_id, "decision": "APPROVE"}, city_admin),
        api(REVIEW, {"id": app_id, "decision": "REJECT", "reason": "重复"}, province_admin),
    )
    outcomes = sorted(tuple(e["code"] for e in r["reviewPermissionApplication"]["errors"]) for r in results)
    assert outcomes == [(), ("INVALID_STATE",)]
