"""Helpers shared by the tests: one module per area, imported as `from tests.support.X import ...`.

    api.py           Api (the GraphQL client: raw / call / errors, register_person, register_unit,
                     login), PASSWORD, LOGIN and the register mutations, create_admin_token
    db.py            table_count, StatementCounter, count_statements (reading the database beside the app)
    units.py         permission applications, permitted units, reporting paths, committees
    declarations.py  World (an admin, an open year, a permitted unit, an applicant), declaration
                     mutations, uploads, snapshot
    review.py        ReviewWorld (World plus a 主管部门 and a committee's accepting unit), review and
                     report operations, seed_approved

Fixtures live in tests/conftest.py and are built on these helpers; a test asks for them by name
and never imports conftest or another test module. Anything a second test module needs goes here.
"""
