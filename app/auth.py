"""Who is calling: the bearer token of a request, resolved to a viewer."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from core.services import AppServices
from resolvers import accounts, api_clients
from resolvers.env import ClientViewer, Env, Viewer
from rules.scopes import is_client_token

#: A session's connection outside any transaction (each statement its own).
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def authenticate_on(session: AsyncSession, services: AppServices, token: str, *,
                          client_address: str | None = None) -> Viewer | ClientViewer | None:
    """Resolve a bearer token on the request's own session (one statement, one pooled
    connection per request): a login's, or an API client's (its prefix says which, so
    neither costs the other a lookup; a client's is refused outside its allowed networks).
    A login's rows come back as records (resolvers.rows), a client's are detached afterwards:
    either way they stay readable whatever the request's transactions do later; a due
    refresh of a login's idle window is committed at once.

    On a fresh session the lookup runs in autocommit: one statement (and a due refresh, one
    more) needs no transaction, and a BEGIN and a ROLLBACK would be two of the four round
    trips of a compiled trusted document. The session hands the connection back after it,
    so the request's own work begins its transaction as ever."""
    release = not session.in_transaction()
    if release:
        await session.connection(execution_options=AUTOCOMMIT)
    env = Env.of(services, session, request_id="auth", client_address=client_address)
    caller: Viewer | ClientViewer | None
    if is_client_token(token):
        caller = await api_clients.authenticate(env, token)
    else:
        caller = await accounts.authenticate(env, token)
        if caller is not None and caller.touch_due:
            await accounts.touch_session(env, caller)
            release = True
    if release:
        await session.commit()
    session.expunge_all()
    return caller
