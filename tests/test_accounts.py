"""Registration, login, sessions and passwords, through GraphQL."""

from __future__ import annotations

import pytest

from tests.support.api import LOGIN, PASSWORD, REGISTER_PERSON, REGISTER_UNIT

ME = "{ me { loginName kind capabilities person { idNumber mobile } } }"
LOGOUT = "mutation { logout { ok errors { code } } }"
CHANGE_PASSWORD = """
mutation($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new) { ok errors { code field message } }
}"""


def person_input(api, **overrides):
    return {"loginName": "zhang_san", "idNumber": api.next_id_number(), "name": "张三",
            "mobile": "13800138000", "password": PASSWORD, **overrides}


def unit_input(api, **overrides):
    return {"name": "济南市第一人民医院", "uscc": api.next_uscc(), "regionCode": "370100",
            "contactName": "李四", "contactMobile": "13900139000", "loginName": "jnyy",
            "password": PASSWORD, **overrides}


async def register_person_errors(api, **overrides):
    payload = (await api(REGISTER_PERSON, {"input": person_input(api, **overrides)}))["registerPerson"]
    assert payload["person"] is None
    return {(e["code"], e["field"]) for e in payload["errors"]}


# --- registerPerson -----------------------------------------------------------

async def test_register_person_derives_birth_date_and_sex(api):
    payload = (await api(REGISTER_PERSON, {"input": person_input(api, idNumber="11010519491231002x")}))
    person = payload["registerPerson"]["person"]
    assert person["birthYear"] == 1949
    assert person["sex"] == "FEMALE"
    # The registrant is not logged in yet: even the echo is masked, and the month and day
    # (the digits the mask hides) are not given back beside it.
    assert person["idNumber"] == "110105********002X"
    assert person["birthDate"] is None
    me = (await login_payload(api, "zhang_san"))["me"]["person"]
    assert me == {"id": person["id"], "idNumber": "11010519491231002X", "birthDate": "1949-12-31"}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"idNumber": "11010519491231002"}, ("ID_FORMAT", "idNumber")),
        ({"idNumber": "110105194912310021"}, ("ID_CHECK_DIGIT", "idNumber")),
        ({"idNumber": "110105194902300026"}, ("ID_BIRTH_DATE", "idNumber")),
        ({"loginName": "ab"}, ("LOGIN_NAME_FORMAT", "loginName")),
        ({"loginName": "张三丰abc"}, ("LOGIN_NAME_FORMAT", "loginName")),
        ({"mobile": "23800138000"}, ("MOBILE_FORMAT", "mobile")),
        ({"name": "   "}, ("NAME_FORMAT", "name")),
        ({"password": "Short1!"}, ("PASSWORD_TOO_SHORT", "password")),
        ({"password": "alllowercase1"}, ("PASSWORD_TOO_SIMPLE", "password")),
        ({"password": "Zhang_San-2026"}, ("PASSWORD_CONTAINS_LOGIN", "password")),
    ],
)
async def test_register_person_refuses_bad_fields(api, count_rows, overrides, expected):
    assert expected in await register_person_errors(api, **overrides)
    assert await count_rows("account") == 0
    assert await count_rows("person") == 0


async def test_register_person_reports_every_bad_field_at_once(api, count_rows):
    errors = await register_person_errors(api, loginName="x", idNumber="123", mobile="1", password="a")
    assert {field for _, field in errors} == {"loginName", "idNumber", "mobile", "password"}
    assert await count_rows("account") == 0


async def test_login_name_and_id_number_are_unique(api, count_rows):
    first = await api.register_person(loginName="Wang_Wu")
    assert ("LOGIN_NAME_TAKEN", "loginName") in await register_person_errors(api, loginName="wang_wu")
    assert ("ID_NUMBER_TAKEN", "idNumber") in await register_person_errors(
        api, loginName="other_one", idNumber=first["idNumberRaw"].lower()
    )
    assert await count_rows("person") == 1


# --- registerUnit ---------------------------------------------------------------

async def test_register_unit(api):
    payload = (await api(REGISTER_UNIT, {"input": unit_input(api, uscc="91110108551385082q")}))["registerUnit"]
    assert payload["errors"] == []
    unit = payload["unit"]
    assert unit["uscc"] == "91110108551385082Q"
    assert unit["region"] == {"code": "370100", "name": "济南市"}
    assert unit["permissionStatus"] == "NOT_APPLIED" and unit["isPermitted"] is False


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"uscc": "91110108551385082X"}, ("USCC_CHECK_DIGIT", "uscc")),
        ({"uscc": "9111010855138508"}, ("USCC_FORMAT", "uscc")),
        ({"uscc": "91110108551385O82Q"}, ("USCC_FORMAT", "uscc")),
        ({"regionCode": "371200"}, ("REGION_UNKNOWN", "regionCode")),  # 莱芜 merged into 济南 in 2019
        ({"regionCode": "370000"}, ("REGION_UNKNOWN", "regionCode")),  # a unit is in one city
        ({"contactMobile": "1380013800"}, ("MOBILE_FORMAT", "contactMobile")),
        ({"name": "院"}, ("NAME_FORMAT", "name")),
        ({"password": "jnyyJNYY2026"}, ("PASSWORD_CONTAINS_LOGIN", "password")),
    ],
)
async def test_register_unit_refuses_bad_fields(api, count_rows, overrides, expected):
    payload = (await api(REGISTER_UNIT, {"input": unit_input(api, **overrides)}))["registerUnit"]
    assert expected in {(e["code"], e["field"]) for e in payload["errors"]}
    assert payload["unit"] is None
    assert await count_rows("unit") == 0 and await count_rows("account") == 0


async def test_unit_code_and_login_are_unique(api, count_rows):
    await api.register_unit(uscc="914403001922038216", loginName="first_unit")
    payload = (await api(REGISTER_UNIT, {"input": unit_input(api, uscc="914403001922038216",
                                                             loginName="FIRST_UNIT")}))["registerUnit"]
    codes = {e["code"] for e in payload["errors"]}
    assert codes == {"USCC_TAKEN", "LOGIN_NAME_TAKEN"}
    assert await count_rows("unit") == 1


# --- login ------------------------------------------------------------------------

async def login_payload(api, login, password=PASSWORD):
    return (await api(LOGIN, {"login": login, "password": password}))["login"]


async def test_applicant_logs_in_by_login_name_or_id_number(api):
    person = await api.register_person()
    by_name = await login_payload(api, person["loginName"].upper())
    by_id = await login_payload(api, person["idNumberRaw"])
    for payload in (by_name, by_id):
        assert payload["errors"] == []
        assert payload["token"]
        assert payload["me"]["kind"] == "PERSON"
        assert payload["me"]["capabilities"] == ["DECLARE"]
    assert by_name["token"] != by_id["token"]


async def test_unit_logs_in_by_login_name_only(api):
    unit = await api.register_unit()
    payload = await login_payload(api, unit["loginName"])
    assert payload["me"]["unit"]["name"] == unit["name"]
    assert payload["me"]["capabilities"] == ["APPLY_PERMISSION"]


async def test_wrong_password_and_unknown_login_look_the_same(api):
    person = await api.register_person()
    wrong = await login_payload(api, person["loginName"], "Wrong-Pass1")
    unknown = await login_payload(api, "nobody_here", "Wrong-Pass1")
    assert wrong["token"] is None and unknown["token"] is None
    assert wrong["errors"][0]["code"] == unknown["errors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_failures_past_the_threshold_throttle_with_doubling_delays(api, clock):
    person = await api.register_person()
    for _attempt in range(5):
        payload = await login_payload(api, person["loginName"], "Wrong-Pass1")
        assert payload["errors"][0] == {"code": "INVALID_CREDENTIALS", "field": "login", "message": "账号或密码错误"}
    # The fifth failure blocks the account for 30 s: the next attempt is refused before any
    # check, even with the right password, by ID number too, and says until when.
    throttled = await login_payload(api, person["idNumberRaw"])
    assert throttled["errors"][0]["code"] == "LOGIN_THROTTLED"
    # The clock starts at 2026-03-01 01:00 UTC: 09:00:30 Beijing time.
    assert "2026-03-01 09:00:30" in throttled["errors"][0]["message"]
    clock.advance(seconds=31)
    # A refused attempt is not counted; a sixth failure doubles the wait to 60 s.
    assert (await login_payload(api, person["loginName"], "Wrong-Pass1"))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    clock.advance(seconds=59)
    assert (await login_payload(api, person["loginName"]))["errors"][0]["code"] == "LOGIN_THROTTLED"
    clock.advance(seconds=2)
    assert (await login_payload(api, person["loginName"]))["errors"] == []


async def test_the_wait_is_capped_so_nobody_locks_an_account_for_long(api, api_from, clock):
    person = await api.register_person()
    owner = api_from("10.0.0.2")
    for _attempt in range(20):
        await login_payload(api, person["loginName"], "Wrong-Pass1")
        clock.advance(hours=2)  # past every block
    # However many failures, one more blocks the account for at most 15 minutes …
    await login_payload(api, person["loginName"], "Wrong-Pass1")
    clock.advance(minutes=14)
    assert (await login_payload(owner, person["loginName"]))["errors"][0]["code"] == "LOGIN_THROTTLED"
    clock.advance(minutes=1, seconds=1)
    assert (await login_payload(owner, person["loginName"]))["errors"] == []
    # … while the attacker's address, 21 failures in, waits an hour.
    attacker = await login_payload(api, person["loginName"])
    assert attacker["errors"][0]["code"] == "LOGIN_THROTTLED"
    clock.advance(minutes=45)
    assert (await login_payload(api, person["loginName"]))["errors"] == []


async def test_failures_from_one_address_throttle_it_across_accounts(api, api_from, clock):
    people = [await api.register_person() for _ in range(3)]
    for i in range(10):  # password spraying: never 5 on one account
        payload = await login_payload(api, people[i % 3]["loginName"], "Wrong-Pass1")
        assert payload["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await login_payload(api, people[0]["loginName"]))["errors"][0]["code"] == "LOGIN_THROTTLED"
    # The accounts themselves are not blocked: their owners log in from elsewhere.
    assert (await login_payload(api_from("10.0.0.3"), people[0]["loginName"]))["errors"] == []


async def test_unknown_logins_are_throttled_like_known_ones(api, clock):
    person = await api.register_person()
    answers = {}
    for login in (person["loginName"], "nobody_here"):
        answers[login] = [(await login_payload(api, login, "Wrong-Pass1"))["errors"] for _ in range(6)]
        clock.advance(hours=25)  # the address's count is forgotten
    known, unknown = answers.values()
    assert [e[0]["code"] for e in known] == ["INVALID_CREDENTIALS"] * 5 + ["LOGIN_THROTTLED"]
    # Word for word the same, but for the moment to retry (each started 25 hours apart).
    assert known[-1][0]["message"] == unknown[-1][0]["message"].replace("03-02 10:", "03-01 09:")
    assert known[:5] == unknown[:5]


async def test_a_success_resets_the_failure_count(api):
    person = await api.register_person()
    for _ in range(4):
        await login_payload(api, person["loginName"], "Wrong-Pass1")
    assert (await login_payload(api, person["loginName"]))["errors"] == []
    for _ in range(4):
        payload = await login_payload(api, person["loginName"], "Wrong-Pass1")
        assert payload["errors"][0]["code"] == "INVALID_CREDENTIALS"


# --- sessions ---------------------------------------------------------------------

async def test_me_is_null_without_a_valid_token(api):
    assert (await api(ME))["me"] is None
    assert (await api(ME, token="forged-token"))["me"] is None


async def test_session_expires_after_thirty_idle_minutes(api, clock, applicant):
    token = applicant["token"]
    clock.advance(minutes=29)
    assert (await api(ME, token=token))["me"] is not None  # activity slides the idle window
    clock.advance(minutes=29)
    assert (await api(ME, token=token))["me"] is not None
    clock.advance(minutes=31)
    assert (await api(ME, token=token))["me"] is None


async def test_session_expires_after_twelve_hours_even_when_active(api, clock, applicant):
    token = applicant["token"]
    for _ in range(24):
        clock.advance(minutes=29)
        assert (await api(ME, token=token))["me"] is not None
    clock.advance(minutes=29)  # 12h05m after login
    assert (await api(ME, token=token))["me"] is None


async def test_tokens_are_stored_only_as_hashes(api, engine, applicant):
    from sqlalchemy import text

    token = applicant["token"]
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT token_hash FROM auth_session"))).scalar_one()
    assert token.encode() not in bytes(stored) and len(stored) == 32


async def test_logout_revokes_the_token(api, applicant):
    token = applicant["token"]
    other = await api.login(applicant["loginName"])
    assert (await api(LOGOUT, token=token))["logout"]["ok"] is True
    assert (await api(ME, token=token))["me"] is None
    assert (await api(ME, token=other))["me"] is not None  # only this session ends


async def test_logout_without_a_token_is_unauthenticated(api):
    errors = await api.errors(LOGOUT)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- passwords ----------------------------------------------------------------------

async def test_change_password_ends_other_sessions(api, applicant):
    token = applicant["token"]
    other = await api.login(applicant["loginName"])
    payload = (await api(CHANGE_PASSWORD, {"current": PASSWORD, "new": "Brand-New-2026"}, token))
    assert payload["changePassword"] == {"ok": True, "errors": []}
    assert (await api(ME, token=token))["me"] is not None
    assert (await api(ME, token=other))["me"] is None
    assert (await login_payload(api, applicant["loginName"]))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await login_payload(api, applicant["loginName"], "Brand-New-2026"))["errors"] == []


@pytest.mark.parametrize(
    ("current", "new", "expected"),
    [
        ("Wrong-Pass1", "Brand-New-2026", ("WRONG_PASSWORD", "currentPassword")),
        (PASSWORD, "short", ("PASSWORD_TOO_SHORT", "newPassword")),
        (PASSWORD, PASSWORD, ("PASSWORD_UNCHANGED", "newPassword")),
    ],
)
async def test_change_password_refusals_change_nothing(api, current, new, expected, applicant):
    token = applicant["token"]
    payload = (await api(CHANGE_PASSWORD, {"current": current, "new": new}, token))["changePassword"]
    assert payload["ok"] is False
    assert expected in {(e["code"], e["field"]) for e in payload["errors"]}
    assert (await login_payload(api, applicant["loginName"]))["errors"] == []


async def test_password_hashes_are_argon2id(api, engine):
    from sqlalchemy import text

    await api.register_person()
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT password_hash FROM account"))).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


# --- masking ----------------------------------------------------------------------------

async def test_id_number_is_shown_in_full_only_to_its_owner(api, make_admin):
    person = await api.register_person(idNumber="11010519491231002X")
    owner = await api.login(person["loginName"])
    mine = (await api(ME, token=owner))["me"]["person"]
    assert mine == {"idNumber": "11010519491231002X", "mobile": "13800138000"}

    # Staff see a person only through a declaration (test_person_visibility); here the
    # registration echo is the masked form everyone but the owner gets.
    assert person["idNumber"] == "110105********002X"
    assert person["mobile"] == "138****8000"


async def test_another_applicant_cannot_read_a_person(api):
    person = await api.register_person()
    stranger = await api.register_person()
    token = await api.login(stranger["loginName"])
    data = await api("query($id: ID!) { node(id: $id) { id } }", {"id": person["id"]}, token)
    assert data["node"] is None


async def test_a_hash_with_old_cost_parameters_is_upgraded_at_login(api, engine):
    from argon2 import PasswordHasher
    from sqlalchemy import text

    person = await api.register_person()
    old = PasswordHasher(time_cost=1, memory_cost=256, parallelism=4).hash(PASSWORD)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE account SET password_hash = :h"), {"h": old})
    await api.login(person["loginName"])
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT password_hash FROM account"))).scalar_one()
    assert stored != old and ",p=1$" in stored
    await api.login(person["loginName"])  # the upgraded hash verifies


async def test_the_password_is_checked_with_no_connection_held(api, services, engine, monkeypatch):
    """A burst of logins must not hold pooled connections (or the account's row lock)
    through ~100 ms of hashing each, or every other request waits for a connection."""
    person = await api.register_person()
    held_while_hashing = []
    verify = services.passwords.verify

    async def watching_verify(password_hash, password):
        held_while_hashing.append(engine.sync_engine.pool.checkedout())
        return await verify(password_hash, password)

    monkeypatch.setattr(services.passwords, "verify", watching_verify)
    await api.login(person["loginName"])
    wrong = (await api(LOGIN, {"login": person["loginName"], "password": "Wrong-Pass1"}))["login"]
    assert wrong["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert held_while_hashing == [0, 0]


# --- unlockAccount ------------------------------------------------------------------

UNLOCK = "mutation($id: ID!) { unlockAccount(accountId: $id) { ok errors { code field } } }"
ACCOUNT_OF = "SELECT account_id FROM {table} WHERE id = :id"


async def account_gid(engine, table: str, gid: str) -> str:
    from sqlalchemy import text

    from schema.ids import decode_id, encode_id

    async with engine.connect() as conn:
        row_id = decode_id(gid, table.capitalize(), "id")
        return encode_id("Account", await conn.scalar(text(ACCOUNT_OF.format(table=table)), {"id": row_id}))


async def throttle(api, login):
    for _ in range(5):
        await login_payload(api, login, "Wrong-Pass1")
    assert (await login_payload(api, login))["errors"][0]["code"] == "LOGIN_THROTTLED"


async def test_an_admin_unlocks_a_unit_of_its_region_only(api, engine, make_admin, city_admin):
    unit = await api.register_unit()  # 济南
    await throttle(api, unit["loginName"])
    gid = await account_gid(engine, "unit", unit["id"])
    qingdao = await make_admin("370200")
    assert (await api(UNLOCK, {"id": gid}, qingdao))["unlockAccount"]["errors"] == [
        {"code": "NOT_FOUND", "field": "accountId"}]
    assert (await api(UNLOCK, {"id": gid}, city_admin))["unlockAccount"] == {"ok": True, "errors": []}
    assert (await login_payload(api, unit["loginName"]))["errors"] == []


async def test_persons_are_unlocked_only_by_admins_who_may_see_them(api, engine, province_admin):
    person = await api.register_person()  # never declared: no admin may see them
    await throttle(api, person["loginName"])
    gid = await account_gid(engine, "person", person["id"])
    refused = (await api(UNLOCK, {"id": gid}, province_admin))["unlockAccount"]
    assert refused["errors"] == [{"code": "NOT_FOUND", "field": "accountId"}]


async def test_the_province_unlocks_city_admins_and_a_city_cannot_unlock_the_province(api, engine, services):
    from sqlalchemy import text

    from tests.support.api import create_admin_token

    province = await create_admin_token(api, services, "370000")
    city = await create_admin_token(api, services, "370100")
    async with engine.connect() as conn:
        rows = dict((await conn.execute(text(
            "SELECT a.region_code, a.account_id FROM admin a ORDER BY a.id"))).all())
    from schema.ids import encode_id

    city_account, province_account = encode_id("Account", rows["370100"]), encode_id("Account", rows["370000"])
    assert (await api(UNLOCK, {"id": city_account}, province))["unlockAccount"]["ok"] is True
    assert (await api(UNLOCK, {"id": province_account}, city))["unlockAccount"]["errors"][0]["code"] == "NOT_FOUND"
    assert (await api(UNLOCK, {"id": province_account}, province))["unlockAccount"]["errors"][0]["code"] == \
        "NOT_FOUND"  # not itself


async def test_unlocks_are_audited(api, engine, city_admin):
    unit = await api.register_unit()
    gid = await account_gid(engine, "unit", unit["id"])
    await api(UNLOCK, {"id": gid}, city_admin)
    log = await api('{ auditLog(action: "account.unlock") { nodes { objectId success } } }', token=city_admin)
    assert log["auditLog"]["nodes"] == [{"objectId": gid, "success": True}]
