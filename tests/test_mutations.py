"""The one mutation rule (schema/mutation.py), for every mutation of the schema.

Who may call it is checked before anything of the input: nobody logged in gets a
top-level UNAUTHENTICATED, another account kind a top-level FORBIDDEN, whatever the
arguments; only then are ids decoded, so a malformed id reaches the payload as INVALID_ID
naming its argument. A new mutation must be added to ACTORS below.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)

from schema import schema as app_schema
from tests.support import clients
from tests.support.units import table_snapshot

ANYONE, LOGGED_IN, PERSON, PERSON_OR_UNIT, UNIT, PERMITTED_UNIT, ADMIN, PROVINCE_ADMIN = (
    "anyone", "logged in", "person", "person or unit", "unit", "permitted unit", "admin", "province admin")
COMMITTEE_OFFICE, API_CLIENT = "committee office", "api client"
ADMIN_OR_CLIENT = "admin or api client"  # with a scope: tests/test_exports.py checks the client side

#: Every mutation and who may call it.
ACTORS = {
    "registerPerson": ANYONE, "registerUnit": ANYONE, "login": ANYONE,
    "logout": LOGGED_IN, "changePassword": LOGGED_IN,
    "acceptCommitment": PERSON, "createDeclaration": PERSON, "updateDeclaration": PERSON,
    "confirmDeclaration": PERSON, "withdrawDeclaration": PERSON, "addRecord": PERSON, "updateRecord": PERSON,
    "deleteRecord": PERSON, "uploadMaterial": PERSON, "deleteMaterial": PERSON,
    "savePermissionApplication": UNIT, "submitPermissionApplication": UNIT, "revokeReportingPath": UNIT,
    "reviewDeclaration": PERMITTED_UNIT, "reportDeclarations": PERMITTED_UNIT,
    "applyReportingPath": PERMITTED_UNIT, "reviewReportingPath": PERMITTED_UNIT,
    "reviewPermissionApplication": ADMIN, "createCommittee": ADMIN, "updateCommittee": ADMIN,
    "unlockAccount": ADMIN,
    "openDeclarationYear": PROVINCE_ADMIN, "closeDeclarationYear": PROVINCE_ADMIN,
    # Issue 13: corrections, returns, the integrity list
    "requestCorrection": PERMITTED_UNIT, "returnDeclaration": PERMITTED_UNIT, "addToIntegrityList": ADMIN,
    "startUnitPublicity": PERMITTED_UNIT, "resolveObjection": PERMITTED_UNIT, "raiseObjection": PERSON_OR_UNIT,
    # Issue 12: administration
    "createAdmin": PROVINCE_ADMIN, "disableAdmin": PROVINCE_ADMIN, "enableAdmin": PROVINCE_ADMIN,
    "resetPassword": ADMIN, "importRegistry": PROVINCE_ADMIN,
    # Issue 12: the catalogue as data
    "addCatalogSeries": PROVINCE_ADMIN, "addCatalogTitle": PROVINCE_ADMIN, "addCatalogSpecialty": PROVINCE_ADMIN,
    "retireCatalogEntry": PROVINCE_ADMIN, "restoreCatalogEntry": PROVINCE_ADMIN,
    # Issue 16: trusted documents
    "addTrustedDocument": PROVINCE_ADMIN, "retireTrustedDocument": PROVINCE_ADMIN,
    # Issue 14: the committee stage
    "createCommitteeOffice": ADMIN,
    "checkDeclaration": COMMITTEE_OFFICE, "addExpert": COMMITTEE_OFFICE, "suspendExpert": COMMITTEE_OFFICE,
    "reinstateExpert": COMMITTEE_OFFICE, "retireExpert": COMMITTEE_OFFICE, "renewExpert": COMMITTEE_OFFICE,
    "declareConflict": COMMITTEE_OFFICE, "createReviewSession": COMMITTEE_OFFICE, "drawPanel": COMMITTEE_OFFICE,
    "recordAttendance": COMMITTEE_OFFICE, "closeBallot": COMMITTEE_OFFICE,
    "submitOpinion": PERSON, "castVotes": PERSON,
    "requestCommitteeCorrection": COMMITTEE_OFFICE, "returnFromCommittee": COMMITTEE_OFFICE,
    # Issue 14: results publicity, confirmation, certificates, revocation
    "startResultsPublicity": COMMITTEE_OFFICE, "resolveResultObjection": COMMITTEE_OFFICE,
    "raiseResultObjection": PERSON, "confirmResults": ADMIN, "revokeTitle": ADMIN,
    # Issue 15: webhooks (an API client with webhooks:manage)
    "createWebhook": API_CLIENT, "deleteWebhook": API_CLIENT, "redeliverWebhookDelivery": API_CLIENT,
    # Issue 15: bulk exports
    "startExport": ADMIN_OR_CLIENT,
    # Issue 15: API clients
    "createApiClient": PROVINCE_ADMIN, "rotateApiClientSecret": PROVINCE_ADMIN, "disableApiClient": PROVINCE_ADMIN,
    "enableApiClient": PROVINCE_ADMIN, "deleteApiClient": PROVINCE_ADMIN,
}
# Files travel only in multipart requests; uploadMaterial's rules are tested in test_materials,
# importRegistry's in test_admin.
JSON_MUTATIONS = sorted(m for m in ACTORS if m not in ("uploadMaterial", "importRegistry"))
GARBAGE_ID = "not-a-global-id"
MUTATION_TYPE = app_schema._schema.mutation_type


def _is_one_of(type_: GraphQLInputObjectType) -> bool:
    # strawberry marks @oneOf inputs with its own directive, not graphql-core's flag.
    definition = (type_.extensions or {}).get("strawberry-definition")
    return type_.is_one_of or any(type(d).__name__ == "OneOf" for d in getattr(definition, "directives", ()))


def _value(type_: Any) -> Any:
    """A value of `type_` that passes GraphQL validation; ids are malformed on purpose."""
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_value(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        fields = type_.fields.items()
        if _is_one_of(type_):
            name, field = next(iter(fields))
            return {name: _value(field.type)}
        return {name: _value(f.type) for name, f in fields if isinstance(f.type, GraphQLNonNull)}
    assert isinstance(type_, GraphQLScalarType), type_
    return {"ID": GARBAGE_ID, "String": "x", "Int": 2026, "Boolean": False, "Date": "2020-01-01"}[type_.name]


def operation(name: str) -> tuple[str, dict]:
    """The mutation with every argument given (ids malformed), selecting its errors."""
    field = MUTATION_TYPE.fields[name]
    args = field.args.items()
    declared = ", ".join(f"${a}: {arg.type}" for a, arg in args)
    passed = ", ".join(f"{a}: ${a}" for a in field.args)
    head = f"mutation({declared})" if declared else "mutation"
    call = f"{name}({passed})" if passed else name
    return f"{head} {{ {call} {{ errors {{ code field }} }} }}", {a: _value(arg.type) for a, arg in args}


def test_every_mutation_declares_who_may_call_it():
    assert set(ACTORS) == set(MUTATION_TYPE.fields)


@pytest.mark.parametrize("name", [m for m in JSON_MUTATIONS if ACTORS[m] != ANYONE])
async def test_nobody_logged_in_is_unauthenticated_before_any_input(api, name):
    query, variables = operation(name)
    errors = await api.errors(query, variables)
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]


async def _other_kind(api, actor: str, applicant: dict, permitted_unit: dict, city_admin: str) -> str:
    """A logged-in caller of a kind the mutation refuses."""
    if actor == PERSON:
        return permitted_unit["token"]
    if actor == PERSON_OR_UNIT:
        return city_admin
    if actor in (UNIT, PERMITTED_UNIT, ADMIN, PROVINCE_ADMIN, COMMITTEE_OFFICE, API_CLIENT, ADMIN_OR_CLIENT):
        return applicant["token"]
    raise AssertionError(actor)


@pytest.mark.parametrize("name", [m for m in JSON_MUTATIONS if ACTORS[m] not in (ANYONE, LOGGED_IN)])
async def test_another_account_kind_is_forbidden_before_any_input(api, name, applicant, permitted_unit,
                                                                   city_admin, engine):
    query, variables = operation(name)
    before = await table_snapshot(engine, "audit_entry")
    token = await _other_kind(api, ACTORS[name], applicant, permitted_unit, city_admin)
    errors = await api.errors(query, variables, token)
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    assert await table_snapshot(engine, "audit_entry") == before  # not a staff step: nothing to log


@pytest.mark.parametrize("name", [m for m in JSON_MUTATIONS if ACTORS[m] not in (API_CLIENT, ADMIN_OR_CLIENT)])
async def test_an_api_client_is_forbidden_every_human_mutation(api, services, engine, name):
    """An HR system's token is no person, unit or admin: refused before any input, whatever
    scopes it has, and nothing is logged (not a staff step)."""
    query, variables = operation(name)
    token = await clients.token(api, await clients.register(services))
    before = await table_snapshot(engine, "audit_entry")
    errors = await api.errors(query, variables, token)
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    assert await table_snapshot(engine, "audit_entry") == before


def _id_arguments(name: str) -> list[str]:
    """The mutation's own id arguments (ids inside input objects are decoded by the step)."""
    def is_id(t: Any) -> bool:
        while isinstance(t, (GraphQLNonNull, GraphQLList)):
            t = t.of_type
        return isinstance(t, GraphQLScalarType) and t.name == "ID"
    return [a for a, arg in MUTATION_TYPE.fields[name].args.items() if is_id(arg.type)]


WITH_IDS = [m for m in JSON_MUTATIONS if _id_arguments(m)]


def _assert_invalid_ids(name: str, payload: dict) -> None:
    assert {e["code"] for e in payload["errors"]} == {"INVALID_ID"}
    assert {e["field"] for e in payload["errors"]} <= set(_id_arguments(name))


@pytest.mark.parametrize("name", [m for m in WITH_IDS if ACTORS[m] != COMMITTEE_OFFICE])
async def test_the_right_kind_gets_invalid_id_in_the_payload(api, name, applicant, permitted_unit, make_admin,
                                                            services):
    caller = {PERSON: applicant["token"], PERSON_OR_UNIT: applicant["token"], UNIT: permitted_unit["token"],
              PERMITTED_UNIT: permitted_unit["token"],
              ADMIN: await make_admin("370000"), PROVINCE_ADMIN: await make_admin("370000"),
              API_CLIENT: await clients.token(api, await clients.register(services)),
              ADMIN_OR_CLIENT: await make_admin("370000")}[ACTORS[name]]
    query, variables = operation(name)
    _assert_invalid_ids(name, (await api(query, variables, caller))[name])


@pytest.mark.parametrize("name", [m for m in WITH_IDS if ACTORS[m] == COMMITTEE_OFFICE])
async def test_the_committee_office_gets_invalid_id_in_the_payload(api, name, committee_office):
    query, variables = operation(name)
    _assert_invalid_ids(name, (await api(query, variables, committee_office))[name])


def test_the_table_covers_mutations_with_ids():
    # Guards the parametrisation above against an empty list after a rename.
    assert {"reviewDeclaration", "reportDeclarations", "updateCommittee", "deleteMaterial", "castVotes",
            "closeBallot"} <= set(WITH_IDS)
