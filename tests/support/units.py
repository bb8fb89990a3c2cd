"""Shared steps for the units-and-routes tests: permitted units, paths, committees (admins come
from the `make_admin` fixture in conftest)."""

from __future__ import annotations

from sqlalchemy import text

APPLICATION_FIELDS = "id status name uscc region { code } unitType supervisorName manualReviewRequested " \
    "codeCheck registryName rejectionReason history { round decision reason codeCheck details }"

SAVE = """mutation($input: PermissionApplicationInput!) {
  savePermissionApplication(input: $input) { application { %s } errors { code field message } } }""" % APPLICATION_FIELDS
SUBMIT = """mutation { submitPermissionApplication { application { %s } errors { code field message } } }""" \
    % APPLICATION_FIELDS
REVIEW = """mutation($id: ID!, $decision: ReviewDecision!, $reason: String) {
  reviewPermissionApplication(id: $id, decision: $decision, reason: $reason) {
    application { %s unit { permissionStatus isPermitted } } errors { code field message } } }""" % APPLICATION_FIELDS
MY_APPLICATION = "{ myPermissionApplication { %s } }" % APPLICATION_FIELDS

PATH_FIELDS = "id status inEffect reason seriesCode level unit { id name } toUnit { id name } replacedBy { id }"
APPLY_PATH = """mutation($series: String!, $level: TitleLevel!, $to: ID!) {
  applyReportingPath(seriesCode: $series, level: $level, toUnitId: $to) {
    path { %s } errors { code field message } } }""" % PATH_FIELDS
REVIEW_PATH = """mutation($id: ID!, $decision: ReviewDecision!, $reason: String) {
  reviewReportingPath(id: $id, decision: $decision, reason: $reason) {
    path { %s } errors { code field message } } }""" % PATH_FIELDS
REVOKE_PATH = """mutation($id: ID!, $reason: String!) {
  revokeReportingPath(id: $id, reason: $reason) { path { %s } errors { code field message } } }""" % PATH_FIELDS
CREATE_COMMITTEE = """mutation($input: CommitteeInput!) {
  createCommittee(input: $input) {
    committee { id name seriesCode levels region { code } acceptingUnit { id } active }
    errors { code field message } } }"""

SERIES, LEVEL = "ENGINEERING", "SENIOR"


def details(**overrides) -> dict:
    return {"name": "济南第一机械厂", "uscc": None, "regionCode": "370100", "unitType": "ENTERPRISE",
            "supervisorName": "济南市工业和信息化局", "address": "济南市历下区经十路1号",
            "contactName": "李四", "contactPhone": "0531-88888888", **overrides}


async def unit_with_token(api, **overrides) -> dict:
    unit = await api.register_unit(**overrides)
    return {**unit, "token": await api.login(unit["loginName"])}


async def save(api, token, **overrides) -> dict:
    return (await api(SAVE, {"input": details(**overrides)}, token))["savePermissionApplication"]


async def permitted_unit(api, admin_token: str, **overrides) -> dict:
    """A registered unit taken through save → submit → approve."""
    unit = await unit_with_token(api, **{k: v for k, v in overrides.items() if k in ("name", "regionCode")})
    payload = await save(api, unit["token"], name=unit["name"], uscc=unit["uscc"],
                         regionCode=unit["region"]["code"])
    assert payload["errors"] == [], payload
    app_id = payload["application"]["id"]
    submitted = (await api(SUBMIT, token=unit["token"]))["submitPermissionApplication"]
    assert submitted["errors"] == [], submitted
    reviewed = (await api(REVIEW, {"id": app_id, "decision": "APPROVE"}, admin_token))["reviewPermissionApplication"]
    assert reviewed["errors"] == [], reviewed
    return {**unit, "applicationId": app_id}


async def apply_path(api, unit: dict, target: dict, series: str = SERIES, level: str = LEVEL) -> dict:
    return (await api(APPLY_PATH, {"series": series, "level": level, "to": target["id"]},
                      unit["token"]))["applyReportingPath"]


async def approved_path(api, unit: dict, target: dict, series: str = SERIES, level: str = LEVEL) -> dict:
    applied = await apply_path(api, unit, target, series, level)
    assert applied["errors"] == [], applied
    reviewed = (await api(REVIEW_PATH, {"id": applied["path"]["id"], "decision": "APPROVE"},
                          target["token"]))["reviewReportingPath"]
    assert reviewed["errors"] == [], reviewed
    return reviewed["path"]


async def create_committee(api, admin_token: str, accepting: dict, **overrides) -> dict:
    variables = {"name": "山东省工程技术高级职称评审委员会", "seriesCode": SERIES, "levels": [LEVEL, "ASSOCIATE_SENIOR"],
                 "regionCode": "370000", "acceptingUnitId": accepting["id"], **overrides}
    return (await api(CREATE_COMMITTEE, {"input": variables}, admin_token))["createCommittee"]


async def table_snapshot(engine, *tables: str) -> dict:
    """Every row of `tables`, to assert that a refused step changed nothing."""
    async with engine.connect() as conn:
        return {t: [tuple(r) for r in (await conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")))]
                for t in tables}
