"""评审 through GraphQL: formal check, expert pool, review sessions, the draw, opinions,
attendance, the secret ballot and its close (issue 14, steps 1–5). Panels are of 3 here
(tests/conftest.py's settings); the regulation's sizes are the defaults (test_committee_rules)."""

from __future__ import annotations

import pytest

from tests.support.committee import (
    CANDIDATES,
    CommitteeWorld,
    passed_session,
)
from tests.support.review import DECLARATION, codes, rows

SESSION = """query($id: ID!) { node(id: $id) { ... on ReviewSession { id state drawSeed
  panel { id expert { id } } } } }"""
EXPERTS = """query($past: Boolean!) { experts(includePastTerms: $past) { totalCount
  nodes { id name status current termStart termEnd statusReason } } }"""
QUEUE = """query($status: DeclarationStatus!) { committeeQueue(status: $status) { totalCount nodes { id status } } }"""


@pytest.fixture
async def world(api, engine, services) -> CommitteeWorld:
    return await CommitteeWorld(api, engine, services).setup()


async def timeline(world, d: dict) -> list[tuple[str, str]]:
    data = (await world.api(DECLARATION, {"id": d["id"]}, d["token"]))["declaration"]
    return [(e["action"], e["actorName"]) for e in data["timeline"]]


# --- 受理审查 ---------------------------------------------------------------------------

async def test_the_office_checks_what_its_committee_accepted(world):
    d = await world.accepted()
    queue = (await world.api(QUEUE, {"status": "ACCEPTED"}, world.office))["committeeQueue"]
    assert [n["id"] for n in queue["nodes"]] == [d["id"]]
    checked = await world.check(d["id"])
    assert checked["errors"] == [] and checked["declaration"]["status"] == "CHECKED"
    assert (await timeline(world, d))[-1] == ("CHECK", "评审委员会办公室")
    assert codes(await world.check(d["id"])) == ["INVALID_STATE"]  # checked once
    assert (await world.api(QUEUE, {"status": "ACCEPTED"}, world.office))["committeeQueue"]["totalCount"] == 0
    assert (await world.api(QUEUE, {"status": "CHECKED"}, world.office))["committeeQueue"]["totalCount"] == 1


async def test_an_office_cannot_check_another_committees_declaration(world, engine):
    from tests.support.committee import office_for
    from tests.support.units import create_committee
    elsewhere = await world.permitted_unit("另一评审受理中心")
    other = await create_committee(world.api, world.admin, elsewhere, name="另一评审委员会")
    other_office = await office_for(world.api, world.admin, other["committee"]["id"], "other_office")
    d = await world.accepted()
    refused = (await world.api("mutation($id: ID!) { checkDeclaration(id: $id) { errors { code field } } }",
                               {"id": d["id"]}, other_office))["checkDeclaration"]
    assert refused["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    pending = await world.confirmed()  # not yet at any committee
    assert codes(await world.check(pending["id"])) == ["NOT_FOUND"]
    assert (await rows(engine, "SELECT count(*) AS n FROM declaration WHERE status = 'CHECKED'"))[0].n == 0


# --- 专家库 -----------------------------------------------------------------------------

async def test_the_expert_pool_keeps_terms_and_refuses_what_the_rules_forbid(world):
    from tests.support.committee import ADD_EXPERT
    expert = await world.add_expert()
    assert expert["status"] == "ACTIVE" and expert["idNumber"].count("*") == 8

    async def add(**overrides):
        person = await world.api.register_person()
        variables = {"idNumber": person["idNumberRaw"], "name": person["name"], "specialtyCodes": ["ENGINEERING.CIVIL"],
                     "heldLevel": "ASSOCIATE_SENIOR", "unitId": world.dept["id"], "termStart": "2025-01-01",
                     "termEnd": "2027-12-31", **overrides}
        return (await world.api(ADD_EXPERT, {"input": variables}, world.office))["addExpert"]

    assert codes(await add(heldLevel="INTERMEDIATE")) == ["EXPERT_LEVEL_TOO_LOW"]
    assert codes(await add(termEnd="2028-01-01")) == ["EXPERT_TERM_INVALID"]  # over 3 years
    assert codes(await add(name="不是本人")) == ["NOT_FOUND"]
    again = expert["person"]
    twice = (await world.api(ADD_EXPERT, {"input": {
        "idNumber": again["idNumberRaw"], "name": again["name"], "specialtyCodes": ["ENGINEERING.CIVIL"],
        "heldLevel": "SENIOR", "unitId": world.dept["id"], "termStart": "2025-02-01", "termEnd": "2026-12-31"}},
        world.office))["addExpert"]
    assert codes(twice) == ["EXPERT_ALREADY_IN_POOL"]

    suspended = (await world.api("""mutation($id: ID!) { suspendExpert(id: $id, reason: "出国进修") {
        expert { status statusReason } errors { code } } }""", {"id": expert["id"]}, world.office))["suspendExpert"]
    assert suspended["expert"] == {"status": "SUSPENDED", "statusReason": "出国进修"}
    renewed = (await world.api("""mutation($id: ID!) { renewExpert(id: $id, termStart: "2028-01-01",
        termEnd: "2030-12-31") { expert { id status current } errors { code } } }""",
        {"id": expert["id"]}, world.office))["renewExpert"]
    assert renewed["errors"] == [] and renewed["expert"]["current"] and renewed["expert"]["id"] != expert["id"]
    current = (await world.api(EXPERTS, {"past": False}, world.office))["experts"]
    everything = (await world.api(EXPERTS, {"past": True}, world.office))["experts"]
    assert current["totalCount"] == 1 and everything["totalCount"] == 2  # the past term stays on record
    retired = (await world.api("""mutation($id: ID!) { retireExpert(id: $id, reason: "本人申请") {
        expert { status } errors { code } } }""", {"id": expert["id"]}, world.office))["retireExpert"]
    assert codes(retired) == ["INVALID_STATE"]  # the old term is closed; act on the current one


async def test_the_pool_is_seen_by_the_office_and_its_regions_admins_only(world, make_admin, applicant):
    await world.add_expert()
    assert (await world.api(EXPERTS, {"past": False}, world.admin))["experts"]["totalCount"] == 1
    city = await make_admin("370200")  # the committee is the province's
    assert (await world.api(EXPERTS, {"past": False}, city))["experts"]["totalCount"] == 0
    errors = await world.api.errors(EXPERTS, {"past": False}, applicant["token"])
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


# --- 评审会议 and the draw ------------------------------------------------------------------

async def test_a_session_takes_every_checked_declaration_of_its_year_and_level(world, engine):
    assert codes(await world.create_session(panel_size=3)) == ["NO_CANDIDATES"]
    a, b = await world.checked(), await world.checked()
    await world.accepted()  # not checked: stays out
    assert codes(await world.create_session(panel_size=4)) == ["PANEL_SIZE_INVALID"]
    assert codes(await world.create_session(panel_size=1)) == ["PANEL_SIZE_INVALID"]
    created = await world.create_session(panel_size=3)
    assert created["errors"] == [] and created["session"]["state"] == "CREATED"
    statuses = await rows(engine, "SELECT status FROM declaration ORDER BY id")
    assert [r.status for r in statuses] == ["IN_REVIEW", "IN_REVIEW", "ACCEPTED"]
    assert (await timeline(world, a))[-1][0] == "SCHEDULE" and (await timeline(world, b))[-1][0] == "SCHEDULE"
    assert codes(await world.create_session(panel_size=3)) == ["NO_CANDIDATES"]  # each is in one session


async def test_the_draw_refuses_with_too_few_eligible_experts_and_changes_nothing(world, engine):
    await world.checked()
    await world.add_expert()
    await world.add_expert(termStart="2023-01-01", termEnd="2025-12-31")  # term over before the meeting
    suspended = await world.add_expert()
    await world.api("""mutation($id: ID!) { suspendExpert(id: $id, reason: "暂停") { errors { code } } }""",
                    {"id": suspended["id"]}, world.office)
    await world.add_expert()
    session = (await world.create_session(panel_size=3))["session"]
    refused = await world.draw(session["id"])
    assert codes(refused) == ["TOO_FEW_EXPERTS"]
    assert (await rows(engine, "SELECT count(*) AS n FROM panel_member"))[0].n == 0
    assert (await rows(engine, "SELECT state, draw_seed FROM review_session"))[0] == ("CREATED", None)
    await world.add_expert()
    drawn = await world.draw(session["id"])
    assert drawn["errors"] == [] and drawn["session"]["state"] == "PANEL_DRAWN"
    assert len(drawn["session"]["panel"]) == 3 and drawn["session"]["eligibleCount"] == 3


async def test_the_draw_is_reproducible_from_its_recorded_seed(world, engine):
    from rules import panel_draw
    for _ in range(2):
        await world.checked()
    for _ in range(3):
        await world.add_expert()
    await world.add_expert(unit=world.base)  # the candidates' unit: recused for each
    for _ in range(3):
        await world.add_expert()
    session = (await world.create_session(panel_size=5))["session"]
    drawn = (await world.draw(session["id"]))["session"]
    seed = bytes.fromhex(drawn["drawSeed"])
    eligible = [panel_draw.EligibleExpert(r.id, r.unit_id) for r in await rows(
        engine, "SELECT id, unit_id FROM expert WHERE status = 'ACTIVE' AND current ORDER BY id")]
    candidates = [panel_draw.Candidate(r.id, r.work_unit_id) for r in await rows(
        engine, "SELECT id, work_unit_id FROM session_candidate ORDER BY id")]
    again = panel_draw.draw(seed, eligible, candidates, 5, 3)
    panel = await rows(engine, "SELECT expert_id, group_no FROM panel_member ORDER BY draw_position")
    assert again.members == [r.expert_id for r in panel]
    assert again.member_groups == {r.expert_id: r.group_no for r in panel}
    audit = await rows(engine, "SELECT reason FROM audit_entry WHERE action = 'review_session.draw' AND success")
    assert audit[0].reason.startswith(f"seed={drawn['drawSeed']} eligible=7")


async def test_experts_of_the_candidates_unit_and_declared_conflicts_are_recused(world, engine):
    d = await world.checked()
    same_unit = await world.add_expert(unit=world.base)
    conflicted = await world.add_expert()
    declared = (await world.api("""mutation($e: ID!, $d: ID!) { declareConflict(expertId: $e, declarationId: $d,
        reason: "近亲属") { conflict { reason } errors { code } } }""", {"e": conflicted["id"], "d": d["id"]},
        world.office))["declareConflict"]
    assert declared == {"conflict": {"reason": "近亲属"}, "errors": []}
    for _ in range(5):
        await world.add_expert()
    session = (await world.create_session(panel_size=7))["session"]
    drawn = (await world.draw(session["id"]))["session"]
    # 7 of 7 eligible: both sit on the panel, recused for the one candidate (7 − 5 = 2 may be).
    assert {m["expert"]["id"] for m in drawn["panel"]} == {e["id"] for e in world.experts}
    recusals = await rows(engine, "SELECT e.id, r.reason FROM panel_recusal r JOIN panel_member m ON m.id = "
                                  "r.member_id JOIN expert e ON e.id = m.expert_id ORDER BY e.id")
    from schema.ids import decode_id
    assert [(r.id, r.reason) for r in recusals] == [(decode_id(same_unit["id"], "Expert", "id"), "SAME_UNIT"),
                                                    (decode_id(conflicted["id"], "Expert", "id"), "CONFLICT")]
    mine = await world.candidates(session["id"], same_unit["token"])
    assert mine[0]["recused"] is True and mine[0]["declaration"] is None


async def test_two_draws_at_once_one_wins(world, engine):
    import asyncio

    from tests.support.committee import DRAW
    await world.checked()
    for _ in range(4):
        await world.add_expert()
    session = (await world.create_session(panel_size=3))["session"]
    second_login = await world.api.login("committee_office1", "Secret-Pass1o")
    results = await asyncio.gather(world.api(DRAW, {"id": session["id"]}, world.office),
                                   world.api(DRAW, {"id": session["id"]}, second_login))
    assert sorted(codes(r["drawPanel"]) for r in results) == [[], ["INVALID_STATE"]]
    assert (await rows(engine, "SELECT count(*) AS n FROM panel_member"))[0].n == 3


async def test_the_panel_is_seen_only_by_the_office_and_the_admin(world, make_admin):
    session, _ = await world.voting_session(declarations=1, experts=3)
    seen = (await world.api(SESSION, {"id": session["id"]}, world.admin))["node"]
    assert len(seen["panel"]) == 3 and seen["drawSeed"]
    expert_view = (await world.api(SESSION, {"id": session["id"]}, world.experts[0]["token"]))["node"]
    assert expert_view["panel"] is None and expert_view["drawSeed"] is None
    assert (await world.api(SESSION, {"id": session["id"]}, world.token))["node"] is None  # a person off the panel
    member_id = seen["panel"][0]["id"]
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert (await world.api(node, {"id": member_id}, world.experts[0]["token"]))["node"] is None
    assert (await world.api(node, {"id": member_id}, world.office))["node"] == {"id": member_id}
    city = await make_admin("370200")
    assert (await world.api(SESSION, {"id": session["id"]}, city))["node"] is None


# --- 评议组 ------------------------------------------------------------------------------

async def test_opinions_come_from_the_candidates_group_before_the_vote(world):
    from tests.support.committee import OPINION
    await world.checked()
    for _ in range(3):
        await world.add_expert()
    outsider = await world.api.login((await world.api.register_person())["loginName"])
    session = (await world.create_session(panel_size=3))["session"]
    drawn = (await world.draw(session["id"]))["session"]
    candidate = (await world.candidates(session["id"]))[0]
    member = world.experts[0]["token"]
    written = (await world.api(OPINION, {"c": candidate["id"], "t": "业绩突出，符合条件"}, member))["submitOpinion"]
    assert written == {"candidate": {"id": candidate["id"], "opinion": "业绩突出，符合条件"}, "errors": []}
    assert codes((await world.api(OPINION, {"c": candidate["id"], "t": "x"}, outsider))["submitOpinion"]) == [
        "NOT_ON_PANEL"]
    await world.attend(session["id"], [m["id"] for m in drawn["panel"]])
    late = (await world.api(OPINION, {"c": candidate["id"], "t": "改"}, member))["submitOpinion"]
    assert codes(late) == ["INVALID_STATE"]
    assert (await world.candidates(session["id"]))[0]["opinion"] == "业绩突出，符合条件"


# --- 签到 and the ballot ----------------------------------------------------------------

async def test_no_vote_and_no_close_without_two_thirds_present(world):
    await world.checked()
    for _ in range(3):
        await world.add_expert()
    session = (await world.create_session(panel_size=3))["session"]
    panel = (await world.draw(session["id"]))["session"]["panel"]
    short = await world.attend(session["id"], [panel[0]["id"]])  # 1 of 3; 2 needed
    assert short["errors"] == [] and short["session"]["state"] == "PANEL_DRAWN"
    candidate = (await world.candidates(session["id"]))[0]
    present = world.token_of(panel[0])
    assert codes(await world.cast(present, session["id"], {candidate["id"]: "AGREE"})) == ["QUORUM_NOT_MET"]
    assert codes(await world.close(session["id"])) == ["QUORUM_NOT_MET"]
    opened = await world.attend(session["id"], [panel[0]["id"], panel[1]["id"]])
    assert opened["session"]["state"] == "VOTING" and opened["session"]["presentCount"] == 2
    absent = world.token_of(panel[2])
    assert codes(await world.cast(absent, session["id"], {candidate["id"]: "AGREE"})) == ["ABSENT"]
    assert codes(await world.attend(session["id"], [m["id"] for m in panel])) == ["INVALID_STATE"]  # final


async def test_votes_are_refused_off_the_panel_when_recused_twice_in_one_ballot_and_after_close(world):
    session, candidates = await world.voting_session(declarations=2, experts=3)
    outsider = await world.api.login((await world.api.register_person())["loginName"])
    one = candidates[0]["id"]
    assert codes(await world.cast(outsider, session["id"], {one: "AGREE"})) == ["NOT_ON_PANEL"]
    voter = world.token_of(session["panel"][0])
    duplicate = await world.api("""mutation($id: ID!, $c: ID!) { castVotes(sessionId: $id, votes: [
        {candidateId: $c, choice: AGREE}, {candidateId: $c, choice: DISAGREE}]) { cast errors { code } } }""",
                                {"id": session["id"], "c": one}, voter)
    assert codes(duplicate["castVotes"]) == ["DUPLICATE_VOTE"]
    assert (await world.cast(voter, session["id"], {one: "DISAGREE"}))["cast"] == 1
    assert (await world.cast(voter, session["id"], {one: "AGREE"}))["cast"] == 1  # changed, not added
    office_view = await world.candidates(session["id"])
    assert all(c["agree"] is None and c["present"] is None for c in office_view)  # no tally before the close
    closed = await world.close(session["id"])
    assert closed["errors"] == []
    assert codes(await world.cast(voter, session["id"], {one: "DISAGREE"})) == ["BALLOT_CLOSED"]
    assert codes(await world.close(session["id"])) == ["BALLOT_CLOSED"]
    tally = (await world.candidates(session["id"]))[0]
    assert (tally["present"], tally["agree"], tally["disagree"], tally["abstain"]) == (3, 1, 0, 0)


async def test_a_recused_expert_cannot_vote_for_that_candidate_and_does_not_count_as_present(world):
    d = await world.checked()
    recused = await world.add_expert(unit=world.base)
    for _ in range(4):
        await world.add_expert()
    session = (await world.create_session(panel_size=5))["session"]
    panel = (await world.draw(session["id"]))["session"]["panel"]
    await world.attend(session["id"], [m["id"] for m in panel])
    candidate = (await world.candidates(session["id"]))[0]
    assert codes(await world.cast(recused["token"], session["id"], {candidate["id"]: "AGREE"})) == ["RECUSED"]
    others = [world.token_of(m) for m in panel if m["expert"]["id"] != recused["id"]]
    for token, choice in zip(others, ["AGREE", "AGREE", "AGREE", "DISAGREE"], strict=True):
        assert (await world.cast(token, session["id"], {candidate["id"]: choice}))["errors"] == []
    await world.close(session["id"])
    tally = (await world.candidates(session["id"]))[0]
    # 4 present and not recused; 3 agree ≥ 2/3 × 4.
    assert (tally["present"], tally["agree"], tally["disagree"], tally["passed"]) == (4, 3, 1, True)
    assert (await timeline(world, d))[-1] == ("PASS", "评审委员会办公室")


async def test_agree_below_two_thirds_of_those_present_fails(world):
    session, candidates = await world.voting_session(declarations=1, experts=3)
    tokens = [world.token_of(m) for m in session["panel"]]
    await world.cast(tokens[0], session["id"], {candidates[0]["id"]: "AGREE"})
    await world.cast(tokens[1], session["id"], {candidates[0]["id"]: "ABSTAIN"})
    # the third expert is present and casts nothing: still counted among those present
    await world.close(session["id"])
    tally = (await world.candidates(session["id"]))[0]
    assert (tally["present"], tally["agree"], tally["abstain"], tally["passed"]) == (3, 1, 1, False)
    assert tally["declaration"]["status"] == "NOT_PASSED"


async def test_the_applicant_sees_the_result_never_the_panel_or_ballots(world):
    session, candidates = await passed_session(world, [True])
    declaration_id = candidates[0]["declaration"]["id"]
    owner = (await rows(world.engine, "SELECT a.login_name FROM declaration d JOIN person p ON p.id = d.person_id "
                                      "JOIN account a ON a.id = p.account_id"))[0].login_name
    token = await world.api.login(owner)
    data = (await world.api(DECLARATION, {"id": declaration_id}, token))["declaration"]
    assert data["status"] == "PASSED"
    assert [e["action"] for e in data["timeline"]][-3:] == ["CHECK", "SCHEDULE", "PASS"]
    assert (await world.api(CANDIDATES, {"id": session["id"]}, token))["node"] is None


READ = """query($id: ID!) { declaration(id: $id) { id status applicant { name idNumber } materials { id } } }"""


async def test_the_office_and_unrecused_panel_experts_read_the_candidates_files(world):
    d = await world.checked()
    office_view = (await world.api(READ, {"id": d["id"]}, world.office))["declaration"]
    assert office_view["applicant"]["name"] and "*" in office_view["applicant"]["idNumber"]
    recused = await world.add_expert(unit=world.base)
    for _ in range(4):
        await world.add_expert()
    judge = world.experts[1]
    assert (await world.api(READ, {"id": d["id"]}, judge["token"]))["declaration"] is None  # before the draw
    session = (await world.create_session(panel_size=5))["session"]
    await world.draw(session["id"])
    seen = (await world.api(READ, {"id": d["id"]}, judge["token"]))["declaration"]
    assert seen["status"] == "IN_REVIEW" and len(seen["materials"]) == 1 and "*" in seen["applicant"]["idNumber"]
    assert (await world.api(READ, {"id": d["id"]}, recused["token"]))["declaration"] is None
    via_session = await world.candidates(session["id"], judge["token"])
    assert via_session[0]["declaration"] == {"id": d["id"], "status": "IN_REVIEW"}
