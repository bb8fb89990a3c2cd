"""单位注册 without a 统一社会信用代码 (手册 2.2 note 4): the unit says why, registers, and its
permission application goes to 人工审核 by its own city's title office."""

from __future__ import annotations

from sqlalchemy import text

from tests.support.api import PASSWORD, REGISTER_UNIT
from tests.support.declarations import World
from tests.support.units import MY_APPLICATION, REVIEW, SUBMIT, save, table_snapshot

REASON = "本单位为乡镇卫生院下设的村卫生室，未办理法人登记，没有统一社会信用代码和组织机构代码"


async def _register(api, **overrides) -> dict:
    n = next(api._seq)
    variables = {"name": f"历城区第{n}村卫生室", "regionCode": "370100", "contactName": "王五",
                 "contactMobile": "13900139000", "loginName": f"nocode{n}", "password": PASSWORD,
                 **overrides}
    return (await api(REGISTER_UNIT, {"input": variables}))["registerUnit"]


def _codes(errors: list[dict]) -> list[tuple[str, str]]:
    return [(e["code"], e["field"]) for e in errors]


async def test_registers_without_a_code_and_stores_the_reason(api, engine):
    payload = await _register(api, noCodeReason=f"  {REASON}  ")
    assert payload["errors"] == []
    assert payload["unit"]["uscc"] is None and payload["unit"]["permissionStatus"] == "NOT_APPLIED"
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT uscc, no_code_reason FROM unit"))).one()
    assert tuple(stored) == (None, REASON)


async def test_many_units_without_a_code_coexist(api, engine):
    # uq_unit_uscc is partial (WHERE uscc IS NOT NULL): NULLs never collide.
    for _ in range(3):
        assert (await _register(api, noCodeReason=REASON))["errors"] == []
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM unit WHERE uscc IS NULL"))).scalar_one() == 3


async def test_without_a_code_the_reason_is_required(api, engine):
    before = await table_snapshot(engine, "account", "unit")
    for blank in ({}, {"uscc": None, "noCodeReason": None}, {"uscc": "  ", "noCodeReason": " \t"}):
        payload = await _register(api, **blank)
        assert payload["unit"] is None
        assert _codes(payload["errors"]) == [("NO_CODE_REASON_REQUIRED", "noCodeReason")]
    assert await table_snapshot(engine, "account", "unit") == before


async def test_a_reason_beside_a_code_is_refused(api):
    payload = await _register(api, uscc=api.next_uscc(), noCodeReason=REASON)
    assert _codes(payload["errors"]) == [("NO_CODE_REASON_NOT_ALLOWED", "noCodeReason")]


async def test_the_reason_is_capped_like_a_manual_review_reason(api):
    payload = await _register(api, noCodeReason="无" * 1001)
    assert _codes(payload["errors"]) == [("FIELD_TOO_LONG", "noCodeReason")]
    assert (await _register(api, noCodeReason="无" * 1000))["errors"] == []


async def test_every_bad_field_is_still_reported_at_once(api):
    payload = await _register(api, regionCode="370000", contactMobile="123")
    assert set(_codes(payload["errors"])) == {
        ("NO_CODE_REASON_REQUIRED", "noCodeReason"), ("REGION_UNKNOWN", "regionCode"),
        ("MOBILE_FORMAT", "contactMobile"),
    }


async def test_no_code_unit_goes_to_manual_review_by_its_city(api, engine, services, city_admin, province_admin):
    """End to end: register without a code → save and submit the permission application →
    the province admin cannot approve it, the city admin approves it manually → the unit can
    be chosen as a work unit like any other."""
    registered = await _register(api, noCodeReason=REASON, loginName="village_clinic")
    assert registered["errors"] == []
    unit = {**registered["unit"], "token": await api.login("village_clinic")}

    # The application is pre-set to ask for manual review, with the registration's reason.
    saved = await save(api, unit["token"], name=unit["name"], uscc=None)
    assert saved["errors"] == []
    app = saved["application"]
    assert app["manualReviewRequested"] is True and app["uscc"] is None
    mine = (await api("{ myPermissionApplication { manualReviewReason } }", token=unit["token"]))
    assert mine["myPermissionApplication"]["manualReviewReason"] == REASON
    # Explicitly not asking for it changes nothing: without a code manual review is the only route.
    resaved = await save(api, unit["token"], name=unit["name"], manualReviewRequested=False,
                         manualReviewReason="村卫生室，无代码")
    assert resaved["application"]["manualReviewRequested"] is True
    assert (await api(MY_APPLICATION, token=unit["token"]))["myPermissionApplication"]["status"] == "DRAFT"

    submitted = (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]
    assert submitted["errors"] == [] and submitted["application"]["codeCheck"] == "NO_CODE"

    by_province = (await api(REVIEW, {"id": app["id"], "decision": "APPROVE"}, province_admin))
    assert _codes(by_province["reviewPermissionApplication"]["errors"]) == [("NOT_YOUR_REGION", "approve")]
    granted = (await api(REVIEW, {"id": app["id"], "decision": "APPROVE"}, city_admin))["reviewPermissionApplication"]
    assert granted["errors"] == []
    assert granted["application"]["history"][0]["decision"] == "APPROVED_MANUALLY"
    assert granted["application"]["unit"] == {"permissionStatus": "APPROVED", "isPermitted": True}
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT uscc, no_code_reason FROM unit WHERE name = :n"),
                                     {"n": unit["name"]})).one()
    assert tuple(stored) == (None, "村卫生室，无代码")

    # Nothing else differs: an applicant picks it as the work unit.
    world = await World(api, engine, services).setup()
    found = await api('query($s: String!) { units(search: $s) { nodes { id uscc } } }', {"s": unit["name"]},
                      world.token)
    assert found["units"]["nodes"] == [{"id": unit["id"], "uscc": None}]
    declaration = await world.create(workUnitId=unit["id"])
    assert declaration["workUnit"] == {"id": unit["id"], "name": unit["name"]}


async def test_a_no_code_unit_that_obtained_a_code_is_checked_normally(api, city_admin, engine):
    registered = await _register(api, noCodeReason=REASON, loginName="latecode")
    token = await api.login("latecode")
    code = api.next_uscc()
    saved = await save(api, token, name=registered["unit"]["name"], uscc=code)
    assert saved["application"]["manualReviewRequested"] is False
    submitted = (await api(SUBMIT, token=token))["submitPermissionApplication"]["application"]
    assert submitted["codeCheck"] == "PASSED"
    granted = (await api(REVIEW, {"id": submitted["id"], "decision": "APPROVE"}, city_admin))
    assert granted["reviewPermissionApplication"]["application"]["history"][0]["decision"] == "APPROVED"
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT uscc, no_code_reason FROM unit"))).one()
    assert tuple(stored) == (code, None)
