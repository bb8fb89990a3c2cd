"""What every workflow step runs with: one session (one transaction), the clock, the caller."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.config import Settings
from core.errors import Forbidden, MissingScope, NotAuthenticated, PasswordChangeRequired
from core.security import Passwords
from core.services import AppServices
from models import Account, AccountKind, Admin, ApiClient, Person, Unit
from rules.scopes import Scope

M = TypeVar("M")

_CLIENT_REFUSED = "API 客户端不能调用此操作（仅限个人、单位或管理机构账号）"


@dataclass
class Viewer:
    """The logged-in caller: an account and its one profile."""

    account: Account
    session_id: int
    person: Person | None = None
    unit: Unit | None = None
    admin: Admin | None = None
    touch_due: bool = False  # the session's idle window should be slid forward

    @property
    def kind(self) -> AccountKind:
        return self.account.kind

    @property
    def must_change_password(self) -> bool:
        """Its password was set by an admin (or the first start): see `Env.of`."""
        return self.account.must_change_password


@dataclass
class ClientViewer:
    """An API client (接口客户端) calling with an access token of the client-credentials grant:
    the client and the scopes this token carries (a subset of the client's). It is no person,
    unit or admin: every human step refuses it (`Env.require_viewer`), and what a client may
    read or do asks `Env.require_client(scope)`."""

    api_client: ApiClient
    token_id: int
    scopes: frozenset[Scope]

    @property
    def region_code(self) -> str:
        return self.api_client.region_code


@dataclass
class AuditNote:
    """What a step tells the audit row that the mutation wrapper writes for it: the object it
    acted on, a reason or summary, and whose admins see the row (an admin's decision on a
    unit belongs to the unit's region)."""

    object_type: str | None = None
    object_id: int | None = None
    reason: str | None = None
    region_code: str | None = None
    # A step that answers its refusals item by item (a batch report where nothing could
    # go) commits but is logged as refused.
    success: bool = True


@dataclass
class Env:
    session: AsyncSession
    clock: Clock
    settings: Settings
    passwords: Passwords
    request_id: str
    viewer: Viewer | None = None
    audit: AuditNote = field(default_factory=AuditNote)
    # Where the request came from (rules.throttle.client_address); None off the network.
    client_address: str | None = None
    # A logged-in caller whose password an admin set and who has not changed it yet: it is
    # not `viewer`, so every step and visibility rule treats it as nobody, and the steps
    # that require a login refuse it with PASSWORD_CHANGE_REQUIRED. Only `require_session`
    # (changePassword, logout) and `me` (which reads the request's viewer) accept it.
    pending: Viewer | None = None
    # An API client's token: never `viewer`, so the human steps see nobody and refuse it
    # with FORBIDDEN (require_viewer); `require_client` admits it by scope.
    client: ClientViewer | None = None

    def note_audit(self, object_type: str, object_id: int | None, *, reason: str | None = None,
                   region_code: str | None = None, success: bool = True) -> None:
        """Name the object this step acts on (and why) for its audit row."""
        self.audit = AuditNote(object_type, object_id, reason, region_code, success)

    @classmethod
    def of(cls, services: AppServices, session: AsyncSession, *, request_id: str,
           viewer: Viewer | ClientViewer | None = None, client_address: str | None = None) -> Env:
        """The one way an Env is made: a request's, the download route's, the command line's.

        This is also the one place a session that must change its password is fenced off
        (an admin who reset the password knows it; until the owner chooses a new one, that
        login may change the password, log out and read `me`, nothing else)."""
        pending = None
        client = viewer if isinstance(viewer, ClientViewer) else None
        person = viewer if isinstance(viewer, Viewer) else None
        if person is not None and person.must_change_password:
            person, pending = None, person
        return cls(session=session, clock=services.clock, settings=services.settings,
                   passwords=services.passwords, request_id=request_id, viewer=person,
                   client_address=client_address, pending=pending, client=client)

    def acting_as(self, viewer: Viewer | None) -> Env:
        """The same session and transaction, on behalf of another caller."""
        return replace(self, viewer=viewer)

    async def release_connection(self) -> None:
        """End the step's transaction so far, which must have only read, and give its
        connection back to the pool; the next statement starts a new transaction. Only for
        a step that must wait on slow CPU work (a password hash) between reading and writing."""
        if self.session.new or self.session.dirty or self.session.deleted:
            raise RuntimeError("release_connection() with unwritten changes")
        await self.session.commit()

    async def referenced(self, model: type[M], ident: Any, *, lock: bool = False,
                         populate_existing: bool = False) -> M:
        """The row a foreign key (or a row already read in this step) points at. Such rows
        (units, accounts, permission rounds) are never deleted, so a miss is a broken
        database, not something the client can cause or be told about."""
        row = await self.session.get(model, ident, with_for_update=lock, populate_existing=populate_existing)
        if row is None:
            raise LookupError(f"{model.__name__} {ident!r} is referenced but does not exist")
        return row

    def require_viewer(self) -> Viewer:
        if self.viewer is None:
            if self.client is not None:
                raise Forbidden(_CLIENT_REFUSED)
            raise PasswordChangeRequired() if self.pending is not None else NotAuthenticated()
        return self.viewer

    def refuse_client(self) -> None:
        """For the steps open to anybody (registration, login): not to an API client."""
        if self.client is not None:
            raise Forbidden(_CLIENT_REFUSED)

    def require_client(self, *scopes: Scope) -> ClientViewer:
        """An API client whose token carries every one of `scopes`; anyone else, or a token
        without one of them, is refused at the top level (UNAUTHENTICATED / FORBIDDEN)."""
        if self.client is None:
            if self.viewer is None and self.pending is None:
                raise NotAuthenticated("请提供 API 客户端的访问令牌")
            raise Forbidden("此操作仅限 API 客户端")
        missing = [s.value for s in scopes if s not in self.client.scopes]
        if missing:
            raise MissingScope(missing)
        return self.client

    def require_session(self) -> Viewer:
        """Any logged-in caller, one that must change its password included: for the steps
        it may take (changePassword, logout)."""
        if self.pending is not None:
            return self.pending
        return self.require_viewer()

    def require_person(self) -> Person:
        viewer = self.require_viewer()
        if viewer.person is None:
            raise Forbidden("此操作仅限个人账号")
        return viewer.person

    def require_unit(self) -> Unit:
        viewer = self.require_viewer()
        if viewer.unit is None:
            raise Forbidden("此操作仅限单位账号")
        return viewer.unit

    def require_admin(self) -> Admin:
        viewer = self.require_viewer()
        if viewer.admin is None:
            raise Forbidden("此操作仅限职称管理机构账号")
        return viewer.admin
