"""承诺书: nothing is declared before "我同意" of the current version."""

from tests.support.declarations import ACCEPT, CLOSE_YEAR, CREATE, OPEN_YEAR, World, make_admin, snapshot

COMMITMENT = "{ commitment { version title text accepted acceptedAt } }"


async def test_letter_shown_until_accepted(api, engine, services):
    world = await World(api, engine, services).setup(accept=False)
    letter = (await api(COMMITMENT, token=world.token))["commitment"]
    assert letter["version"] == 1 and letter["accepted"] is False and "承诺" in letter["text"]

    data = await api(ACCEPT, {"v": 1}, world.token)
    assert data["acceptCommitment"]["commitment"] == {"version": 1, "accepted": True}
    again = await api(ACCEPT, {"v": 1}, world.token)  # idempotent
    assert again["acceptCommitment"]["errors"] == []
    assert (await api(COMMITMENT, token=world.token))["commitment"]["accepted"] is True


async def test_no_declaration_before_commitment(api, engine, services):
    world = await World(api, engine, services).setup(accept=False)
    before = await snapshot(engine)
    data = await api(CREATE, {"input": world.input()}, world.token)
    assert [e["code"] for e in data["createDeclaration"]["errors"]] == ["COMMITMENT_REQUIRED"]
    assert await snapshot(engine) == before


async def test_outdated_version_refused(api, engine, services):
    world = await World(api, engine, services).setup(accept=False)
    data = await api(ACCEPT, {"v": 0}, world.token)
    assert data["acceptCommitment"]["errors"][0]["code"] == "COMMITMENT_VERSION_OUTDATED"
    assert (await api(COMMITMENT, token=world.token))["commitment"]["accepted"] is False


async def test_units_cannot_accept(api, engine, services):
    world = await World(api, engine, services).setup()
    errors = await api.errors(ACCEPT, {"v": 1}, world.unit_token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_years_are_opened_by_the_province_only(api, engine, services):
    world = await World(api, engine, services).setup()
    city = await make_admin(api, services, "370200")
    data = await api(OPEN_YEAR, {"y": 2027}, city)
    assert data["openDeclarationYear"]["errors"][0]["code"] == "NOT_PERMITTED"
    assert (await api(OPEN_YEAR, {"y": 1990}, world.admin))["openDeclarationYear"]["errors"][0]["field"] == "year"
    errors = await api.errors(OPEN_YEAR, {"y": 2027}, world.token)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    closed = await api(CLOSE_YEAR, {"y": 2026}, world.admin)
    assert closed["closeDeclarationYear"]["declarationYear"] == {"year": 2026, "isOpen": False}
    years = await api("{ declarationYears { year isOpen } }", token=world.token)
    assert years["declarationYears"] == [{"year": 2026, "isOpen": False}]
