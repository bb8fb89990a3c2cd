"""无记名投票: no table row and no query links an expert to a vote, and the ballot's races
(two experts at once, a vote racing the close) resolve one way."""

from __future__ import annotations

import asyncio

import pytest

from core.ballot_key import ballot_key
from rules import ballot as ballot_rules
from schema import schema as app_schema
from schema.ids import decode_id
from tests.support.committee import CAST, CLOSE, CommitteeWorld
from tests.support.review import codes, rows


@pytest.fixture
async def world(api, engine, services) -> CommitteeWorld:
    return await CommitteeWorld(api, engine, services).setup()


async def columns(engine, table: str) -> set[str]:
    found = await rows(engine, "SELECT column_name FROM information_schema.columns WHERE table_name = :t", t=table)
    return {r.column_name for r in found}


async def test_no_row_links_an_expert_to_a_vote(world, engine):
    session, candidates = await world.voting_session(declarations=2, experts=3)
    choices = ["AGREE", "DISAGREE", "AGREE"]
    for member, choice in zip(session["panel"], choices, strict=True):
        votes = {c["id"]: choice for c in candidates}
        assert (await world.cast(world.token_of(member), session["id"], votes))["errors"] == []

    # Who voted and what was voted share no column: no id, no time, no expert in the ballot.
    assert await columns(engine, "ballot") == {"candidate_id", "ballot_key", "session_id", "nonce", "seal"}
    assert await columns(engine, "ballot_voter") == {"session_id", "member_id"}
    targets = await rows(engine, "SELECT confrelid::regclass::text AS target FROM pg_constraint "
                                 "WHERE conrelid = 'ballot'::regclass AND contype = 'f'")
    assert {r.target for r in targets} == {"session_candidate", "review_session"}
    assert (await rows(engine, "SELECT count(*) AS n FROM ballot_voter"))[0].n == 3

    ballots = await rows(engine, "SELECT candidate_id, ballot_key, nonce, seal FROM ballot")
    assert len(ballots) == 6
    persons = [decode_id(e["person"]["id"], "Person", "id") for e in world.experts]
    session_id = decode_id(session["id"], "ReviewSession", "id")
    # Without the key (held outside the database) a ballot's name leads to no expert …
    guessed = {ballot_rules.ballot_key(bytes(32), session_id, b.candidate_id, p) for b in ballots for p in persons}
    assert not guessed & {bytes(b.ballot_key) for b in ballots}
    # … and its seal hides the choice: equal choices look different (a fresh nonce each).
    agreeing = [bytes(b.seal) for b in ballots]
    assert len(set(agreeing)) == len(agreeing)
    with pytest.raises(ValueError):
        ballot_rules.open_seal(bytes(32), bytes(ballots[0].ballot_key), bytes(ballots[0].nonce), bytes(ballots[0].seal))
    # With the key the server finds each expert's own ballot (to replace it on a new vote).
    key = ballot_key(world.services.settings)
    named = {ballot_rules.ballot_key(key, session_id, b.candidate_id, p) for b in ballots for p in persons}
    assert {bytes(b.ballot_key) for b in ballots} <= named

    # The audit log says that an expert voted in the session, never how.
    audit = await rows(engine, "SELECT object_type, reason FROM audit_entry WHERE action = 'review_session.vote'")
    assert [(a.object_type, a.reason) for a in audit] == [("ReviewSession", None)] * 3

    # No query serves a ballot: the schema has no ballot type or field.
    sdl = str(app_schema).lower()
    assert "ballotkey" not in sdl and "seal" not in sdl and "ballotvoter" not in sdl

    # At the close the ballots are counted and deleted; only the tally stays.
    assert (await world.close(session["id"]))["errors"] == []
    assert (await rows(engine, "SELECT count(*) AS n FROM ballot"))[0].n == 0
    tallies = await world.candidates(session["id"])
    assert [(c["agree"], c["disagree"], c["passed"]) for c in tallies] == [(2, 1, True), (2, 1, True)]


async def test_two_experts_voting_at_once_both_count(world):
    session, candidates = await world.voting_session(declarations=1, experts=3)
    tokens = [world.token_of(m) for m in session["panel"]]
    vote = [{"candidateId": candidates[0]["id"], "choice": "AGREE"}]
    results = await asyncio.gather(*[world.api(CAST, {"id": session["id"], "votes": vote}, t) for t in tokens])
    assert [r["castVotes"]["cast"] for r in results] == [1, 1, 1]
    await world.close(session["id"])
    assert (await world.candidates(session["id"]))[0]["agree"] == 3


async def test_a_vote_racing_the_close_is_counted_exactly_when_it_committed_first(world):
    session, candidates = await world.voting_session(declarations=1, experts=3)
    tokens = [world.token_of(m) for m in session["panel"]]
    one = candidates[0]["id"]
    for token in tokens[:2]:
        await world.cast(token, session["id"], {one: "AGREE"})
    vote = [{"candidateId": one, "choice": "AGREE"}]
    cast, closed = await asyncio.gather(world.api(CAST, {"id": session["id"], "votes": vote}, tokens[2]),
                                        world.api(CLOSE, {"id": session["id"]}, world.office))
    assert closed["closeBallot"]["errors"] == []
    agree = (await world.candidates(session["id"]))[0]["agree"]
    if codes(cast["castVotes"]):
        assert codes(cast["castVotes"]) == ["BALLOT_CLOSED"] and agree == 2
    else:
        assert agree == 3
    assert codes(await world.cast(tokens[2], session["id"], {one: "DISAGREE"})) == ["BALLOT_CLOSED"]
    assert (await world.candidates(session["id"]))[0]["agree"] == agree
