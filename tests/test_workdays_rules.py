"""工作日 (rules/workdays.py): China's official calendar with its adjusted workdays, and the
end of a 单位公示 counted from the day after it started."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from rules.errors import ErrorCode
from rules.workdays import BEIJING, WorkCalendarUnknown, add_working_days, is_working_day, publicity_end


def test_national_day_2025_holiday_and_adjusted_workdays():
    # The State Council's 2025 notice: Oct 1–8 off; Sunday Sep 28 and Saturday Oct 11 are workdays.
    assert is_working_day(date(2025, 9, 28)) and is_working_day(date(2025, 10, 11))
    assert not any(is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert not is_working_day(date(2025, 9, 27)) and not is_working_day(date(2025, 10, 12))


def test_the_start_day_does_not_count():
    # Monday 2026-03-02 → Tuesday … Monday: five working days after it end on 2026-03-09.
    assert add_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)
    assert add_working_days(date(2026, 3, 2), 1) == date(2026, 3, 3)
    assert add_working_days(date(2026, 3, 2), 0) == date(2026, 3, 2)


def test_five_working_days_across_the_2025_national_day_week():
    # From Friday Sep 26: Sep 28 (adjusted Sunday), 29, 30, then Oct 9, 10.
    assert add_working_days(date(2025, 9, 26), 5) == date(2025, 10, 10)
    # From Sep 30: Oct 9, 10, 11 (adjusted Saturday), 13, 14.
    assert add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)
    # Started inside the holiday: counting begins after it.
    assert add_working_days(date(2025, 10, 3), 3) == date(2025, 10, 11)


def test_publicity_end_is_beijing_midnight_after_the_last_day():
    # 2025-09-26 20:00 UTC is already Saturday 27 in Beijing: 28, 29, 30, Oct 9, 10.
    last, ended = publicity_end(datetime(2025, 9, 26, 20, 0, tzinfo=UTC), 5)
    assert last == date(2025, 10, 10)
    assert ended == datetime(2025, 10, 11, 0, 0, tzinfo=BEIJING)
    # Zero days (a demonstration setting) has ended at once.
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert publicity_end(start, 0) == (date(2026, 3, 2), start)


def test_an_unknown_year_fails_loudly_with_a_typed_error():
    with pytest.raises(WorkCalendarUnknown) as caught:
        add_working_days(date(2099, 1, 1), 5)
    assert caught.value.year == 2099 and caught.value.code is ErrorCode.CALENDAR_YEAR_UNKNOWN
    assert "2099" in caught.value.message
    # A count that runs off the end of the known calendar fails the same way (not Monday–Friday).
    with pytest.raises(WorkCalendarUnknown) as caught:
        add_working_days(date(2026, 12, 28), 5)
    assert caught.value.year == 2027


def test_negative_counts_are_a_programming_error():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1)
