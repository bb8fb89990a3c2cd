"""Administration through the API (issue 12): admin accounts, password resets with a forced
change, the registry upload, setupStatus — each step and its refusals, as a client sees them."""

from __future__ import annotations

import dataclasses

import pytest

from rules.identity import uscc_check_char
from tests.support.admin import change_password, import_registry, registry_csv, upload_registry
from tests.support.api import LOGIN, PASSWORD
from tests.support.units import create_committee, permitted_unit, table_snapshot, unit_with_token

ERRORS = "errors { code field message }"
ADMIN_FIELDS = "id name loginName region { code } disabled mustChangePassword"
CREATE_ADMIN = """mutation($input: CreateAdminInput!) {
  createAdmin(input: $input) { admin { %s } initialPassword %s } }""" % (ADMIN_FIELDS, ERRORS)
DISABLE = "mutation($id: ID!) { disableAdmin(adminId: $id) { admin { %s } %s } }" % (ADMIN_FIELDS, ERRORS)
ENABLE = "mutation($id: ID!) { enableAdmin(adminId: $id) { admin { %s } %s } }" % (ADMIN_FIELDS, ERRORS)
RESET = "mutation($id: ID!) { resetPassword(accountId: $id) { loginName temporaryPassword %s } }" % ERRORS
ME = "{ me { loginName mustChangePassword capabilities person { idNumber } admin { id loginName } } }"
LOG = """query($action: String) { auditLog(action: $action, first: 20) {
  totalCount nodes { action success loginName objectId reason } } }"""
SETUP = "{ setupStatus { key ok message } }"
REGISTRY_STATUS = "{ registryStatus { entries loadedBy fileName loadedAt } }"
ADMINS = "query($region: String) { admins(regionCode: $region) { totalCount nodes { %s } } }" % ADMIN_FIELDS


def code(n: int) -> str:
    first17 = f"91370100MA{n:07d}"
    return first17 + uscc_check_char(first17)


async def login_payload(api, login: str, password: str) -> dict:
    return (await api(LOGIN, {"login": login, "password": password}))["login"]


async def create_admin(api, token: str, **overrides) -> dict:
    variables = {"loginName": "jinan_office2", "name": "济南市职称管理机构", "regionCode": "370100", **overrides}
    return (await api(CREATE_ADMIN, {"input": variables}, token))["createAdmin"]


async def new_city_admin(api, province_admin: str, login: str = "jinan_office2", region: str = "370100") -> dict:
    """A city admin created through the API, logged in, its one-time password changed."""
    created = await create_admin(api, province_admin, loginName=login, regionCode=region)
    assert created["errors"] == [], created
    token = await api.login(login, created["initialPassword"])
    assert (await change_password(api, token, created["initialPassword"], PASSWORD))["ok"]
    return {**created["admin"], "token": token}


def refusal_codes(errors: list) -> list[str]:
    return [e["extensions"]["code"] for e in errors]


# --- createAdmin and the forced password change --------------------------------------------

async def test_province_admin_creates_a_city_admin_who_must_change_the_password(api, province_admin):
    created = await create_admin(api, province_admin)
    assert created["errors"] == []
    assert created["admin"]["region"] == {"code": "370100"} and created["admin"]["mustChangePassword"] is True
    password = created["initialPassword"]
    assert len(password) == 16

    # The login succeeds; the session may read `me` and nothing else.
    logged_in = await login_payload(api, "jinan_office2", password)
    assert logged_in["errors"] == [] and logged_in["me"]["capabilities"] == []
    token = logged_in["token"]
    me = (await api(ME, token=token))["me"]
    assert me["mustChangePassword"] is True and me["admin"]["loginName"] == "jinan_office2"
    for query in (LOG, SETUP, "{ permissionApplications(first: 1) { totalCount } }"):
        assert refusal_codes(await api.errors(query, {}, token)) == ["PASSWORD_CHANGE_REQUIRED"]
    refused = await api.errors(RESET, {"id": created["admin"]["id"]}, token)
    assert refusal_codes(refused) == ["PASSWORD_CHANGE_REQUIRED"]
    assert "请先修改密码" in refused[0]["message"]
    # Node lookups answer as for nobody.
    assert (await api("query($id: ID!) { node(id: $id) { id } }", {"id": created["admin"]["id"]}, token)) == {
        "node": None}

    # Changing it lifts the restriction on this very session.
    assert (await change_password(api, token, password, PASSWORD))["ok"]
    assert (await api(ME, token=token))["me"]["mustChangePassword"] is False
    assert (await api(LOG, {}, token))["auditLog"]["totalCount"] >= 0

    rows = (await api(LOG, {"action": "admin.create"}, province_admin))["auditLog"]["nodes"]
    assert [(r["action"], r["success"], r["objectId"]) for r in rows] == [("admin.create", True, created["admin"]["id"])]
    assert password not in str(rows)


async def test_logout_works_before_the_password_is_changed(api, province_admin):
    created = await create_admin(api, province_admin)
    token = await api.login("jinan_office2", created["initialPassword"])
    out = (await api("mutation { logout { ok } }", token=token))["logout"]
    assert out == {"ok": True}
    assert (await api(ME, token=token))["me"] is None


async def test_a_chosen_initial_password_is_not_answered_and_still_must_change(api, province_admin):
    created = await create_admin(api, province_admin, password="Chosen-Pass9")
    assert created["errors"] == [] and created["initialPassword"] is None
    assert created["admin"]["mustChangePassword"] is True
    token = await api.login("jinan_office2", "Chosen-Pass9")
    assert (await api(ME, token=token))["me"]["mustChangePassword"] is True


async def test_the_province_may_create_another_province_admin(api, province_admin):
    created = await create_admin(api, province_admin, loginName="sd_office2", regionCode="370000")
    assert created["errors"] == [] and created["admin"]["region"] == {"code": "370000"}


async def test_create_admin_reports_every_bad_field(api, province_admin, engine):
    before = await table_snapshot(engine, "account", "admin")
    refused = await create_admin(api, province_admin, loginName="x", regionCode="371200", name=" ", password="short")
    assert {(e["code"], e["field"]) for e in refused["errors"]} >= {
        ("LOGIN_NAME_FORMAT", "loginName"), ("REGION_UNKNOWN", "regionCode"), ("FIELD_REQUIRED", "name"),
        ("PASSWORD_TOO_SHORT", "password")}
    assert refused["admin"] is None and refused["initialPassword"] is None
    assert await table_snapshot(engine, "account", "admin") == before


async def test_a_city_admin_cannot_create_admins(api, city_admin, province_admin, engine):
    before = await table_snapshot(engine, "account", "admin")
    refused = await create_admin(api, city_admin, loginName="jinan_office3")
    assert [e["code"] for e in refused["errors"]] == ["NOT_PERMITTED"]
    assert await table_snapshot(engine, "account", "admin") == before
    rows = (await api(LOG, {"action": "admin.create"}, province_admin))["auditLog"]["nodes"]
    assert [(r["success"], r["reason"]) for r in rows] == [(False, "NOT_PERMITTED")]


# --- disableAdmin / enableAdmin ------------------------------------------------------------

async def test_a_disabled_admin_cannot_log_in_and_its_session_stops(api, province_admin):
    city = await new_city_admin(api, province_admin)
    assert (await api(SETUP, token=city["token"]))["setupStatus"]

    disabled = (await api(DISABLE, {"id": city["id"]}, province_admin))["disableAdmin"]
    assert disabled["errors"] == [] and disabled["admin"]["disabled"] is True
    # The open session ends at once.
    assert (await api(ME, token=city["token"]))["me"] is None
    assert refusal_codes(await api.errors(SETUP, {}, city["token"])) == ["UNAUTHENTICATED"]
    # A wrong password answers like any account's; only the right one says "disabled".
    wrong = await login_payload(api, city["loginName"], "Wrong-Pass1")
    unknown = await login_payload(api, "no_such_admin", "Wrong-Pass1")
    assert [e["code"] for e in wrong["errors"]] == [e["code"] for e in unknown["errors"]] == ["INVALID_CREDENTIALS"]
    right = await login_payload(api, city["loginName"], PASSWORD)
    assert [e["code"] for e in right["errors"]] == ["ACCOUNT_DISABLED"] and right["token"] is None

    enabled = (await api(ENABLE, {"id": city["id"]}, province_admin))["enableAdmin"]
    assert enabled["errors"] == [] and enabled["admin"]["disabled"] is False
    assert (await api(ME, token=city["token"]))["me"] is None  # ended sessions stay ended
    assert await api.login(city["loginName"])

    actions = [(r["action"], r["success"]) for r in (await api(LOG, {}, province_admin))["auditLog"]["nodes"]]
    assert ("admin.disable", True) in actions and ("admin.enable", True) in actions


async def test_disable_refusals(api, province_admin, city_admin, engine):
    me = (await api(ME, token=province_admin))["me"]["admin"]
    refused = (await api(DISABLE, {"id": me["id"]}, province_admin))["disableAdmin"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("CANNOT_DISABLE_SELF", "adminId")]
    other = (await api(ME, token=city_admin))["me"]["admin"]
    by_city = (await api(DISABLE, {"id": me["id"]}, city_admin))["disableAdmin"]
    assert [e["code"] for e in by_city["errors"]] == ["NOT_PERMITTED"]
    missing = (await api(DISABLE, {"id": other["id"].replace("=", "")[:-1] + "Q"}, province_admin))["disableAdmin"]
    assert [e["code"] for e in missing["errors"]] in (["INVALID_ID"], ["NOT_FOUND"])
    assert (await api(ME, token=province_admin))["me"] is not None


# --- resetPassword -----------------------------------------------------------------------

async def test_city_admin_resets_a_units_password(api, city_admin, engine):
    unit = await unit_with_token(api)
    reset = (await api(RESET, {"id": unit["id"]}, city_admin))["resetPassword"]
    assert reset["errors"] == [] and reset["loginName"] == unit["loginName"]
    temporary = reset["temporaryPassword"]
    # The old token and the old password are dead.
    assert (await api(ME, token=unit["token"]))["me"] is None
    assert [e["code"] for e in (await login_payload(api, unit["loginName"], PASSWORD))["errors"]] == [
        "INVALID_CREDENTIALS"]
    # The temporary one logs in to a session that must change it first.
    token = await api.login(unit["loginName"], temporary)
    assert refusal_codes(await api.errors("{ myPermissionApplication { id } }", {}, token)) == [
        "PASSWORD_CHANGE_REQUIRED"]
    assert (await change_password(api, token, temporary, "Brand-New-Pass2"))["ok"]
    assert (await api("{ myPermissionApplication { id } }", token=token))["myPermissionApplication"] is None

    rows = (await api(LOG, {"action": "account.reset_password"}, city_admin))["auditLog"]["nodes"]
    assert len(rows) == 1 and rows[0]["success"] and temporary not in str(rows)


async def test_reset_is_scoped_like_unlock(api, city_admin, make_admin, province_admin, engine):
    qingdao_admin = await make_admin("370200")
    unit = await unit_with_token(api)  # a unit of 济南
    before = await table_snapshot(engine, "account", "auth_session")
    refused = (await api(RESET, {"id": unit["id"]}, qingdao_admin))["resetPassword"]
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("NOT_FOUND", "accountId")]
    assert refused["temporaryPassword"] is None
    # Neither the province admin (from a city) nor oneself.
    province = (await api(ME, token=province_admin))["me"]["admin"]["id"]
    assert (await api(RESET, {"id": province}, city_admin))["resetPassword"]["errors"][0]["code"] == "NOT_FOUND"
    own = (await api(ME, token=city_admin))["me"]["admin"]["id"]
    assert (await api(RESET, {"id": own}, city_admin))["resetPassword"]["errors"][0]["code"] == "NOT_FOUND"
    assert await table_snapshot(engine, "account", "auth_session") == before
    # A person no declaration brought to the admin is out of scope too.
    person = await api.register_person()
    assert (await api(RESET, {"id": person["id"]}, province_admin))["resetPassword"]["errors"][0]["code"] == "NOT_FOUND"
    # A unit's applicant kind cannot reset anything.
    assert refusal_codes(await api.errors(RESET, {"id": unit["id"]}, unit["token"])) == ["FORBIDDEN"]


async def test_the_province_resets_a_city_admin_and_the_throttle_is_cleared(api, province_admin):
    city = await new_city_admin(api, province_admin)
    for _ in range(6):
        await login_payload(api, city["loginName"], "Wrong-Pass1")
    assert (await login_payload(api, city["loginName"], PASSWORD))["errors"][0]["code"] == "LOGIN_THROTTLED"
    reset = (await api(RESET, {"id": city["id"]}, province_admin))["resetPassword"]
    assert reset["errors"] == []
    assert (await login_payload(api, city["loginName"], reset["temporaryPassword"]))["errors"] == []


async def test_unlock_accepts_a_unit_id_as_well(api, city_admin):
    unit = await unit_with_token(api)
    ok = (await api("mutation($id: ID!) { unlockAccount(accountId: $id) { ok errors { code } } }",
                    {"id": unit["id"]}, city_admin))["unlockAccount"]
    assert ok == {"ok": True, "errors": []}


async def test_a_download_needs_the_password_changed(api, city_admin, client):
    unit = await unit_with_token(api)
    reset = (await api(RESET, {"id": unit["id"]}, city_admin))["resetPassword"]
    token = await api.login(unit["loginName"], reset["temporaryPassword"])
    response = await client.get("/materials/1", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


# --- admins ---------------------------------------------------------------------------------

async def test_admins_are_listed_within_the_callers_region(api, province_admin, make_admin):
    jinan = await new_city_admin(api, province_admin)
    await new_city_admin(api, province_admin, login="qingdao_office", region="370200")
    everyone = (await api(ADMINS, {}, province_admin))["admins"]
    assert everyone["totalCount"] == 3
    own = (await api(ADMINS, {}, jinan["token"]))["admins"]
    assert [a["loginName"] for a in own["nodes"]] == ["jinan_office2"]
    by_region = (await api(ADMINS, {"region": "370200"}, province_admin))["admins"]
    assert [a["loginName"] for a in by_region["nodes"]] == ["qingdao_office"]
    node = "query($id: ID!) { node(id: $id) { ... on Admin { loginName } } }"
    assert (await api(node, {"id": jinan["id"]}, province_admin))["node"] == {"loginName": "jinan_office2"}
    province_id = (await api(ME, token=province_admin))["me"]["admin"]["id"]
    assert (await api(node, {"id": province_id}, jinan["token"]))["node"] is None


# --- importRegistry --------------------------------------------------------------------------

async def test_a_good_file_replaces_the_registry_at_once(api, province_admin, engine):
    first = await import_registry(api, province_admin, registry_csv(("甲公司", code(1)), ("乙公司", code(2))))
    assert first["errors"] == [] and first["imported"] == 2 and first["rejectedRows"] == []
    # BOM, no header, CRLF, blank lines: what spreadsheets write.
    content = f"\ufeff丙公司,{code(3).lower()}\r\n\r\n丁公司,{code(4)}\r\n".encode()
    second = await import_registry(api, province_admin, content, name="登记库.csv")
    assert second["errors"] == [] and second["imported"] == 2
    status = (await api(REGISTRY_STATUS, token=province_admin))["registryStatus"]
    assert status["entries"] == 2 and status["fileName"] == "登记库.csv"
    assert status["loadedBy"] == (await api(ME, token=province_admin))["me"]["loginName"]
    rows = (await table_snapshot(engine, "uscc_registry"))["uscc_registry"]
    assert sorted(rows) == [(code(3), "丙公司"), (code(4), "丁公司")]
    audit = (await api(LOG, {"action": "registry.import"}, province_admin))["auditLog"]["nodes"]
    assert [(r["success"], r["reason"]) for r in audit] == [(True, "2条"), (True, "2条")]


async def test_bad_rows_are_reported_by_line_and_nothing_is_replaced(api, province_admin, engine):
    assert (await import_registry(api, province_admin, registry_csv(("甲公司", code(1)))))["imported"] == 1
    before = await table_snapshot(engine, "uscc_registry", "registry_load")
    bad_digit = code(5)[:-1] + ("0" if code(5)[-1] != "0" else "1")
    content = registry_csv(("乙公司", code(2)), ("丙公司", bad_digit), ("", code(6)), ("戊公司", code(2)),
                           ("己公司", "12345"), ("庚" * 201, code(7))) + f"辛公司,{code(8)},多余\n".encode()
    refused = await import_registry(api, province_admin, content)
    assert refused["imported"] is None and refused["registry"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [("REGISTRY_ROWS_REJECTED", "file")]
    assert refused["rejectedCount"] == 6
    assert [(r["line"], r["error"]) for r in refused["rejectedRows"]] == [
        (3, "USCC_CHECK_DIGIT"), (4, "FIELD_REQUIRED"), (5, "REGISTRY_DUPLICATE_CODE"), (6, "USCC_FORMAT"),
        (7, "FIELD_TOO_LONG"), (8, "REGISTRY_COLUMNS")]
    assert refused["rejectedRows"][2]["message"] == "统一社会信用代码与第2行重复"
    assert refused["rejectedRows"][0]["code"] == bad_digit
    assert await table_snapshot(engine, "uscc_registry", "registry_load") == before
    audit = (await api(LOG, {"action": "registry.import"}, province_admin))["auditLog"]["nodes"]
    assert (False, "REGISTRY_ROWS_REJECTED") in [(r["success"], r["reason"]) for r in audit]


@pytest.mark.parametrize(("content", "error"), [
    (b"name,code\n", "REGISTRY_EMPTY"),
    ("甲公司,91370100MA00000010\n".encode("gbk"), "REGISTRY_FILE_UNREADABLE"),
    (b"a,b\nc\x00,d\n", "REGISTRY_FILE_UNREADABLE"),
])
async def test_unreadable_or_empty_files_are_refused(api, province_admin, engine, content, error):
    before = await table_snapshot(engine, "uscc_registry", "registry_load")
    refused = await import_registry(api, province_admin, content)
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [(error, "file")]
    assert await table_snapshot(engine, "uscc_registry", "registry_load") == before


async def test_the_file_is_bounded_in_bytes_and_rows(api, province_admin, services):
    big = registry_csv(*[(f"公司{i}", code(i)) for i in range(1, 40)])
    services.settings = dataclasses.replace(services.settings, registry_max_bytes=500)
    refused = await import_registry(api, province_admin, big)
    assert [e["code"] for e in refused["errors"]] == ["REGISTRY_TOO_LARGE"]
    services.settings = dataclasses.replace(services.settings, registry_max_bytes=1 << 20, registry_max_rows=10)
    refused = await import_registry(api, province_admin, big)
    assert [e["code"] for e in refused["errors"]] == ["REGISTRY_TOO_LARGE"]
    assert "10" in refused["errors"][0]["message"]


async def test_only_the_province_imports_and_only_with_the_preflight_header(api, city_admin, province_admin, engine):
    refused = await import_registry(api, city_admin, registry_csv(("甲公司", code(1))))
    assert [e["code"] for e in refused["errors"]] == ["NOT_PERMITTED"]
    response = await upload_registry(api, province_admin, registry_csv(("甲公司", code(1))), preflight=False)
    assert response.status_code == 400
    assert (await table_snapshot(engine, "uscc_registry"))["uscc_registry"] == []
    assert (await api(REGISTRY_STATUS, token=province_admin))["registryStatus"] is None


# --- setupStatus ------------------------------------------------------------------------------

def _state(items: list[dict]) -> dict[str, bool]:
    return {i["key"]: i["ok"] for i in items}


async def test_setup_status_names_what_a_fresh_install_lacks(api, province_admin):
    items = (await api(SETUP, token=province_admin))["setupStatus"]
    assert _state(items) == {"PROVINCE_PASSWORD_CHANGED": True, "CITY_ADMIN": False, "REGISTRY_LOADED": False,
                             "ACTIVE_COMMITTEE": False, "DECLARATION_YEAR_OPEN": False}
    assert all(i["message"] for i in items)
    assert "importRegistry" in next(i["message"] for i in items if i["key"] == "REGISTRY_LOADED")

    # Another province admin with its one-time password still in use is named.
    await create_admin(api, province_admin, loginName="sd_office2", regionCode="370000")
    items = (await api(SETUP, token=province_admin))["setupStatus"]
    assert not _state(items)["PROVINCE_PASSWORD_CHANGED"]
    assert "sd_office2" in items[0]["message"]

    city = await new_city_admin(api, province_admin)
    accepting = await permitted_unit(api, city["token"])
    await import_registry(api, province_admin, registry_csv(("甲公司", code(1))))
    assert (await create_committee(api, province_admin, accepting))["errors"] == []
    opened = await api("mutation { openDeclarationYear(year: 2026) { errors { code } } }", token=province_admin)
    assert opened["openDeclarationYear"]["errors"] == []
    items = (await api(SETUP, token=city["token"]))["setupStatus"]
    assert {k for k, ok in _state(items).items() if not ok} == {"PROVINCE_PASSWORD_CHANGED"}
    assert "sd_office2" not in items[0]["message"]  # a city is not told the province's logins
    assert "2026" in next(i["message"] for i in items if i["key"] == "DECLARATION_YEAR_OPEN")


async def test_setup_status_is_for_admins(api, applicant):
    assert refusal_codes(await api.errors(SETUP, {}, applicant["token"])) == ["FORBIDDEN"]
    assert refusal_codes(await api.errors(SETUP)) == ["UNAUTHENTICATED"]
