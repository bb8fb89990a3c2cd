"""Shared steps for the committee stage (评审, issue 14): a committee office, accepted
declarations, and declarations brought to PASSED / NOT_PASSED.

`CommitteeWorld` is a ReviewWorld (基层单位 → 主管部门 → the committee's accepting unit for
工程技术/副高级) whose committee has an office account, logged in with its own password.
`accepted()` drives a declaration through the API up to ACCEPTED at the committee.

`passed_session` drives the committee's real steps (check → session → draw → attendance →
votes → close) through the API. `seed_tallied_session` is a documented SQL stand-in for
them, for tests that need many results fast: it writes what those steps leave behind — one
CLOSED review_session, its session_candidate rows with their tally, the declarations PASSED
or NOT_PASSED and one timeline event per step.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from schema.ids import decode_id
from tests.support.admin import change_password
from tests.support.api import PASSWORD, Api
from tests.support.review import ERRORS, LEVEL, SERIES, ReviewWorld

OFFICE_PASSWORD = PASSWORD + "o"
CREATE_OFFICE = """mutation($input: CreateCommitteeOfficeInput!) {
  createCommitteeOffice(input: $input) {
    office { id name loginName committeeId mustChangePassword } initialPassword %s } }""" % ERRORS


async def office_for(api: Api, admin: str, committee_id: str, login_name: str = "committee_office1") -> str:
    """A committee office created by the title office, logged in, its password changed."""
    created = (await api(CREATE_OFFICE, {"input": {
        "committeeId": committee_id, "loginName": login_name, "name": "评审委员会办公室", "password": PASSWORD,
    }}, admin))["createCommitteeOffice"]
    assert created["errors"] == [], created
    token = await api.login(login_name)
    assert (await change_password(api, token, PASSWORD, OFFICE_PASSWORD))["errors"] == []
    return token


CHECK = """mutation($id: ID!) { checkDeclaration(id: $id) { declaration { id status } %s } }""" % ERRORS
ADD_EXPERT = """mutation($input: ExpertInput!) { addExpert(input: $input) {
  expert { id name idNumber heldLevel status current termStart termEnd unit { id } } %s } }""" % ERRORS
SESSION_FIELDS = """id name state panelSize quorum presentCount drawSeed eligibleCount myGroupNo myPresent
  panel { id drawPosition groupNo present expert { id name unit { id } } }"""
CREATE_SESSION = """mutation($input: ReviewSessionInput!) { createReviewSession(input: $input) {
  session { %s } %s } }""" % (SESSION_FIELDS, ERRORS)
DRAW = """mutation($id: ID!) { drawPanel(sessionId: $id) { session { %s } %s } }""" % (SESSION_FIELDS, ERRORS)
ATTENDANCE = """mutation($id: ID!, $present: [ID!]!) { recordAttendance(sessionId: $id, presentMemberIds: $present) {
  session { %s } %s } }""" % (SESSION_FIELDS, ERRORS)
CANDIDATES = """query($id: ID!) { node(id: $id) { ... on ReviewSession { id state myGroupNo
  candidates(first: 100) { totalCount nodes { id applicantName groupNo recused opinion present agree disagree
    abstain passed declaration { id status } } } } } }"""
CAST = """mutation($id: ID!, $votes: [VoteInput!]!) { castVotes(sessionId: $id, votes: $votes) { cast %s } }""" % ERRORS
CLOSE = """mutation($id: ID!) { closeBallot(sessionId: $id) { session { id state closedAt } %s } }""" % ERRORS
OPINION = """mutation($c: ID!, $t: String!) { submitOpinion(candidateId: $c, text: $t) {
  candidate { id opinion } %s } }""" % ERRORS


class CommitteeWorld(ReviewWorld):
    """ReviewWorld plus the committee's office (`office`, a token) and its experts."""

    async def setup(self, **kwargs: Any) -> "CommitteeWorld":
        await super().setup(**kwargs)
        self.office = await office_for(self.api, self.admin, self.committee["id"])
        self.experts: list[dict] = []
        return self

    async def add_expert(self, unit: dict | None = None, **overrides: Any) -> dict:
        """A newly registered person added to the pool (副高 held, 2025–2027 term); `token`
        is their login. Their unit is the 主管部门 unless given (the candidates' work unit is
        `self.base`, so an expert of it is recused for every candidate)."""
        person = await self.api.register_person()
        token = await self.api.login(person["loginName"])
        variables = {"idNumber": person["idNumberRaw"], "name": person["name"],
                     "specialtyCodes": ["ENGINEERING.CIVIL"], "heldLevel": "ASSOCIATE_SENIOR",
                     "unitId": (unit or self.dept)["id"], "termStart": "2025-01-01", "termEnd": "2027-12-31",
                     **overrides}
        added = (await self.api(ADD_EXPERT, {"input": variables}, self.office))["addExpert"]
        assert added["errors"] == [], added
        expert = {**added["expert"], "token": token, "person": person}
        self.experts.append(expert)
        return expert

    async def check(self, declaration_id: str) -> dict:
        return (await self.api(CHECK, {"id": declaration_id}, self.office))["checkDeclaration"]

    async def checked(self, **overrides: Any) -> dict:
        d = await self.accepted(**overrides)
        assert (await self.check(d["id"]))["errors"] == []
        return d

    async def create_session(self, panel_size: int | None = None, **overrides: Any) -> dict:
        variables = {"name": "2026年度工程技术副高级评审会议", "year": 2026, "level": LEVEL,
                     "meetingOn": "2026-06-15", "panelSize": panel_size, **overrides}
        return (await self.api(CREATE_SESSION, {"input": variables}, self.office))["createReviewSession"]

    async def draw(self, session_id: str) -> dict:
        return (await self.api(DRAW, {"id": session_id}, self.office))["drawPanel"]

    async def attend(self, session_id: str, member_ids: list[str]) -> dict:
        return (await self.api(ATTENDANCE, {"id": session_id, "present": member_ids}, self.office))["recordAttendance"]

    async def candidates(self, session_id: str, token: str | None = None) -> list[dict]:
        node = (await self.api(CANDIDATES, {"id": session_id}, token or self.office))["node"]
        return node["candidates"]["nodes"]

    async def cast(self, token: str, session_id: str, votes: dict[str, str]) -> dict:
        listed = [{"candidateId": c, "choice": v} for c, v in votes.items()]
        return (await self.api(CAST, {"id": session_id, "votes": listed}, token))["castVotes"]

    async def close(self, session_id: str) -> dict:
        return (await self.api(CLOSE, {"id": session_id}, self.office))["closeBallot"]

    def token_of(self, member: dict) -> str:
        """The login of a panel member (by the expert it seats)."""
        return next(e["token"] for e in self.experts if e["id"] == member["expert"]["id"])

    async def voting_session(self, declarations: int = 2, experts: int = 3) -> tuple[dict, list[dict]]:
        """Checked declarations in a session whose whole panel of `experts` is drawn and
        present: the ballot is open. Returns (session, candidates)."""
        for _ in range(declarations):
            await self.checked()
        for _ in range(experts):
            await self.add_expert()
        created = await self.create_session(panel_size=experts)
        assert created["errors"] == [], created
        drawn = await self.draw(created["session"]["id"])
        assert drawn["errors"] == [], drawn
        session = drawn["session"]
        opened = await self.attend(session["id"], [m["id"] for m in session["panel"]])
        assert opened["errors"] == [] and opened["session"]["state"] == "VOTING", opened
        return opened["session"], await self.candidates(session["id"])

    async def accepted(self, **overrides: Any) -> dict:
        """A new applicant's declaration, routed up and accepted (受理) by the committee."""
        d = await self.at_dept(**overrides)
        assert (await self.review(self.dept, d["id"]))["errors"] == []
        assert (await self.report(self.dept, [d["id"]]))["errors"] == []
        accepted = await self.review(self.accepting, d["id"])
        assert accepted["errors"] == [] and accepted["declaration"]["status"] == "ACCEPTED", accepted
        return d


async def passed_session(world: CommitteeWorld, results: list[bool]) -> tuple[dict, list[dict]]:
    """Declarations brought to PASSED (True) / NOT_PASSED (False) by the committee's own steps
    (check, session, draw, attendance, votes, close) through the API, with a panel of 3
    (the test settings' minimum; see tests/test_committee_stage.py's `services`). Returns
    the closed session and its candidates (with `declaration`), in `results` order."""
    session, candidates = await world.voting_session(declarations=len(results), experts=3)
    by_order = sorted(candidates, key=lambda c: c["id"])
    for member in session["panel"]:
        votes = {c["id"]: "AGREE" if ok else "DISAGREE" for c, ok in zip(by_order, results, strict=True)}
        assert (await world.cast(world.token_of(member), session["id"], votes))["errors"] == []
    closed = await world.close(session["id"])
    assert closed["errors"] == [], closed
    return closed["session"], await world.candidates(session["id"])


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
