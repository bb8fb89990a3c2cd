"""Issue 16: the registry of trusted documents (可信文档), requests that name one by id
(GraphQL over HTTP's documentId, Apollo's persistedQuery) and the trusted-only policy."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest

from app.factory import create_app
from rules.trusted_documents import CallerClass, Policy, document_id, parse_document_id, trusted_only
from tests.support import clients
from tests.support.api import Api
from tests.test_cli import _restore_logging, run_cli  # noqa: F401 (the command line configures logging: put it back)

REGIONS = "query Regions { regions { code name } }"
REGIONS_ID = hashlib.sha256(REGIONS.encode()).hexdigest()

ADD = """mutation($text: String!, $name: String) { addTrustedDocument(text: $text, name: $name) {
  added document { documentId name source text retiredAt } errors { code field } } }"""
RETIRE = """mutation($id: String!) { retireTrustedDocument(documentId: $id) {
  document { documentId retiredAt } errors { code field } } }"""
LIST = """query($all: Boolean!) { trustedDocuments(includeRetired: $all) {
  totalCount nodes { documentId name retiredAt } } }"""
NOT_FOUND = {"errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]}


async def _add(api: Api, token: str, text: str = REGIONS, name: str | None = "regions") -> dict:
    return (await api(ADD, {"text": text, "name": name}, token))["addTrustedDocument"]


# --- pure rules ------------------------------------------------------------------------


def test_document_ids_are_the_sha256_of_the_text():
    assert document_id(REGIONS) == REGIONS_ID
    assert parse_document_id(f"sha256:{REGIONS_ID}") == REGIONS_ID
    assert parse_document_id(REGIONS_ID.upper()) == REGIONS_ID
    for bad in (None, 5, "", "sha1:" + REGIONS_ID, REGIONS_ID[:-1], REGIONS_ID + "0", "g" * 64):
        assert parse_document_id(bad) is None


def test_staff_keep_arbitrary_documents_under_every_policy():
    for policy in Policy:
        assert not trusted_only(policy, CallerClass.STAFF)
    assert not trusted_only(Policy.NONE, CallerClass.ANONYMOUS)
    assert trusted_only(Policy.ANONYMOUS, CallerClass.ANONYMOUS)
    assert not trusted_only(Policy.ANONYMOUS, CallerClass.PERSON)
    assert trusted_only(Policy.ALL_BUT_STAFF, CallerClass.PERSON)


# --- the registry through the API ------------------------------------------------------


async def test_province_admin_adds_lists_and_retires(api, province_admin):
    first = await _add(api, province_admin)
    assert first["errors"] == [] and first["added"] is True
    assert first["document"] == {"documentId": REGIONS_ID, "name": "regions", "source": "ADMIN", "text": REGIONS,
                                 "retiredAt": None}
    again = await _add(api, province_admin, name="other name")
    assert again["added"] is False and again["document"]["name"] == "regions"  # the first registration stands
    listed = (await api(LIST, {"all": False}, province_admin))["trustedDocuments"]
    assert listed["totalCount"] == 1 and listed["nodes"][0]["documentId"] == REGIONS_ID

    retired = (await api(RETIRE, {"id": f"sha256:{REGIONS_ID}"}, province_admin))["retireTrustedDocument"]
    assert retired["errors"] == [] and retired["document"]["retiredAt"] is not None
    assert (await api(LIST, {"all": False}, province_admin))["trustedDocuments"]["totalCount"] == 0
    assert (await api(LIST, {"all": True}, province_admin))["trustedDocuments"]["totalCount"] == 1
    twice = (await api(RETIRE, {"id": REGIONS_ID}, province_admin))["retireTrustedDocument"]
    assert twice["errors"] == [{"code": "DOCUMENT_RETIRED", "field": "documentId"}]

    restored = await _add(api, province_admin)  # the same text again: in use again
    assert restored["added"] is False and restored["document"]["retiredAt"] is None


async def test_refusals_of_the_registry(api, province_admin, city_admin, count_rows):
    invalid = await _add(api, province_admin, text="{ noSuchField }")
    assert invalid["errors"] == [{"code": "DOCUMENT_INVALID", "field": "text"}]
    unparsable = await _add(api, province_admin, text="query {")
    assert unparsable["errors"] == [{"code": "DOCUMENT_INVALID", "field": "text"}]
    unknown = (await api(RETIRE, {"id": "0" * 64}, province_admin))["retireTrustedDocument"]
    assert unknown["errors"] == [{"code": "NOT_FOUND", "field": "documentId"}]
    malformed = (await api(RETIRE, {"id": "abc"}, province_admin))["retireTrustedDocument"]
    assert malformed["errors"] == [{"code": "INVALID_ID", "field": "documentId"}]
    city = await _add(api, city_admin)
    assert city["errors"] == [{"code": "NOT_PERMITTED", "field": None}]
    [error] = await api.errors(LIST, {"all": True}, city_admin)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert await count_rows("trusted_document") == 0


# --- requests by id ----------------------------------------------------------------------


async def test_document_id_over_post_and_get(api, client, province_admin):
    await _add(api, province_admin)
    posted = await client.post("/graphql", json={"documentId": f"sha256:{REGIONS_ID}"})
    assert posted.status_code == 200 and len(posted.json()["data"]["regions"]) == 17
    got = await client.get("/graphql", params={"documentId": REGIONS_ID, "operationName": "Regions"},
                           headers={"Accept": "application/json"})
    assert got.json()["data"] == posted.json()["data"]
    unknown = await client.post("/graphql", json={"documentId": "0" * 64})
    assert unknown.status_code == 404 and unknown.json() == NOT_FOUND
    garbage = await client.post("/graphql", json={"documentId": "not a hash"})
    assert garbage.status_code == 404 and garbage.json() == NOT_FOUND


def _apq(sha: str, query: str | None = None) -> dict:
    body: dict = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha}}}
    if query is not None:
        body["query"] = query
    return body


async def test_apollo_persisted_queries(api, client, province_admin, count_rows):
    # Not registered: Apollo's exact answer, on which its clients retry with the text …
    missing = await client.post("/graphql", json=_apq(REGIONS_ID))
    assert missing.status_code == 200 and missing.json() == NOT_FOUND
    assert "no-cache" in missing.headers["cache-control"]
    # … which runs (arbitrary documents are allowed here) and is not registered by it.
    retried = await client.post("/graphql", json=_apq(REGIONS_ID, REGIONS))
    assert len(retried.json()["data"]["regions"]) == 17
    assert await count_rows("trusted_document") == 0
    wrong = await client.post("/graphql", json=_apq("1" * 64, REGIONS))
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["message"] == "provided sha does not match query"
    version = await client.post("/graphql", json={"extensions": {"persistedQuery": {"version": 2,
                                                                                    "sha256Hash": REGIONS_ID}}})
    assert version.status_code == 400

    await _add(api, province_admin)
    by_hash = await client.post("/graphql", json=_apq(REGIONS_ID))
    assert by_hash.json()["data"] == retried.json()["data"]


async def test_a_retired_document_is_not_found_at_once(api, client, province_admin):
    await _add(api, province_admin)
    assert (await client.post("/graphql", json=_apq(REGIONS_ID))).status_code == 200
    await api(RETIRE, {"id": REGIONS_ID}, province_admin)
    assert (await client.post("/graphql", json=_apq(REGIONS_ID))).json() == NOT_FOUND
    assert (await client.post("/graphql", json={"documentId": REGIONS_ID})).status_code == 404


# --- the trusted-only policy ----------------------------------------------------------


@pytest.fixture
async def policy_client(services, engine, clean_db) -> AsyncIterator:
    """`policy_client("ANONYMOUS")`: an Api of an app with that trusted-documents policy."""
    clients: list[httpx.AsyncClient] = []

    def make(policy: str) -> Api:
        settings = dataclasses.replace(services.settings, trusted_documents_only=policy)
        app = create_app(dataclasses.replace(services, settings=settings), engine)
        clients.append(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test"))
        return Api(clients[-1])

    yield make
    for c in clients:
        await c.aclose()


async def test_anonymous_callers_may_send_only_trusted_documents(api, policy_client, province_admin, applicant):
    restricted = policy_client("ANONYMOUS")
    refused = await restricted.client.post("/graphql", json={"query": REGIONS})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENT_REQUIRED"
    # Refused before parsing: a text that does not even parse gets the same answer.
    garbage = await restricted.client.post("/graphql", json={"query": "{{{{"})
    assert garbage.status_code == 403
    assert (await restricted.client.post("/graphql", json=_apq(REGIONS_ID, REGIONS))).status_code == 403
    # The applicant and staff keep arbitrary documents under ANONYMOUS.
    assert len((await restricted(REGIONS, token=applicant["token"]))["regions"]) == 17
    assert len((await restricted(REGIONS, token=province_admin))["regions"]) == 17

    await _add(api, province_admin)
    assert len((await restricted(REGIONS))["regions"]) == 17  # the registered text is trusted as text too
    by_id = await restricted.client.post("/graphql", json={"documentId": REGIONS_ID})
    assert len(by_id.json()["data"]["regions"]) == 17


async def test_all_but_staff_restricts_applicants_not_units_or_admins(policy_client, applicant, permitted_unit,
                                                                     province_admin):
    restricted = policy_client("ALL_BUT_STAFF")
    response = await restricted.raw(REGIONS, token=applicant["token"])
    assert response.status_code == 403
    assert len((await restricted(REGIONS, token=permitted_unit["token"]))["regions"]) == 17
    assert len((await restricted(REGIONS, token=province_admin))["regions"]) == 17


async def test_api_clients_are_restricted_with_anonymous_callers(api, services, policy_client, applicant,
                                                                 province_admin):
    restricted = policy_client("ANONYMOUS_AND_CLIENTS")
    hr = await clients.register(services, scopes=["declarations:read"])
    client_token = await clients.token(restricted, hr)
    refused = await restricted.raw(REGIONS, token=client_token)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "TRUSTED_DOCUMENT_REQUIRED"
    assert len((await restricted(REGIONS, token=applicant["token"]))["regions"]) == 17  # people are not

    await _add(api, province_admin)
    by_id = await restricted.client.post("/graphql", json={"documentId": REGIONS_ID},
                                         headers={"Authorization": f"Bearer {client_token}"})
    assert len(by_id.json()["data"]["regions"]) == 17
    # A client spends its rate budget on a trusted document as on any other.
    assert by_id.json()["extensions"]["cost"]["remaining"] < by_id.json()["extensions"]["cost"]["limit"]


# --- the command line ------------------------------------------------------------------


async def test_command_line_adds_idempotently_lists_and_retires(api, client, monkeypatch, database_url, tmp_path,
                                                                capsys, count_rows):
    good, bad = tmp_path / "regions.graphql", tmp_path / "bad.graphql"
    good.write_text(REGIONS, encoding="utf-8")
    bad.write_text("{ noSuchField }", encoding="utf-8")
    with pytest.raises(SystemExit) as refused:  # one bad file: none is registered
        await run_cli(monkeypatch, database_url, "documents", "add", str(good), str(bad))
    assert refused.value.code == 2 and "DOCUMENT_INVALID" in capsys.readouterr().err
    assert await count_rows("trusted_document") == 0

    await run_cli(monkeypatch, database_url, "documents", "add", str(good))
    assert f"{REGIONS_ID}  added" in capsys.readouterr().out
    await run_cli(monkeypatch, database_url, "documents", "add", str(good))
    assert f"{REGIONS_ID}  known" in capsys.readouterr().out
    await run_cli(monkeypatch, database_url, "documents", "list")
    listed = capsys.readouterr().out
    assert REGIONS_ID in listed and "FILE" in listed and "regions.graphql" in listed
    assert (await client.post("/graphql", json={"documentId": REGIONS_ID})).status_code == 200

    await run_cli(monkeypatch, database_url, "documents", "retire", REGIONS_ID)
    assert capsys.readouterr().out == f"retired {REGIONS_ID}\n"
    await run_cli(monkeypatch, database_url, "documents", "list")
    assert REGIONS_ID not in capsys.readouterr().out
    await run_cli(monkeypatch, database_url, "documents", "list", "--all")
    assert "retired" in capsys.readouterr().out
