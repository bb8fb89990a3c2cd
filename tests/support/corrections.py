"""Shared steps for issue 13's tests: correction notices, returns down the route, the
integrity list. Built on ReviewWorld (work unit → 主管部门 → the committee's accepting unit)."""

from __future__ import annotations

from typing import Any

ERRORS = "errors { code field message }"
NOTICE = "correctionNotice { items { target label message } deadline expiresAt state resolvedAt unit { id name } }"
REQUEST = """mutation($d: ID!, $items: [CorrectionItemInput!]!, $deadline: Date!) {
  requestCorrection(declarationId: $d, items: $items, deadline: $deadline) {
    declaration { id status returnReason currentUnit { id } isEditable }
    %s %s } }""" % (NOTICE, ERRORS)
RETURN = """mutation($d: ID!, $reason: String!) { returnDeclaration(declarationId: $d, reason: $reason) {
  declaration { id status currentUnit { id name } } returnedTo { id name } %s } }""" % ERRORS
ADD_INTEGRITY = """mutation($p: ID!, $reason: String!, $category: IntegrityCategory!, $endsOn: Date) {
  addToIntegrityList(personId: $p, reason: $reason, category: $category, endsOn: $endsOn) {
    integrityRecord { id category reason startsOn endsOn inForce person { id name } } %s } }""" % ERRORS
MY_INTEGRITY = "{ myIntegrityRecords { id category reason startsOn endsOn inForce } }"
CONFIRM = "mutation($id: ID!) { confirmDeclaration(id: $id) { declaration { id status currentUnit { id } } %s } }" % ERRORS
STATE = """query($id: ID!) { declaration(id: $id) { id status isEditable canWithdraw returnReason
  currentUnit { id name } %s
  reviews { decision reason round unit { id } }
  timeline { action fromStatus toStatus actorName reason at unit { id name } } } }""" % NOTICE


async def applicant(world) -> dict[str, Any]:
    """A new applicant who accepted the letter: id, loginName, token (log in again with
    `relogin` after moving the clock past the session's idle window)."""
    person = await world.api.register_person()
    token = await world.api.login(person["loginName"])
    await world.accept(token)
    return {**person, "token": token}


async def confirmed(world) -> dict[str, Any]:
    """A new applicant's confirmed declaration, with the applicant's loginName and person id."""
    person = await applicant(world)
    d = await world.confirmed(person["token"])
    return {**d, "loginName": person["loginName"], "personId": person["id"]}


async def relogin(world, *actors: dict) -> None:
    """Fresh tokens for applicants and units after the clock moved on by days."""
    for actor in actors:
        actor["token"] = await world.api.login(actor["loginName"])


def item(target: str, message: str = "请补充") -> dict[str, Any]:
    return {"target": target, "message": message}


async def request(world, unit: dict, declaration_id: str, items: list[dict], deadline: str = "2026-03-15") -> dict:
    return (await world.api(REQUEST, {"d": declaration_id, "items": items, "deadline": deadline},
                            unit["token"]))["requestCorrection"]


async def return_down(world, unit: dict, declaration_id: str, reason: str = "材料审核意见不全") -> dict:
    return (await world.api(RETURN, {"d": declaration_id, "reason": reason}, unit["token"]))["returnDeclaration"]


async def confirm(world, declaration: dict) -> dict:
    return (await world.api(CONFIRM, {"id": declaration["id"]}, declaration["token"]))["confirmDeclaration"]


async def state(world, declaration: dict, token: str | None = None) -> dict:
    return (await world.api(STATE, {"id": declaration["id"]}, token or declaration["token"]))["declaration"]
