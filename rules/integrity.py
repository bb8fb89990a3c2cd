"""职称诚信档案: who may not declare, for how long, and what they are told.

Pure rules; the caller passes today's date (Beijing time). 人社部令第40号 art. 43: an
applicant who falsified materials is recorded in the title integrity archive and may not
declare for three years; other entries carry the period the title office sets.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

from rules.errors import ErrorCode, RuleViolation

#: Years an entry for falsified materials lasts unless the title office sets another end.
FALSIFIED_MATERIALS_YEARS = 3


class IntegrityCategory(str, enum.Enum):
    FALSIFIED_MATERIALS = "FALSIFIED_MATERIALS"  # 弄虚作假（材料造假）
    OTHER = "OTHER"  # 其他失信行为


def years_later(start: date, years: int) -> date:
    """The same calendar day `years` later (29 February → 28 February in a common year)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def check_period(category: IntegrityCategory, starts_on: date, ends_on: date | None) -> date:
    """The last day the entry is in force: as given, or for falsified materials three years
    from `starts_on` (its last day is the day before the anniversary). OTHER needs an end;
    an end before the start is refused."""
    if ends_on is None:
        if category is not IntegrityCategory.FALSIFIED_MATERIALS:
            raise RuleViolation(ErrorCode.FIELD_REQUIRED, "请填写诚信档案的截止日期", "endsOn")
        return years_later(starts_on, FALSIFIED_MATERIALS_YEARS) - timedelta(days=1)
    if ends_on < starts_on:
        raise RuleViolation(ErrorCode.DATE_ORDER, "截止日期不能早于今天", "endsOn")
    return ends_on


def in_force(starts_on: date, ends_on: date, today: date) -> bool:
    return starts_on <= today <= ends_on


def listed_message(reason: str, ends_on: date) -> str:
    """What the refused applicant reads: why, and until when."""
    return f"您已记入职称诚信档案（{reason}），{ends_on.isoformat()}（含）前不得申报职称"
