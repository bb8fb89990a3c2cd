"""评审's pure rules: terms, levels, panel sizes, quorum, the pass mark, the draw, the ballot."""

from __future__ import annotations

import secrets
from datetime import date

import pytest

from core.ballot_key import BallotKeyError, ballot_key
from core.config import Settings
from rules import ballot, committee, panel_draw
from rules.catalog import TitleLevel
from rules.errors import RuleViolation

L = TitleLevel


def test_a_term_is_at_most_three_years():
    committee.check_term(date(2025, 1, 1), date(2027, 12, 31))
    committee.check_term(date(2024, 2, 29), date(2027, 2, 27))
    for start, end in ((date(2025, 1, 1), date(2028, 1, 1)), (date(2025, 1, 1), date(2025, 1, 1)),
                       (date(2024, 2, 29), date(2027, 2, 28))):
        with pytest.raises(RuleViolation) as refused:
            committee.check_term(start, end)
        assert refused.value.code.value == "EXPERT_TERM_INVALID"


def test_an_expert_judges_their_level_and_below():
    assert committee.may_judge(L.SENIOR, L.ASSOCIATE_SENIOR) and committee.may_judge(L.INTERMEDIATE, L.INTERMEDIATE)
    assert not committee.may_judge(L.INTERMEDIATE, L.ASSOCIATE_SENIOR)


def test_panel_sizes_are_odd_and_at_least_the_regulations():
    settings = Settings()
    assert (settings.review_panel_size_senior, settings.review_panel_size) == (25, 11)
    committee.check_panel_size(25, 25)
    for size in (24, 23, 2):
        with pytest.raises(RuleViolation):
            committee.check_panel_size(size, 25 if size > 3 else 3)


def test_quorum_and_the_pass_mark_are_two_thirds():
    assert committee.two_thirds(25) == 17 and committee.two_thirds(3) == 2 and committee.two_thirds(11) == 8
    assert committee.quorate(17, 25) and not committee.quorate(16, 25)
    assert committee.Tally(present=25, agree=17, disagree=8, abstain=0).passed
    assert not committee.Tally(present=25, agree=16, disagree=0, abstain=9).passed  # 16 < 16.67
    assert committee.Tally(present=24, agree=16, disagree=8, abstain=0).passed  # exactly 2/3
    assert not committee.Tally(present=0, agree=0, disagree=0, abstain=0).passed


def test_groups_have_at_least_three_experts():
    for panel in (3, 5, 7, 11, 25, 27):
        groups = committee.group_count(panel, 5)
        sizes = [sum(1 for i in range(panel) if committee.group_of(i, groups) == g) for g in range(1, groups + 1)]
        assert min(sizes) >= committee.MIN_GROUP_SIZE and sum(sizes) == panel
    assert committee.group_count(25, 5) == 5


def _pool(n: int, unit_of=lambda i: 1000 + i) -> list[panel_draw.EligibleExpert]:
    return [panel_draw.EligibleExpert(i, unit_of(i)) for i in range(1, n + 1)]


def test_the_draw_is_a_function_of_its_seed_and_input():
    seed = secrets.token_bytes(32)
    candidates = [panel_draw.Candidate(c, 1) for c in range(1, 40)]
    first = panel_draw.draw(seed, _pool(60), candidates, 25, 5)
    again = panel_draw.draw(seed, list(reversed(_pool(60))), candidates, 25, 5)
    assert first.members == again.members and first.candidate_groups == again.candidate_groups
    assert len(set(first.members)) == 25
    other = panel_draw.draw(secrets.token_bytes(32), _pool(60), candidates, 25, 5)
    assert other.members != first.members  # 60 choose 25 orderings: equal only by a miracle


def test_the_draw_keeps_a_quorate_panel_for_every_candidate():
    # 10 of 30 experts share the candidate's unit; at most 25 − 17 = 8 of them may sit.
    pool = _pool(30, unit_of=lambda i: 7 if i <= 10 else 1000 + i)
    drawn = panel_draw.draw(secrets.token_bytes(32), pool, [panel_draw.Candidate(1, 7)], 25, 5)
    assert len(drawn.recusals.get(1, {})) <= committee.max_recused(25) == 8
    assert all(reason == "SAME_UNIT" for reason in drawn.recusals.get(1, {}).values())
    with pytest.raises(panel_draw.NotEnoughExperts) as short:
        panel_draw.draw(secrets.token_bytes(32), pool[:26], [panel_draw.Candidate(1, 7)], 25, 5)
    assert short.value.drawn == 16 + 8


def test_declared_conflicts_recuse_like_a_shared_unit():
    pool = [panel_draw.EligibleExpert(1, 100, frozenset({5})), *_pool(3)[1:]]  # all 3 are drawn
    drawn = panel_draw.draw(bytes(32), pool, [panel_draw.Candidate(5, 9)], 3, 3)
    assert sorted(drawn.members) == [1, 2, 3] and drawn.recusals == {5: {1: "CONFLICT"}}


def test_a_seal_opens_only_with_its_key_and_hides_equal_choices():
    key, other = secrets.token_bytes(32), secrets.token_bytes(32)
    name = ballot.ballot_key(key, 1, 2, 3)
    assert name != ballot.ballot_key(key, 1, 3, 3)  # one expert's ballots are not even grouped
    n1, n2 = secrets.token_bytes(16), secrets.token_bytes(16)
    s1, s2 = ballot.seal(key, name, n1, ballot.VoteChoice.AGREE), ballot.seal(key, name, n2, ballot.VoteChoice.AGREE)
    assert s1 != s2
    assert ballot.open_seal(key, name, n1, s1) is ballot.VoteChoice.AGREE
    with pytest.raises(ValueError):
        ballot.open_seal(other, name, n1, s1)


def test_the_ballot_key_comes_from_the_setting_or_a_private_file(tmp_path):
    hexkey = "ab" * 32
    assert ballot_key(Settings(ballot_key=hexkey, data_dir=tmp_path)) == bytes.fromhex(hexkey)
    with pytest.raises(BallotKeyError):
        ballot_key(Settings(ballot_key="abcd", data_dir=tmp_path))
    made = ballot_key(Settings(data_dir=tmp_path))
    assert len(made) == 32 and ballot_key(Settings(data_dir=tmp_path)) == made
    assert (tmp_path / "ballot.key").stat().st_mode & 0o777 == 0o600
