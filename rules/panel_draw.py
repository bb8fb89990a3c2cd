"""随机抽取评审专家: the draw as a pure function of a recorded seed and what it was drawn from.

Each eligible expert gets the rank HMAC-SHA256(seed, "expert:<id>"): the draw walks the
experts in that order and takes each one unless that would recuse too many of the panel
for some candidate (`rules.committee.max_recused`). Nothing else is random, and nothing
depends on a library's random generator, so anyone given the seed, the eligible experts
(ids, units) and the declared conflicts can recompute the panel, in any language.

Recusal (回避) is per candidate, not per panel: an expert of a candidate's work unit, or
with a conflict declared against the candidate, sits on the panel but neither votes on nor
writes the opinion for that candidate.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rules.committee import group_count, group_of, max_recused


@dataclass(frozen=True)
class EligibleExpert:
    expert_id: int
    unit_id: int
    # Declared conflicts (回避): candidate ids (session candidates) this expert may not judge.
    conflicts: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Candidate:
    candidate_id: int
    work_unit_id: int


@dataclass
class Draw:
    """The panel in draw order, each member's group, each candidate's group, and the
    recusals (candidate id → {expert id: reason})."""

    members: list[int]
    member_groups: dict[int, int]
    candidate_groups: dict[int, int]
    recusals: dict[int, dict[int, str]] = field(default_factory=dict)


class NotEnoughExperts(Exception):
    def __init__(self, drawn: int) -> None:
        self.drawn = drawn
        super().__init__(f"only {drawn} experts could be drawn")


def rank(seed: bytes, expert_id: int) -> bytes:
    return hmac.new(seed, f"expert:{expert_id}".encode(), hashlib.sha256).digest()


def _recusals(expert: EligibleExpert, candidates: Iterable[Candidate]) -> dict[int, str]:
    out: dict[int, str] = {}
    for c in candidates:
        if c.work_unit_id == expert.unit_id:
            out[c.candidate_id] = "SAME_UNIT"
        elif c.candidate_id in expert.conflicts:
            out[c.candidate_id] = "CONFLICT"
    return out


def draw(seed: bytes, eligible: Iterable[EligibleExpert], candidates: list[Candidate], panel_size: int,
         group_size: int) -> Draw:
    """The panel drawn with `seed`; NotEnoughExperts when the eligible ones run out."""
    order = sorted(eligible, key=lambda e: (rank(seed, e.expert_id), e.expert_id))
    limit = max_recused(panel_size)
    recused_count: dict[int, int] = {}
    members: list[int] = []
    recusals: dict[int, dict[int, str]] = {}
    for expert in order:
        if len(members) == panel_size:
            break
        own = _recusals(expert, candidates)
        if any(recused_count.get(c, 0) >= limit for c in own):
            continue  # would leave a candidate without a quorate panel of its own
        members.append(expert.expert_id)
        for candidate_id, reason in own.items():
            recused_count[candidate_id] = recused_count.get(candidate_id, 0) + 1
            recusals.setdefault(candidate_id, {})[expert.expert_id] = reason
    if len(members) < panel_size:
        raise NotEnoughExperts(len(members))
    groups = group_count(panel_size, group_size)
    ordered = sorted(c.candidate_id for c in candidates)
    return Draw(members=members,
                member_groups={m: group_of(i, groups) for i, m in enumerate(members)},
                candidate_groups={c: group_of(i, groups) for i, c in enumerate(ordered)},
                recusals=recusals)


def conflicts_by_expert(pairs: Iterable[tuple[int, int]]) -> Mapping[int, frozenset[int]]:
    """(expert id, candidate id) pairs → each expert's conflicts."""
    out: dict[int, set[int]] = {}
    for expert_id, candidate_id in pairs:
        out.setdefault(expert_id, set()).add(candidate_id)
    return {e: frozenset(c) for e, c in out.items()}
