"""Who is calling: the bearer token of a request, resolved to a viewer."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from core.services import AppServices
from resolvers import accounts
from resolvers.env import Env, Viewer


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate_on(session: AsyncSession, services: AppServices, token: str) -> Viewer | None:
    """Resolve a bearer token on the request's own session (one statement, one pooled
    connection per request). The viewer's rows are detached afterwards, so they stay
    readable whatever the request's transactions do later; a due refresh of the idle
    window is committed at once."""
    env = Env.of(services, session, request_id="auth")
    viewer = await accounts.authenticate(env, token)
    if viewer is not None and viewer.touch_due:
        await accounts.touch_session(env, viewer)
        await session.commit()
    session.expunge_all()
    return viewer
