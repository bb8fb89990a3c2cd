"""SQLAlchemy 2 tables, one module per aggregate. Import this package to register them all."""

from models.base import Base
from models.reference import CatalogSeries, CatalogSpecialty, CatalogTitle, Region
from models.account import Account, AccountKind, Admin, AuthSession, Person, Unit, PermissionStatus
from models.commitment import CommitmentAcceptance, CommitmentLetter, DeclarationYear
from models.declaration import (
    Declaration,
    DeclarationEvent,
    DeclarationMethod,
    DeclarationRecord,
    Material,
)
from models.unit import CodeCheck, PermissionApplication, PermissionDecision, PermissionRound, RegistryEntry, UnitType
from models.route import Committee, PathStatus, ReportingPath
from models.audit import AuditEntry
from models.review import LEVEL_RANK, ReviewStep, StepDecision

__all__ = [
    "Base",
    "Region",
    "CatalogSeries",
    "CatalogTitle",
    "CatalogSpecialty",
    "Account",
    "AccountKind",
    "Admin",
    "AuthSession",
    "Person",
    "Unit",
    "PermissionStatus",
    "CommitmentLetter",
    "CommitmentAcceptance",
    "DeclarationYear",
    "Declaration",
    "DeclarationEvent",
    "DeclarationMethod",
    "DeclarationRecord",
    "Material",
    "UnitType",
    "CodeCheck",
    "PermissionDecision",
    "PermissionApplication",
    "PermissionRound",
    "RegistryEntry",
    "PathStatus",
    "ReportingPath",
    "Committee",
    "AuditEntry",
    "LEVEL_RANK",
    "ReviewStep",
    "StepDecision",
]
