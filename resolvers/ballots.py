"""投票与计票: the secret ballot of a review session (rules.ballot says how a ballot is kept
apart from its expert), and its close.

castVotes holds the session row FOR SHARE, so experts vote side by side; closeBallot takes
it FOR UPDATE, so it waits for the votes under way to commit and every later vote finds the
ballot CLOSED. A vote is counted exactly when it committed before the close.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select, text

from core.ballot_key import ballot_key
from models import PanelMember, PanelRecusal, ReviewSession, SessionCandidate, SessionState
from resolvers import feed
from resolvers.env import Env
from resolvers.review_sessions import lock_session, office_session, panel_member, recused
from resolvers.timeline import actor_name
from rules import ballot as ballot_rules
from rules.ballot import VoteChoice
from rules.committee import Tally
from rules.declaration_states import DeclarationAction, DeclarationStatus, next_state
from rules.errors import ErrorCode, RuleViolation

A, S = DeclarationAction, DeclarationStatus


@dataclass(frozen=True)
class Vote:
    candidate_id: int
    choice: VoteChoice


def _not_voting(session: ReviewSession) -> RuleViolation:
    if session.state is SessionState.CLOSED:
        return RuleViolation(ErrorCode.BALLOT_CLOSED, field="sessionId")
    if session.attendance_recorded_at is not None:
        return RuleViolation(ErrorCode.QUORUM_NOT_MET, field="sessionId")
    return RuleViolation(ErrorCode.BALLOT_NOT_OPEN, field="sessionId")


_UPSERT_BALLOTS = text("""
INSERT INTO ballot (candidate_id, ballot_key, session_id, nonce, seal)
SELECT c, k, :session, n, s FROM unnest(CAST(:candidates AS bigint[]), CAST(:keys AS bytea[]),
                                        CAST(:nonces AS bytea[]), CAST(:seals AS bytea[])) AS b(c, k, n, s)
ON CONFLICT (candidate_id, ballot_key) DO UPDATE SET nonce = excluded.nonce, seal = excluded.seal
""")


async def cast_votes(env: Env, *, session_id: int, votes: list[Vote]) -> int:
    """无记名投票: one vote per candidate, replacing the expert's earlier one on it. Refused
    whole (nothing changes) when any vote is refused. Answers how many votes were cast."""
    person = env.require_person()
    session = await lock_session(env, session_id, share=True)
    member = await panel_member(env, session)
    env.note_audit("ReviewSession", session.id)
    if session.state is not SessionState.VOTING:
        raise _not_voting(session)
    if not member.present:
        raise RuleViolation(ErrorCode.ABSENT, field="sessionId")
    ids = [v.candidate_id for v in votes]
    if len(set(ids)) != len(ids):
        raise RuleViolation(ErrorCode.DUPLICATE_VOTE, field="votes")
    known = set(await env.session.scalars(select(SessionCandidate.id).where(
        SessionCandidate.session_id == session.id, SessionCandidate.id.in_(ids))))
    if known != set(ids):
        raise RuleViolation(ErrorCode.NOT_FOUND, "所投的申报人不在本次评审会议中", "votes")
    if await recused(env, member.id, ids):
        raise RuleViolation(ErrorCode.RECUSED, field="votes")
    key = ballot_key(env.settings)
    names = [ballot_rules.ballot_key(key, session.id, v.candidate_id, person.id) for v in votes]
    nonces = [secrets.token_bytes(ballot_rules.NONCE_BYTES) for _ in votes]
    sealer = ballot_rules.Sealer(key)
    seals = [sealer.seal(n, nonce, v.choice) for n, nonce, v in zip(names, nonces, votes, strict=True)]
    if votes:
        await env.session.execute(_UPSERT_BALLOTS, {"session": session.id, "candidates": ids, "keys": names,
                                                    "nonces": nonces, "seals": seals})
    # Who has voted: the member, nothing of what or when (no timestamp, no sequence).
    await env.session.execute(text(
        "INSERT INTO ballot_voter (session_id, member_id) VALUES (:s, :m) ON CONFLICT DO NOTHING"),
        {"s": session.id, "m": member.id})
    return len(votes)


async def _tallies(env: Env, session: ReviewSession) -> dict[int, Tally]:
    """Per candidate: the present experts not recused for it, and the opened ballots."""
    recused_present: dict[int, int] = {c: n for c, n in await env.session.execute(
        select(PanelRecusal.candidate_id, func.count())
        .join(PanelMember, PanelMember.id == PanelRecusal.member_id)
        .where(PanelRecusal.session_id == session.id, PanelMember.present.is_(True))
        .group_by(PanelRecusal.candidate_id))}
    sealer = ballot_rules.Sealer(ballot_key(env.settings))
    # One flat Counter over (candidate, choice): the loop runs once per ballot (50,000 in a
    # province's session), so it makes no object per row.
    counts: Counter[tuple[int, VoteChoice]] = Counter()
    rows = (await env.session.execute(text(
        "SELECT candidate_id, ballot_key, nonce, seal FROM ballot WHERE session_id = :s"), {"s": session.id})).all()
    counts.update((candidate_id, sealer.open(name, nonce, sealed)) for candidate_id, name, nonce, sealed in rows)
    present = session.present_count or 0
    candidates = await env.session.scalars(select(SessionCandidate.id).where(SessionCandidate.session_id == session.id))
    return {c: Tally(present=present - recused_present.get(c, 0), agree=counts[(c, VoteChoice.AGREE)],
                     disagree=counts[(c, VoteChoice.DISAGREE)], abstain=counts[(c, VoteChoice.ABSTAIN)])
            for c in candidates}


_RECORD_TALLY = text("""
UPDATE session_candidate c SET present = t.present, agree = t.agree, disagree = t.disagree, abstain = t.abstain,
       passed = t.passed, tallied_at = :now
FROM unnest(CAST(:ids AS bigint[]), CAST(:present AS smallint[]), CAST(:agree AS smallint[]),
            CAST(:disagree AS smallint[]), CAST(:abstain AS smallint[]), CAST(:passed AS boolean[]))
     AS t(id, present, agree, disagree, abstain, passed)
WHERE c.id = t.id
""")

# The candidates' declarations leave IN_REVIEW by the state machine's PASS or FAIL, each with
# its timeline event, in one statement.
_RESULTS = text("""
WITH moved AS (
    UPDATE declaration d SET status = CASE WHEN c.passed THEN :passed_status ELSE :failed_status END, updated_at = :now
    FROM session_candidate c
    WHERE c.session_id = :session AND d.id = c.declaration_id AND d.status = :from_status
    RETURNING d.id, d.status, c.agree, c.present
)
INSERT INTO declaration_event (declaration_id, action, from_status, to_status, actor_account_id, actor_name,
                               reason, at)
SELECT id, CASE WHEN status = :passed_status THEN :pass ELSE :fail END, :from_status, status, :actor, :actor_name,
       :reason, :now
FROM moved ORDER BY id
""")


async def close_ballot(env: Env, *, session_id: int) -> ReviewSession:
    """闭票计票: the tally per candidate (present, agree, disagree, abstain; passed with agree
    ≥ 2/3 of those present), the declarations to PASSED / NOT_PASSED, and the ballots deleted:
    once counted, the individual ballots are kept nowhere."""
    session, _ = await office_session(env, session_id)
    if session.state is not SessionState.VOTING:
        raise _not_voting(session)
    tallies = await _tallies(env, session)
    now = env.clock.now()
    ids = sorted(tallies)
    await env.session.execute(_RECORD_TALLY, {
        "now": now, "ids": ids, "present": [tallies[c].present for c in ids],
        "agree": [tallies[c].agree for c in ids], "disagree": [tallies[c].disagree for c in ids],
        "abstain": [tallies[c].abstain for c in ids], "passed": [tallies[c].passed for c in ids]})
    office = env.require_committee_office()
    await env.session.execute(_RESULTS, {
        "session": session.id, "from_status": S.IN_REVIEW.value, "passed_status": next_state(S.IN_REVIEW, A.PASS).value,
        "failed_status": next_state(S.IN_REVIEW, A.FAIL).value, "pass": A.PASS.value, "fail": A.FAIL.value,
        "actor": office.account_id, "actor_name": actor_name(env), "reason": f"{session.name}闭票计票", "now": now})
    for action in (A.PASS, A.FAIL):
        await feed.session_events_sql(env, session.id, action, S.IN_REVIEW, next_state(S.IN_REVIEW, action), at=now)
    await env.session.execute(text("DELETE FROM ballot WHERE session_id = :s"), {"s": session.id})
    session.state, session.closed_at = SessionState.CLOSED, now
    passed = sum(t.passed for t in tallies.values())
    env.audit.reason = f"candidates={len(ids)} passed={passed}"
    await env.session.flush()
    return session
