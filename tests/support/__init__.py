"""Helpers shared by the tests: one module per area, imported as `from tests.support.X import ...`.

    api.py           Api (the GraphQL client: raw / call / errors, register_person, register_unit,
                     login), PASSWORD, LOGIN and the register mutations, create_admin_token
    db.py            table_count, StatementCounter, count_statements (reading the database beside the app)
    units.py         permission applications, permitted units, reporting paths, committees
    declarations.py  World (an admin, an open year, a permitted unit, an applicant), declaration
                     mutations, uploads, snapshot
    review.py        ReviewWorld (World plus a 主管部门 and a committee's accepting unit), review and
                     report operations, seed_approved
    clients.py       API clients (issue 15): register, grant (POST /oauth/token, basic or post), token
    admin.py         importRegistry as a multipart upload (upload_registry, import_registry,
                     registry_csv), change_password

Fixtures live in tests/conftest.py and are built on these helpers; a test asks for them by name
and never imports conftest or another test module. Anything a second test module needs goes here.

Actors: ask for the role, don't build it by hand.

    api             the GraphQL client (an app on a fresh database per test)
    applicant       a person who accepted the commitment letter, logged in: {id, name, idNumber,
                    loginName, idNumberRaw, token, ...}
    permitted_unit  a 济南 unit whose permission application city_admin approved, logged in:
                    {id, name, uscc, region, loginName, applicationId, token, ...}
    city_admin      the token of 济南's (370100) title-office admin
    province_admin  the token of the province's (370000) title-office admin
    make_admin      `await make_admin("370200")`: an admin of another region (青岛 here)

Within one test each fixture is made once, so `permitted_unit` and `city_admin` are the unit and
the admin who approved it. More actors of a kind come from the helpers:
`api.register_person()` + `api.login(...)`, `units.permitted_unit(api, admin, name=...)`,
`units.unit_with_token(api)` (registered, not permitted). A declaration needs more around the
applicant (an open year, a permitted work unit): `World` in declarations.py, and `ReviewWorld` in
review.py for a whole reporting route.

    async def test_city_admin_sees_the_application(api, city_admin, permitted_unit):
        data = await api(LIST, token=city_admin)
        ...

Tests that use none of the database fixtures (the pure rules) are left unmarked; every other test
is marked `db` by conftest, so `python3 dev.py test -m "not db"` runs the rules alone, in seconds.
"""
