"""Who is calling: the bearer token of a request, resolved to a viewer."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from core.services import AppServices
from resolvers import accounts, api_clients
from resolvers.env import ClientViewer, Env, Viewer
from rules.scopes import is_client_token


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate_on(session: AsyncSession, services: AppServices, token: str, *,
                          client_address: str | None = None) -> Viewer | ClientViewer | None:
    """Resolve a bearer token on the request's own session (one statement, one pooled
    connection per request): a login's, or an API client's (its prefix says which, so
    neither costs the other a lookup; a client's is refused outside its allowed networks).
    The viewer's rows are detached afterwards, so they stay readable whatever the request's
    transactions do later; a due refresh of a login's idle window is committed at once."""
    env = Env.of(services, session, request_id="auth", client_address=client_address)
    if is_client_token(token):
        client = await api_clients.authenticate(env, token)
        session.expunge_all()
        return client
    viewer = await accounts.authenticate(env, token)
    if viewer is not None and viewer.touch_due:
        await accounts.touch_session(env, viewer)
        await session.commit()
    session.expunge_all()
    return viewer
