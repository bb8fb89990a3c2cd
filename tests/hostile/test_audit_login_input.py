"""Item 11: the audit log stored whatever was typed into the login field of a failed login
— someone's ID number, or a password typed into the wrong box.

A login that names an account is logged under the account's login name (also when the
applicant typed the ID number); one that names no account under a keyed fingerprint
(`hmac:<16 hex>/<length>`). Nothing typed reaches `audit_entry`, in any column."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from core.clock import FakeClock
from tests.support.live import login_from


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


async def audit_text(engine) -> str:
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT to_jsonb(a)::text FROM audit_entry a ORDER BY id"))).scalars()
        return "\n".join(rows)


async def test_nothing_typed_into_a_failed_login_is_logged(live_server, api, engine):
    person = await api.register_person()
    stranger_id = api.next_id_number(birth="19700414")
    typed_password = "My-Real-Pass-2026"
    login_from(live_server, "127.0.0.6", stranger_id, "Guess-Pass-1")           # someone else's ID number
    login_from(live_server, "127.0.0.6", typed_password, "Guess-Pass-1")        # a password in the login box
    login_from(live_server, "127.0.0.6", person["idNumberRaw"], "Guess-Pass-1")  # the applicant's own, by ID

    logged = await audit_text(engine)
    for secret in (stranger_id, stranger_id[6:14], typed_password, person["idNumberRaw"]):
        assert secret not in logged
    async with engine.connect() as conn:
        names = (await conn.execute(text(
            "SELECT login_name FROM audit_entry WHERE action = 'login' ORDER BY id DESC LIMIT 3"))).scalars().all()
    applicant, password, stranger = names
    assert applicant == person["loginName"]
    assert re.fullmatch(r"hmac:[0-9a-f]{16}/17", password)
    assert re.fullmatch(r"hmac:[0-9a-f]{16}/18", stranger)
    # Equal typos correlate without being readable.
    login_from(live_server, "127.0.0.7", stranger_id, "Guess-Pass-2")
    async with engine.connect() as conn:
        again = (await conn.execute(text(
            "SELECT login_name FROM audit_entry WHERE action = 'login' ORDER BY id DESC LIMIT 1"))).scalar_one()
    assert again == stranger
