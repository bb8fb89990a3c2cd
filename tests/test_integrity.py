"""申报资格 (issue 13): one declaration per person and year across all series; nobody on the
integrity list (职称诚信档案) creates or confirms a declaration, and they see why."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from schema.ids import decode_id
from tests.support.corrections import ADD_INTEGRITY, MY_INTEGRITY, applicant, relogin
from tests.support.declarations import CONFIRM, CREATE, QUALIFICATION
from tests.support.review import ReviewWorld, codes, rows


@pytest.fixture
async def world(api, engine, services):
    return await ReviewWorld(api, engine, services).setup()


async def add(world, person_id: str, *, category: str = "FALSIFIED_MATERIALS", ends_on: str | None = None,
              reason: str = "伪造论文发表证明", token: str | None = None) -> dict:
    variables = {"p": person_id, "reason": reason, "category": category, "endsOn": ends_on}
    return (await world.api(ADD_INTEGRITY, variables, token or world.admin))["addToIntegrityList"]


async def create(world, person: dict, **overrides) -> dict:
    return (await world.api(CREATE, {"input": world.input(**overrides)}, person["token"]))["createDeclaration"]


async def test_a_listed_person_cannot_create_and_sees_why_and_until_when(world):
    person = await applicant(world)
    added = await add(world, person["id"])
    assert added["errors"] == []
    record = added["integrityRecord"]
    # Falsified materials: three years from today (2026-03-01), the anniversary's eve the last day.
    assert (record["startsOn"], record["endsOn"], record["inForce"]) == ("2026-03-01", "2029-02-28", True)
    refused = await create(world, person)
    assert codes(refused) == ["INTEGRITY_LISTED"]
    assert "伪造论文发表证明" in refused["errors"][0]["message"] and "2029-02-28" in refused["errors"][0]["message"]
    mine = (await world.api(MY_INTEGRITY, None, person["token"]))["myIntegrityRecords"]
    assert [(r["reason"], r["endsOn"]) for r in mine] == [("伪造论文发表证明", "2029-02-28")]
    audit = await rows(world.engine, "SELECT object_type, object_id, success FROM audit_entry WHERE action = 'integrity.add'")
    assert [(a.object_type, a.object_id, a.success) for a in audit] == [
        ("Person", decode_id(person["id"], "Person", "id"), True)]


async def test_a_listed_person_cannot_confirm_and_may_declare_once_it_ends(world, clock):
    person = await applicant(world)
    d = await create(world, person)
    assert d["errors"] == []
    declaration_id = d["declaration"]["id"]
    assert (await world.add_record(declaration_id, QUALIFICATION, token=person["token"]))["errors"] == []
    await world.upload_ok(declaration_id, token=person["token"])
    assert (await add(world, person["id"], category="OTHER", ends_on="2026-03-10", reason="骗取职称"))["errors"] == []
    refused = (await world.api(CONFIRM, {"id": declaration_id}, person["token"]))["confirmDeclaration"]
    assert codes(refused) == ["INTEGRITY_LISTED"] and "2026-03-10" in refused["errors"][0]["message"]
    clock.advance(days=10)  # 2026-03-11, Beijing: the entry has ended
    await relogin(world, person)
    confirmed = (await world.api(CONFIRM, {"id": declaration_id}, person["token"]))["confirmDeclaration"]
    assert confirmed["errors"] == []
    mine = (await world.api(MY_INTEGRITY, None, person["token"]))["myIntegrityRecords"]
    assert [r["inForce"] for r in mine] == [False]


async def test_entries_are_checked(world, applicant):
    person_id = applicant["id"]
    assert codes(await add(world, person_id, category="OTHER")) == ["FIELD_REQUIRED"]  # no default period
    assert codes(await add(world, person_id, ends_on="2026-02-28")) == ["DATE_ORDER"]
    assert codes(await add(world, person_id, reason=" ")) == ["REASON_REQUIRED"]
    from schema.ids import encode_id
    assert codes(await add(world, encode_id("Person", 999_999))) == ["NOT_FOUND"]
    # Units and persons are not title offices.
    errors = await world.api.errors(ADD_INTEGRITY, {"p": person_id, "reason": "x", "category": "OTHER"},
                                    world.unit_token)
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def test_one_declaration_a_year_across_series_names_the_existing_one(world):
    person = await applicant(world)
    assert (await create(world, person))["errors"] == []
    other_series = await create(world, person, seriesCode="ECONOMICS", titleCode="ECONOMICS.SENIOR_ECONOMIST",
                                specialtyCode="ECONOMICS.BUSINESS_ADMINISTRATION")
    assert codes(other_series)[0] == "DECLARATION_EXISTS"
    message = next(e["message"] for e in other_series["errors"] if e["code"] == "DECLARATION_EXISTS")
    assert "工程技术" in message and "不得申报两个及以上系列" in message


async def test_an_entry_recorded_while_the_person_confirms_is_serialised(world, engine):
    """The entry's transaction holds the person row (as addToIntegrityList does) while the
    person confirms: the confirmation waits, then sees the entry and is refused."""
    person = await applicant(world)
    d = await create(world, person)
    declaration_id = d["declaration"]["id"]
    assert (await world.add_record(declaration_id, QUALIFICATION, token=person["token"]))["errors"] == []
    await world.upload_ok(declaration_id, token=person["token"])
    person_row = decode_id(person["id"], "Person", "id")
    admin_row = (await rows(engine, "SELECT id FROM admin LIMIT 1"))[0].id
    async with engine.connect() as conn:
        await conn.execute(text("SELECT id FROM person WHERE id = :p FOR UPDATE"), {"p": person_row})
        confirming = asyncio.ensure_future(world.api(CONFIRM, {"id": declaration_id}, person["token"]))
        await asyncio.sleep(0.5)
        assert not confirming.done()  # waiting for the person row
        await conn.execute(text(
            "INSERT INTO integrity_record (person_id, category, reason, starts_on, ends_on, created_by_admin_id, "
            "created_at) VALUES (:p, 'OTHER', '同时记入', DATE '2026-03-01', DATE '2026-12-31', :a, now())"),
            {"p": person_row, "a": admin_row})
        await conn.commit()
    refused = (await confirming)["confirmDeclaration"]
    assert codes(refused) == ["INTEGRITY_LISTED"]


async def test_a_city_office_records_only_persons_of_its_city_the_province_anyone(world, make_admin):
    jinan, qingdao = await make_admin("370100"), await make_admin("370200")
    stranger = await applicant(world)  # registered, nothing declared
    assert codes(await add(world, stranger["id"], token=jinan)) == ["NOT_FOUND"]
    assert (await add(world, stranger["id"]))["errors"] == []  # world.admin: the province
    declared = await applicant(world)
    await world.confirmed(declared["token"])  # waits at its work unit in 济南
    assert codes(await add(world, declared["id"], token=qingdao)) == ["NOT_FOUND"]
    assert (await add(world, declared["id"], token=jinan))["errors"] == []
