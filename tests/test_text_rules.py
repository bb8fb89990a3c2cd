"""Free text: the pure helpers of rules.text, and the caps they put on every workflow's
free-text input, seen through GraphQL (FIELD_TOO_LONG on the input's field, nothing written)."""

from __future__ import annotations

import pytest

from rules.errors import ErrorCode, RuleViolation, collect
from rules.text import (
    PHONE_PATTERN,
    REASON_MAX,
    check_phone,
    clean_reason,
    clean_text,
    like_escape,
    search_term,
)
from tests.support.declarations import CONFIRM, WITHDRAW, World, snapshot
from tests.support.units import save, table_snapshot, unit_with_token

# --- the pure helpers --------------------------------------------------------------------


def test_clean_text_trims_and_caps_after_trimming():
    assert clean_text("  济南  ", field="name", limit=2) == "济南"
    assert clean_text("   ", field="name", limit=2) is None
    assert clean_text(None, field="name", limit=2) is None
    with pytest.raises(RuleViolation) as info:
        clean_text("济南市", field="workUnitName", limit=2)
    assert (info.value.code, info.value.field) == (ErrorCode.FIELD_TOO_LONG, "workUnitName")
    assert "2" in info.value.message


def test_clean_text_required():
    with pytest.raises(RuleViolation) as info:
        clean_text(" \u3000 ", field="address", limit=200, required=True)
    assert (info.value.code, info.value.field) == (ErrorCode.FIELD_REQUIRED, "address")


def test_clean_reason():
    assert clean_reason(None, required=False) is None
    assert clean_reason(" 材料不全 ", required=True) == "材料不全"
    with pytest.raises(RuleViolation) as info:
        clean_reason("  ", required=True, required_message="须填写原因")
    assert (info.value.code, info.value.field, info.value.message) == (ErrorCode.REASON_REQUIRED, "reason", "须填写原因")
    assert clean_reason("长" * REASON_MAX, required=True) == "长" * REASON_MAX
    with pytest.raises(RuleViolation) as info:
        clean_reason("长" * (REASON_MAX + 1), required=False)
    assert info.value.code is ErrorCode.FIELD_TOO_LONG


def test_collect_gathers_instead_of_raising():
    errors: list[RuleViolation] = []
    assert collect(errors, clean_text, "x" * 3, field="a", limit=2) is None
    assert collect(errors, clean_text, " ok ", field="b", limit=2) == "ok"
    assert [(e.code, e.field) for e in errors] == [(ErrorCode.FIELD_TOO_LONG, "a")]


@pytest.mark.parametrize("phone", ["0531-88888888", "13800138000", "+86 138 0013 8000", "(0531)8888888"])
def test_phone_accepted(phone):
    assert PHONE_PATTERN.fullmatch(phone)
    assert check_phone(f" {phone} ", field="phone") == phone


@pytest.mark.parametrize("phone", ["abc", "123456", "-------", "0531-8888888８", "1" * 21])
def test_phone_refused(phone):
    with pytest.raises(RuleViolation) as info:
        check_phone(phone, field="contactPhone")
    assert info.value.code in {ErrorCode.INVALID_INPUT, ErrorCode.FIELD_TOO_LONG}
    assert info.value.field == "contactPhone"


def test_like_escape_makes_wildcards_literal():
    assert like_escape("100%_a\\b") == "100\\%\\_a\\\\b"


def test_search_term_is_cut_not_refused():
    assert search_term(None) == ""
    assert search_term("  甲  ") == "甲"
    assert search_term("x" * 80) == "x" * 50


# --- the caps through GraphQL --------------------------------------------------------------


@pytest.fixture
async def world(api, engine, services):
    return await World(api, engine, services).setup()


ADD_EDUCATION = """mutation($d: ID!, $input: DeclarationRecordInput!) { addRecord(declarationId: $d, input: $input) {
  record { id } errors { code field } } }"""


async def test_withdraw_reason_is_capped(world):
    d = await world.complete()
    assert (await world.api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]["errors"] == []
    before = await snapshot(world.engine)
    payload = (await world.api(WITHDRAW, {"id": d["id"], "reason": "长" * 501}, world.token))["withdrawDeclaration"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("FIELD_TOO_LONG", "reason")]
    assert await snapshot(world.engine) == before
    ok = (await world.api(WITHDRAW, {"id": d["id"], "reason": "长" * 500}, world.token))["withdrawDeclaration"]
    assert ok["errors"] == []


async def test_declaration_text_caps(world):
    data = await world.api(
        "mutation($input: DeclarationInput!) { createDeclaration(input: $input) { errors { code field } } }",
        {"input": world.input(currentTitle="工" * 101, method="EXCEPTIONAL", exceptionalReason="破" * 2001,
                              exceptionalConditionCodes=["MAJOR_ACHIEVEMENT"])},
        world.token)
    assert sorted((e["code"], e["field"]) for e in data["createDeclaration"]["errors"]) == [
        ("FIELD_TOO_LONG", "currentTitle"), ("FIELD_TOO_LONG", "exceptionalReason")]


async def test_record_text_caps(world):
    d = await world.create()
    record = {"education": {"school": "校" * 201, "major": "土木", "educationLevel": "BACHELOR",
                            "degree": "学" * 51, "startDate": "2003-09-01", "endDate": "2007-07-01"}}
    payload = (await world.api(ADD_EDUCATION, {"d": d["id"], "input": record}, world.token))["addRecord"]
    assert payload["record"] is None
    assert sorted((e["code"], e["field"]) for e in payload["errors"]) == [
        ("FIELD_TOO_LONG", "education.degree"), ("FIELD_TOO_LONG", "education.school")]


async def test_permission_application_caps(api, engine):
    unit = await unit_with_token(api)
    before = await table_snapshot(engine, "unit", "permission_application")
    payload = await save(api, unit["token"], address="址" * 201, contactName="名" * 51, supervisorName="主" * 101)
    assert sorted((e["code"], e["field"]) for e in payload["errors"]) == [
        ("FIELD_TOO_LONG", "address"), ("FIELD_TOO_LONG", "contactName"), ("FIELD_TOO_LONG", "supervisorName")]
    assert await table_snapshot(engine, "unit", "permission_application") == before
