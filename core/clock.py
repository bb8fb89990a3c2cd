"""Time comes from one injectable clock so expiry and lockout are testable without sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Protocol

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 3, 1, 1, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


def china_today(clock: Clock) -> date:
    """Today's date in Beijing by `clock`: what deadlines, publicity and integrity periods are
    judged against."""
    return clock.now().astimezone(CHINA_TZ).date()


def china_time(moment: datetime) -> str:
    """A moment as people in the province read it: 2026-03-01 09:00 (北京时间)."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
