"""评审 rules with no I/O: experts' terms and levels, panel sizes, groups, quorum and the
pass mark (人社部令第40号: secret ballot, agree ≥ 2/3 of the experts present).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from rules.catalog import LEVEL_RANK_HIGHEST_FIRST, TitleLevel
from rules.errors import ErrorCode, RuleViolation

#: An expert's term (聘期) is at most 3 years: the last day is before the third anniversary.
MAX_TERM_YEARS = 3
#: An opinion group (评议组) has at least this many experts.
MIN_GROUP_SIZE = 3


def _anniversary(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_term(start: date, end: date, *, field: str = "termEnd") -> None:
    """A term runs from `start` to its last day `end`, inclusive, at most 3 years."""
    if end <= start:
        raise RuleViolation(ErrorCode.EXPERT_TERM_INVALID, "聘期结束日须晚于开始日", field)
    if end >= _anniversary(start, MAX_TERM_YEARS):
        raise RuleViolation(ErrorCode.EXPERT_TERM_INVALID, "专家聘期最长3年", field)


def may_judge(held: TitleLevel, judged: TitleLevel) -> bool:
    """An expert judges only levels at or below the title they hold."""
    return LEVEL_RANK_HIGHEST_FIRST[held] <= LEVEL_RANK_HIGHEST_FIRST[judged]


def is_senior(level: TitleLevel) -> bool:
    """正高级 and 副高级: the levels whose committees sit with the larger panels."""
    return LEVEL_RANK_HIGHEST_FIRST[level] <= LEVEL_RANK_HIGHEST_FIRST[TitleLevel.ASSOCIATE_SENIOR]


def check_panel_size(size: int, minimum: int, *, field: str = "panelSize") -> None:
    """Odd (a ballot of the whole panel cannot tie on the panel's size) and at least the
    regulation's minimum for the level."""
    if size % 2 == 0 or size < max(minimum, MIN_GROUP_SIZE):
        raise RuleViolation(ErrorCode.PANEL_SIZE_INVALID,
                            f"评审专家人数须为不少于{max(minimum, MIN_GROUP_SIZE)}的奇数", field)


def two_thirds(n: int) -> int:
    """The least whole number ≥ 2/3 of n."""
    return math.ceil(2 * n / 3)


def quorate(present: int, panel_size: int) -> bool:
    """The meeting may vote with at least 2/3 of the panel present."""
    return present >= two_thirds(panel_size)


def group_count(panel_size: int, group_size: int) -> int:
    """评议组 of about `group_size` experts, never fewer than 3 in a group."""
    return max(1, panel_size // max(MIN_GROUP_SIZE, group_size))


def group_of(position: int, groups: int) -> int:
    """The group (from 1) of the `position`-th (from 0) in a round-robin deal."""
    return position % groups + 1


@dataclass(frozen=True)
class Tally:
    """计票 for one candidate. `present` counts the experts present and not recused for this
    candidate: a recused expert may not vote, so counting them would make recusal a no; an
    expert present who casts no vote does count (the mark is of those present)."""

    present: int
    agree: int
    disagree: int
    abstain: int

    @property
    def passed(self) -> bool:
        return self.present > 0 and 3 * self.agree >= 2 * self.present


def max_recused(panel_size: int) -> int:
    """The most experts of a panel that may be recused for one candidate: enough stay to make
    a quorate meeting for them (2/3 of the panel) even if every recused one is present."""
    return panel_size - two_thirds(panel_size)
