"""The audit log: every action and login appended to a SHA-256 chain the database keeps append-only."""

from __future__ import annotations

import asyncio
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from resolvers import audit
from tests.support import units
from tests.support.api import LOGIN
from tests.support.review import ReviewWorld
from tests.support.units import save, unit_with_token

LOG = """query($action: String, $first: Int) { auditLog(action: $action, first: $first) {
  totalCount edges { node { sequence action success loginName reason unit { id } objectId accountKind } } } }"""


async def verify(engine) -> audit.ChainReport:
    async with engine.connect() as conn:
        from sqlalchemy.ext.asyncio import AsyncSession

        async with AsyncSession(bind=conn) as session:
            return await audit.verify_chain(session)


async def test_logins_are_audited_even_when_they_fail(api, province_admin):
    unit = await unit_with_token(api)
    payload = (await api(LOGIN, {"login": unit["loginName"], "password": "Wrong-Pass1"}))["login"]
    assert payload["errors"][0]["code"] == "INVALID_CREDENTIALS"
    payload = (await api(LOGIN, {"login": "nobody_here", "password": "Wrong-Pass1"}))["login"]
    assert payload["errors"][0]["code"] == "INVALID_CREDENTIALS"
    rows = (await api(LOG, {"action": "login"}, province_admin))["auditLog"]["edges"]
    seen = [(r["node"]["loginName"], r["node"]["success"]) for r in rows]
    # A login that names no account is logged as a keyed fingerprint of what was typed
    # (it may be a password or someone's ID number), never as typed.
    unknown, failed = seen[:2]
    assert re.fullmatch(r"hmac:[0-9a-f]{16}/11", unknown[0]) and unknown[1] is False
    assert failed == (unit["loginName"], False)
    assert (unit["loginName"], True) in seen


async def test_actions_are_audited_and_scoped_to_the_region(api, make_admin, province_admin, city_admin,
                                                            permitted_unit):
    qingdao = await make_admin("370200")
    actions = [e["node"]["action"] for e in (await api(LOG, {}, city_admin))["auditLog"]["edges"]]
    for wanted in ("permission.save", "permission.submit", "permission.review"):
        assert wanted in actions
    # A decision step is logged under the step's name; what was decided is in the reason.
    approved = (await api(LOG, {"action": "permission.review"}, city_admin))["auditLog"]["edges"][0]["node"]
    assert approved["accountKind"] == "ADMIN" and approved["success"] is True
    assert approved["reason"] == "APPROVED" and approved["objectId"]
    assert (await api(LOG, {"action": "permission.review"}, province_admin))["auditLog"]["totalCount"] == 1
    assert (await api(LOG, {"action": "permission.review"}, qingdao))["auditLog"]["totalCount"] == 0
    errors = await api.errors(LOG, {}, permitted_unit["token"])
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_chain_verifies_and_tampering_is_found(api, province_admin, engine):
    await units.permitted_unit(api, province_admin)
    report = await verify(engine)
    assert report.ok and report.checked >= 5
    async with engine.begin() as conn:
        target = await conn.scalar(text("SELECT id FROM audit_entry ORDER BY id OFFSET 2 LIMIT 1"))
        # Only the owner can go behind the trigger's back; verification still finds it.
        await conn.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_update_delete"))
        await conn.execute(text("UPDATE audit_entry SET success = NOT success WHERE id = :id"), {"id": target})
        await conn.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_no_update_delete"))
    report = await verify(engine)
    assert report.first_broken_id == target and report.checked == 2


@pytest.mark.usefixtures("province_admin")  # its login is audited: the table has a row
async def test_database_refuses_update_delete_truncate(engine):
    for statement in ("UPDATE audit_entry SET reason = 'x'", "DELETE FROM audit_entry", "TRUNCATE audit_entry"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(statement))
    async with engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM audit_entry")) >= 1


@pytest.mark.usefixtures("province_admin")
async def test_concurrent_appends_keep_one_chain(api, engine):
    units = [await unit_with_token(api) for _ in range(3)]
    await asyncio.gather(*[save(api, u["token"], name=u["name"], uscc=u["uscc"]) for u in units],
                         *[api(LOGIN, {"login": u["loginName"], "password": "nope-Nope1"}) for u in units])
    report = await verify(engine)
    assert report.ok
    async with engine.connect() as conn:
        assert report.checked == await conn.scalar(text("SELECT count(*) FROM audit_entry"))


async def test_refused_steps_of_units_are_audited_as_failures(api, province_admin):
    unit = await unit_with_token(api)
    refused = await save(api, unit["token"], name="", uscc=unit["uscc"])
    assert refused["errors"]
    failures = (await api(LOG, {"action": "permission.save"}, province_admin))["auditLog"]["edges"]
    assert [(f["node"]["success"], f["node"]["reason"]) for f in failures] == [(False, "FIELD_REQUIRED")]


YEAR = """mutation($year: Int!) { openDeclarationYear(year: $year) { declarationYear { year isOpen }
  errors { code } } }"""


async def test_declaration_years_are_audited_and_only_the_province_opens_them(api, province_admin, city_admin):
    refused = (await api(YEAR, {"year": 2031}, city_admin))["openDeclarationYear"]
    assert [e["code"] for e in refused["errors"]] == ["NOT_PERMITTED"]
    opened = (await api(YEAR, {"year": 2031}, province_admin))["openDeclarationYear"]
    assert opened["errors"] == [] and opened["declarationYear"] == {"year": 2031, "isOpen": True}
    rows = (await api(LOG, {"action": "declaration_year.open"}, province_admin))["auditLog"]["edges"]
    assert [(r["node"]["success"], r["node"]["reason"]) for r in rows] == [(True, None), (False, "NOT_PERMITTED")]
    assert all(r["node"]["objectId"] for r in rows)  # both name the year they were about


async def test_a_refused_step_names_the_object_it_was_tried_on(api, engine, services):
    world = await ReviewWorld(api, engine, services).setup()
    d = await world.confirmed()
    other = await world.permitted_unit("未收到该申报的单位")
    refused = await world.review(other, d["id"])
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    row = (await api(LOG, {"action": "declaration.review"}, world.admin))["auditLog"]["edges"][0]["node"]
    assert (row["success"], row["reason"], row["objectId"]) == (False, "NOT_FOUND", d["id"])
    approved = await world.review(world.base, d["id"])
    assert approved["errors"] == []
    row = (await api(LOG, {"action": "declaration.review"}, world.admin))["auditLog"]["edges"][0]["node"]
    assert (row["success"], row["reason"], row["objectId"]) == (True, "APPROVE", d["id"])


def test_the_source_address_is_hashed_only_where_set_so_older_rows_still_verify() -> None:
    from datetime import UTC, datetime

    row = {k: None for k in audit._HASHED_FIELDS}
    row.update(at=datetime(2026, 3, 1, tzinfo=UTC), request_id="r", action="login", success=False)
    before_the_column = audit.entry_digest(audit.GENESIS, row)
    assert audit.entry_digest(audit.GENESIS, {**row, "client_address": None}) == before_the_column
    assert audit.entry_digest(audit.GENESIS, {**row, "client_address": "10.0.0.1"}) != before_the_column


async def test_a_changed_source_address_breaks_the_chain(api, engine):
    await api(LOGIN, {"login": "nobody_here", "password": "Wrong-Pass1"})
    assert (await verify(engine)).ok
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_update_delete"))
        await conn.execute(text("UPDATE audit_entry SET client_address = '10.9.9.9' WHERE action = 'login'"))
        await conn.execute(text("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_no_update_delete"))
    assert not (await verify(engine)).ok
