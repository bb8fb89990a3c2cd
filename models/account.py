"""Accounts and their profiles: persons (个人), units (单位), admins (职称管理机构); login sessions."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, id_column, str_enum
from rules.identity import Sex


class AccountKind(str, enum.Enum):
    PERSON = "PERSON"
    UNIT = "UNIT"
    ADMIN = "ADMIN"
    COMMITTEE_OFFICE = "COMMITTEE_OFFICE"  # 评委会办事机构 (models.committee_stage.CommitteeOffice)


class PermissionStatus(str, enum.Enum):
    """Where a unit stands with its 职称申报权限 (permission to take part)."""

    NOT_APPLIED = "NOT_APPLIED"
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class Account(Base):
    __tablename__ = "account"
    __table_args__ = (
        # Login names are matched case-insensitively, so uniqueness is too.
        Index("uq_account_login_name_lower", func.lower(text("login_name")), unique=True),
    )

    id: Mapped[int] = id_column()
    kind: Mapped[AccountKind] = mapped_column(str_enum(AccountKind, "account_kind"))
    login_name: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime]
    password_changed_at: Mapped[datetime]
    # Set when someone other than the owner chose the password (an initial or a reset one,
    # handed over out of band): until the owner changes it, a login succeeds but the session
    # may only change the password, log out and read `me` (resolvers.env.Env.of).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A disabled account cannot log in and its sessions are ended; only admins are disabled
    # (disableAdmin), but the flag lives here, on the row login and authentication read.
    disabled_at: Mapped[datetime | None]


class Person(Base):
    """个人: an applicant. Name and ID number are fixed after registration."""

    __tablename__ = "person"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), unique=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[Sex] = mapped_column(str_enum(Sex, "sex"))
    mobile: Mapped[str] = mapped_column(String(11))


class Unit(Base):
    """单位: an employer, a 主管部门 or a 呈报部门; one account each."""

    __tablename__ = "unit"
    __table_args__ = (
        # A unit may lack a code (manual review), but two units never share one.
        Index("uq_unit_uscc", "uscc", unique=True, postgresql_where=text("uscc IS NOT NULL")),
        # A unit without a code says why (手册 2.2 note 4: it goes to 人工审核).
        CheckConstraint("uscc IS NOT NULL OR no_code_reason IS NOT NULL", name="no_code_reason_without_code"),
    )

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    uscc: Mapped[str | None] = mapped_column(String(18))
    # Why the unit has neither a 统一社会信用代码 nor a 组织机构代码 (registered without one).
    no_code_reason: Mapped[str | None] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_mobile: Mapped[str] = mapped_column(String(11))
    permission_status: Mapped[PermissionStatus] = mapped_column(
        str_enum(PermissionStatus, "permission_status"),
        default=PermissionStatus.NOT_APPLIED,
        server_default=PermissionStatus.NOT_APPLIED.value,
    )
    created_at: Mapped[datetime]

    @property
    def is_permitted(self) -> bool:
        return self.permission_status is PermissionStatus.APPROVED


class Admin(Base):
    """职称管理机构 staff, scoped to the province (370000) or one city."""

    __tablename__ = "admin"

    id: Mapped[int] = id_column()
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    name: Mapped[str] = mapped_column(String(50))


class AuthSession(Base):
    """A login. Only the SHA-256 of the token is stored, so a database leak yields no sessions."""

    __tablename__ = "auth_session"

    id: Mapped[int] = id_column()
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed logins counted under one key (rules/throttle.py): `account:<id>`, `login:<hmac>`
    for a login that names no account, `address:<ip>`. In PostgreSQL, not in a worker's
    memory, so every worker and host sees the same counts. A key with no failure for a day
    is forgotten (rules.throttle.after_failure), so stale rows are harmless."""

    __tablename__ = "login_throttle"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_non_negative"),)

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime]
    blocked_until: Mapped[datetime | None]


class ServerKey(Base):
    """Secrets of the installation, made at migration time and never served: `login` keys
    the HMAC that stands in for what was typed into a login that names no account."""

    __tablename__ = "server_key"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary(32))
