"""评审 through GraphQL: formal check, expert pool, review sessions, the draw, opinions,
attendance, the secret ballot and its close (issue 14, steps 1–5)."""

from __future__ import annotations

import pytest

from tests.support.committee import CommitteeWorld, passed_session


@pytest.fixture
async def world(api, engine, services) -> CommitteeWorld:
    return await CommitteeWorld(api, engine, services).setup()


async def test_from_acceptance_to_a_result(world):
    session, candidates = await passed_session(world, [True, False])
    assert session["state"] == "CLOSED"
    assert [(c["present"], c["agree"], c["disagree"], c["abstain"], c["passed"]) for c in candidates] == [
        (3, 3, 0, 0, True), (3, 0, 3, 0, False)]
    assert [c["declaration"]["status"] for c in candidates] == ["PASSED", "NOT_PASSED"]
