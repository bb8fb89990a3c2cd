"""工作日: working days by China's official calendar, and when a 单位公示 ends.

The calendar is the State Council's yearly holiday notice (法定节假日 plus 调休: some
weekends are working days, some weekdays are not), as shipped year by year by the
`chinesecalendar` package. A year the package does not know (the notice for a year is
published around November of the year before) is refused loudly with
`WorkCalendarUnknown`: guessing Monday–Friday would end a publicity inside a holiday week.

Counting: a publicity of N working days started on day D (Beijing date) runs through the
Nth working day *after* D — D itself does not count, as for any period counted in days
(民法典 第二百零一条: 开始的当日不计入). It has ended from 00:00 (Beijing) of the day after that
last working day. Started on a Friday before the 2025 National Day week, 5 working days are
Sep 28 (an adjusted Sunday workday), Sep 29, Sep 30, Oct 9 and Oct 10.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import chinese_calendar

from rules.errors import ErrorCode, RuleViolation

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


class WorkCalendarUnknown(RuleViolation):
    """The calendar of `year` is not known (yet): no working day can be counted in it."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(ErrorCode.CALENDAR_YEAR_UNKNOWN,
                         f"工作日历尚未收录{year}年的节假日安排，无法计算工作日，请升级日历数据后再试")


def is_working_day(day: date) -> bool:
    """A working day by the official calendar (adjusted weekend workdays included)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # the package's "no available data for year …"
        raise WorkCalendarUnknown(day.year) from None


def add_working_days(start: date, n: int) -> date:
    """The Nth working day after `start` (`start` itself not counted); `start` for n = 0."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def beijing_date(moment: datetime) -> date:
    return moment.astimezone(BEIJING).date()


def publicity_end(started_at: datetime, working_days: int) -> tuple[date, datetime]:
    """(last day of the publicity, the moment it has ended) for a publicity started at
    `started_at` for `working_days`. Zero working days (a deployment that sets the minimum to 0
    for a demonstration) ends at once."""
    last_day = add_working_days(beijing_date(started_at), working_days)
    if working_days == 0:
        return last_day, started_at
    return last_day, datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=BEIJING)
