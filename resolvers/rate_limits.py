"""Charging a request's query cost to its caller's budget: one statement per request.

The UPSERT adds the cost only if it fits (or a new window began), so a refused request
spends nothing and two workers charging at once serialise on the row, never overspend.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from resolvers.env import Env
from rules.rate_limits import Budget, Charge, window_start

_CHARGE = text("""
    INSERT INTO rate_limit_bucket AS b (key, window_start, used) VALUES (:key, :window, :cost)
    ON CONFLICT (key) DO UPDATE
        SET used = CASE WHEN b.window_start = EXCLUDED.window_start THEN b.used + EXCLUDED.used
                        ELSE EXCLUDED.used END,
            window_start = EXCLUDED.window_start
        WHERE b.window_start <> EXCLUDED.window_start OR b.used + EXCLUDED.used <= :limit
    RETURNING used
""")
_USED = text("SELECT used FROM rate_limit_bucket WHERE key = :key AND window_start = :window")


def caller_budget(env: Env) -> tuple[str, Budget] | None:
    """Whose budget a request spends: an API client's, or an anonymous caller's address's;
    None for a logged-in person (see Settings.rate_client_budget)."""
    window = timedelta(seconds=env.settings.rate_window_seconds)
    if env.client is not None:
        return f"client:{env.client.api_client.id}", Budget(env.settings.rate_client_budget, window)
    if env.viewer is None and env.pending is None:
        return f"address:{env.client_address or '-'}", Budget(env.settings.rate_anonymous_budget, window)
    return None


async def charge(env: Env, *, key: str, budget: Budget, cost: int) -> Charge:
    start = window_start(env.clock.now(), budget.window)
    if cost > budget.limit:  # can never fit; the row is left as it is
        used = await env.session.scalar(_USED, {"key": key, "window": start}) or 0
        return Charge(cost, budget, used, start, allowed=False)
    used = await env.session.scalar(_CHARGE, {"key": key, "window": start, "cost": cost, "limit": budget.limit})
    if used is None:
        used = await env.session.scalar(_USED, {"key": key, "window": start}) or 0
        return Charge(cost, budget, used, start, allowed=False)
    return Charge(cost, budget, used, start, allowed=True)
