"""Rate limits by query cost (issue 15): fixed windows and the IETF RateLimit headers.

Pure: the clock is passed in. A caller has a budget of cost per window (windows are aligned
to the epoch, so every worker agrees on them without talking); a request whose cost does
not fit in what is left is refused whole and spends nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["POLICY", "Budget", "Charge", "window_start"]

#: The policy's name in the headers (draft-ietf-httpapi-ratelimit-headers).
POLICY = "cost"


@dataclass(frozen=True)
class Budget:
    limit: int
    window: timedelta


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window `now` is in."""
    seconds = window.total_seconds()
    return datetime.fromtimestamp(math.floor(now.timestamp() / seconds) * seconds, UTC)


@dataclass(frozen=True)
class Charge:
    """What a request cost and what is left of the caller's budget."""

    cost: int
    budget: Budget
    used: int  # in the window, this request included when allowed
    window_start: datetime
    allowed: bool

    @property
    def remaining(self) -> int:
        return max(0, self.budget.limit - self.used)

    @property
    def reset_at(self) -> datetime:
        return self.window_start + self.budget.window

    def reset_seconds(self, now: datetime) -> int:
        """Whole seconds until the window ends (at least 1: a client waits, then retries)."""
        return max(1, math.ceil((self.reset_at - now).total_seconds()))

    def headers(self, now: datetime) -> dict[str, str]:
        """RateLimit-Policy and RateLimit (structured fields, draft -09), and Retry-After
        when refused."""
        out = {
            "RateLimit-Policy": f'"{POLICY}";q={self.budget.limit};w={int(self.budget.window.total_seconds())}',
            "RateLimit": f'"{POLICY}";r={self.remaining};t={self.reset_seconds(now)}',
        }
        if not self.allowed:
            out["Retry-After"] = str(self.reset_seconds(now))
        return out
