"""单位权限申请 (2.2): the application a unit fills, each submitted round, the code registry,
and the indexes behind unit search (工作单位模糊查询).

Unit search index strategy (see `resolvers.units.search_units`):
- terms of 3+ characters: `name LIKE '%term%'` served by a pg_trgm GIN index on `unit.name`;
- terms of 1–2 characters get no trigram help, so a GIN index on the expression
  `unit_name_grams(name)` (an IMMUTABLE SQL function, migration 0002, returning every
  1- and 2-character substring of the name) answers `unit_name_grams(name) @> ARRAY[term]`.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.account import PermissionStatus, Unit
from models.base import Base, id_column, str_enum


class UnitType(str, enum.Enum):
    """单位性质。"""

    ENTERPRISE = "ENTERPRISE"
    INSTITUTION = "INSTITUTION"
    GOVERNMENT = "GOVERNMENT"
    SOCIAL_ORGANIZATION = "SOCIAL_ORGANIZATION"
    OTHER = "OTHER"


class CodeCheck(str, enum.Enum):
    """Outcome of the automatic 统一社会信用代码 check at submission."""

    PASSED = "PASSED"  # check digit right; registry agrees or none is loaded
    NO_CODE = "NO_CODE"  # the unit has no code (manual review only)
    CHECK_DIGIT = "CHECK_DIGIT"  # GB 32100 check digit wrong
    NOT_IN_REGISTRY = "NOT_IN_REGISTRY"  # a registry is loaded and lacks the code
    NAME_MISMATCH = "NAME_MISMATCH"  # the registry has the code under another name


class PermissionDecision(str, enum.Enum):
    APPROVED = "APPROVED"
    APPROVED_MANUALLY = "APPROVED_MANUALLY"  # 人工审核通过 despite a failed code check
    REJECTED = "REJECTED"


# Unit search indexes, declared here (not in models.account) because search belongs to this area.
Index("ix_unit_name_trgm", Unit.name, postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"})
Index("ix_unit_name_grams", func.unit_name_grams(Unit.name), postgresql_using="gin")
Index("ix_unit_permitted_name", Unit.permission_status, Unit.name, Unit.id)


class PermissionApplication(Base):
    """The unit's one application (职称申报权限申请); editable until submitted, again after a rejection."""

    __tablename__ = "permission_application"

    id: Mapped[int] = id_column()
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), unique=True)
    status: Mapped[PermissionStatus] = mapped_column(str_enum(PermissionStatus, "permission_status"))
    name: Mapped[str] = mapped_column(String(100))
    uscc: Mapped[str | None] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    unit_type: Mapped[UnitType] = mapped_column(str_enum(UnitType, "unit_type"))
    supervisor_name: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str] = mapped_column(String(20))
    manual_review_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    manual_review_reason: Mapped[str | None] = mapped_column(Text)
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]


class PermissionRound(Base):
    """One submission and its decision, kept forever (the history the unit and admin see)."""

    __tablename__ = "permission_round"
    __table_args__ = (Index("ix_permission_round_application", "application_id", "round", unique=True),)

    id: Mapped[int] = id_column()
    application_id: Mapped[int] = mapped_column(ForeignKey("permission_application.id"))
    round: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSONB)  # what was submitted, frozen
    code_check: Mapped[CodeCheck] = mapped_column(str_enum(CodeCheck, "code_check"))
    registry_name: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime]
    decision: Mapped[PermissionDecision | None] = mapped_column(str_enum(PermissionDecision, "permission_decision"))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("admin.id"))
    decided_at: Mapped[datetime | None]


class RegistryEntry(Base):
    """A row of the official code registry the title office loads (`zhicheng load-registry`)."""

    __tablename__ = "uscc_registry"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class RegistryLoad(Base):
    """One replacement of the code registry: when, by whom (None: the server's command line),
    how many entries. The newest row describes the registry in force (`registryStatus`)."""

    __tablename__ = "registry_load"

    id: Mapped[int] = id_column()
    loaded_at: Mapped[datetime]
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    entries: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str | None] = mapped_column(String(255))
