"""Shared steps for the committee stage (评审, issue 14): a committee office, accepted
declarations, and declarations brought to PASSED / NOT_PASSED.

`CommitteeWorld` is a ReviewWorld (基层单位 → 主管部门 → the committee's accepting unit for
工程技术/副高级) whose committee has an office account, logged in with its own password.
`accepted()` drives a declaration through the API up to ACCEPTED at the committee.

`seed_tallied_session` is a documented SQL stand-in for the committee's steps (formal
check → session → ballot closed): it writes what those steps leave behind — one CLOSED
review_session, its session_candidate rows with their tally, the declarations PASSED or
NOT_PASSED and one timeline event per step — for tests of what comes after the close.
Tests of the committee's own steps drive them through the API instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from schema.ids import decode_id
from tests.support.admin import change_password
from tests.support.api import PASSWORD
from tests.support.review import ERRORS, LEVEL, SERIES, ReviewWorld

OFFICE_PASSWORD = PASSWORD + "o"
CREATE_OFFICE = """mutation($input: CreateCommitteeOfficeInput!) {
  createCommitteeOffice(input: $input) {
    office { id name loginName committeeId mustChangePassword } initialPassword %s } }""" % ERRORS


async def office_token(world: ReviewWorld, committee_id: str, login_name: str, admin: str | None = None) -> str:
    """A committee office created by the title office, logged in, its password changed."""
    created = (await world.api(CREATE_OFFICE, {"input": {
        "committeeId": committee_id, "loginName": login_name, "name": "评审委员会办公室", "password": PASSWORD,
    }}, admin or world.admin))["createCommitteeOffice"]
    assert created["errors"] == [], created
    token = await world.api.login(login_name)
    assert (await change_password(world.api, token, PASSWORD, OFFICE_PASSWORD))["errors"] == []
    return token


class CommitteeWorld(ReviewWorld):
    """ReviewWorld plus the committee's office (`office`, a token)."""

    async def setup(self, **kwargs: Any) -> "CommitteeWorld":
        await super().setup(**kwargs)
        self.office = await office_token(self, self.committee["id"], "committee_office1")
        return self

    async def accepted(self, **overrides: Any) -> dict:
        """A new applicant's declaration, routed up and accepted (受理) by the committee."""
        d = await self.at_dept(**overrides)
        assert (await self.review(self.dept, d["id"]))["errors"] == []
        assert (await self.report(self.dept, [d["id"]]))["errors"] == []
        accepted = await self.review(self.accepting, d["id"])
        assert accepted["errors"] == [] and accepted["declaration"]["status"] == "ACCEPTED", accepted
        return d


# One CLOSED session of :committee with the given declarations tallied: (present, agree,
# disagree, abstain) per declaration, passed when agree ≥ 2/3 of present (the rule of
# rules.ballot), the declarations moved to PASSED / NOT_PASSED with their events.
_SEED_TALLIED = text("""
WITH input AS (
    SELECT * FROM unnest(CAST(:declarations AS bigint[]), CAST(:present AS int[]), CAST(:agree AS int[]),
                         CAST(:disagree AS int[]), CAST(:abstain AS int[]))
        AS t(declaration_id, present, agree, disagree, abstain)
), office AS (
    SELECT o.account_id, o.name FROM committee_office o WHERE o.committee_id = :committee ORDER BY o.id LIMIT 1
), ses AS (
    INSERT INTO review_session (committee_id, name, year, series_code, level, meeting_on, panel_size, state,
                                created_at, created_by_account_id, closed_at)
    SELECT :committee, '评审会议', :year, :series, :level, CAST(:now AS timestamptz)::date, 25, 'CLOSED',
           :now, office.account_id, :now FROM office
    RETURNING id
), cand AS (
    INSERT INTO session_candidate (session_id, declaration_id, work_unit_id, group_no, present, agree, disagree,
                                   abstain, passed, tallied_at)
    SELECT ses.id, d.id, d.work_unit_id, 1, i.present, i.agree, i.disagree, i.abstain,
           3 * i.agree >= 2 * i.present, :now
    FROM input i JOIN declaration d ON d.id = i.declaration_id CROSS JOIN ses
    RETURNING declaration_id, passed
), moved AS (
    UPDATE declaration d SET status = CASE WHEN c.passed THEN 'PASSED' ELSE 'NOT_PASSED' END, updated_at = :now
    FROM cand c WHERE d.id = c.declaration_id
    RETURNING d.id, d.status
)
INSERT INTO declaration_event (declaration_id, action, from_status, to_status, actor_account_id, actor_name, at)
SELECT m.id, e.action, e.from_status, e.to_status, office.account_id, office.name, :now
FROM moved m CROSS JOIN office
CROSS JOIN LATERAL (VALUES ('CHECK', 'ACCEPTED', 'CHECKED', 1), ('SCHEDULE', 'CHECKED', 'IN_REVIEW', 2),
                           (CASE WHEN m.status = 'PASSED' THEN 'PASS' ELSE 'FAIL' END, 'IN_REVIEW', m.status, 3))
    AS e(action, from_status, to_status, ord)
ORDER BY m.id, e.ord
""")


async def seed_tallied_session(engine, committee_gid: str, tallies: dict[str, tuple[int, int, int, int]], *,
                               now, year: int = 2026, series: str = SERIES, level: str = LEVEL) -> None:
    """`tallies`: declaration global id → (present, agree, disagree, abstain); the
    declarations must be ACCEPTED at the committee and the committee must have an office."""
    ids = [decode_id(gid, "Declaration", "id") for gid in tallies]
    votes = list(tallies.values())
    async with engine.begin() as conn:
        await conn.execute(_SEED_TALLIED, {
            "committee": decode_id(committee_gid, "Committee", "id"), "year": year, "series": series,
            "level": level, "now": now, "declarations": ids,
            "present": [v[0] for v in votes], "agree": [v[1] for v in votes],
            "disagree": [v[2] for v in votes], "abstain": [v[3] for v in votes],
        })
