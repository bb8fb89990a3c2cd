"""Item 10: an unknown login said `账号或密码错误`, an existing one `…再错4次将锁定账号`.

Now a wrong password and a login that names no account get the same answer, attempt for
attempt, up to and including the throttle (an unknown login is counted under a fingerprint
of what was typed exactly as an account is under its id), by login name and by ID number."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.clock import FakeClock
from tests.support.live import login_from

TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))


def answers(server, address: str, login: str, times: int = 6) -> list[dict]:
    """Each attempt's whole payload, with the moment to retry blanked out."""
    out = []
    for _ in range(times):
        payload = login_from(server, address, login, "Guess-Pass-1")
        out.append({**payload, "errors": [{**e, "message": TIME.sub("T", e["message"])} for e in payload["errors"]]})
    return out


async def test_a_wrong_password_and_an_unknown_login_answer_alike(live_server, api):
    person = await api.register_person()
    known = answers(live_server, "127.0.0.2", person["loginName"])
    unknown = answers(live_server, "127.0.0.3", "nobody_registered_this")
    assert known == unknown
    assert [a["errors"][0]["code"] for a in known] == ["INVALID_CREDENTIALS"] * 5 + ["LOGIN_THROTTLED"]
    assert known[0] == {"token": None, "me": None,
                        "errors": [{"code": "INVALID_CREDENTIALS", "field": "login", "message": "账号或密码错误"}]}
    assert "再错" not in str(known) and "锁定" not in str(known)


async def test_an_id_number_login_tells_nothing_either(live_server, api):
    person = await api.register_person()
    unregistered = api.next_id_number(birth="19700414")
    assert answers(live_server, "127.0.0.4", person["idNumberRaw"]) == \
        answers(live_server, "127.0.0.5", unregistered)
