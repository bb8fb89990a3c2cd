"""API clients (接口客户端): the province's HR systems, their secrets and access tokens.

Secrets and tokens are 256 random bits made by the server, so they are stored as their
SHA-256 (like login sessions, models.account.AuthSession): a guess costs the attacker 2^256
tries whatever the hash's speed, and a lookup by digest is one index probe on every
request. Argon2 is for passwords people choose, whose few bits a slow hash must protect.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY, CIDR
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column
from rules.scopes import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ApiClient(Base):
    """A registered machine client: what it may do (scopes), where (a region: the province
    or one city), and from which addresses. Deleting keeps the row (audit rows, events and
    exports name it) but ends it for good; disabling can be undone."""

    __tablename__ = "api_client"
    __table_args__ = (
        # Names identify clients to people; two live ones never share one.
        Index("uq_api_client_live_name", func.lower(text("name")), unique=True,
              postgresql_where=text("deleted_at IS NULL")),
    )

    id: Mapped[int] = id_column()
    # The public client_id of the grant (RFC 6749 §2.2): random, so ids reveal no count.
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    # None: from any address; else only from inside one of these networks.
    allowed_networks: Mapped[list[Network] | None] = mapped_column(ARRAY(CIDR))
    created_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]

    @property
    def scope_set(self) -> frozenset[Scope]:
        return frozenset(Scope(s) for s in self.scopes)

    @property
    def live(self) -> bool:
        return self.disabled_at is None and self.deleted_at is None


class ApiClientSecret(Base):
    """One secret of a client. The current one has no `expires_at`; rotating sets the old
    ones' to the end of the overlap, so a fleet of HR servers can switch without a gap."""

    __tablename__ = "api_client_secret"

    id: Mapped[int] = id_column()
    api_client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"), index=True)
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]


class ApiClientToken(Base):
    """A bearer token of the client-credentials grant: an absolute expiry and no idle one (a
    long sync never loses its token half-way), the scopes it was granted. Disabling or
    deleting the client ends its tokens at once (authentication joins the client)."""

    __tablename__ = "api_client_token"

    id: Mapped[int] = id_column()
    api_client_id: Mapped[int] = mapped_column(ForeignKey("api_client.id"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]

    @property
    def scope_set(self) -> frozenset[Scope]:
        return frozenset(Scope(s) for s in self.scopes)
