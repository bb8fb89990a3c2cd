"""SQLAlchemy 2 tables, one module per aggregate. Import this package to register them all."""

from models.account import (
    Account,
    AccountKind,
    Admin,
    AuthSession,
    LoginThrottle,
    PermissionStatus,
    Person,
    ServerKey,
    Unit,
)
from models.api_client import ApiClient, ApiClientSecret, ApiClientToken
from models.audit import AuditEntry
from models.base import Base
from models.commitment import CommitmentAcceptance, CommitmentLetter, DeclarationYear
from models.committee_stage import (
    Ballot,
    BallotVoter,
    CommitteeOffice,
    Expert,
    ExpertConflict,
    ExpertStatus,
    Opinion,
    PanelMember,
    PanelRecusal,
    ReviewSession,
    SessionCandidate,
    SessionState,
)
from models.correction import CorrectionNotice, NoticeOutcome
from models.declaration import (
    Declaration,
    DeclarationEvent,
    DeclarationMethod,
    DeclarationRecord,
    Material,
)
from models.export import Export
from models.feed import FeedEvent
from models.integrity import IntegrityRecord
from models.publicity import ObjectionOutcome, PublicityEntry, PublicityObjection, UnitPublicity
from models.rate_limit import IdempotencyKey, RateLimitBucket
from models.reference import CatalogSeries, CatalogSpecialty, CatalogTitle, CatalogVersion, Region
from models.results import (
    Certificate,
    CertificateSequence,
    ResultObjection,
    ResultsPublicity,
    ResultsPublicityEntry,
)
from models.review import QUEUE_COPY_COLUMNS, ReviewStep, StepDecision
from models.route import Committee, PathStatus, ReportingPath
from models.trusted_document import TrustedDocument
from models.unit import (
    CodeCheck,
    PermissionApplication,
    PermissionDecision,
    PermissionRound,
    RegistryEntry,
    RegistryLoad,
    UnitType,
)
from models.webhook import DeliveryState, Webhook, WebhookAttempt, WebhookDelivery, WebhookFanout

__all__ = [
    "QUEUE_COPY_COLUMNS",
    "Account",
    "AccountKind",
    "Admin",
    "ApiClient",
    "ApiClientSecret",
    "ApiClientToken",
    "AuditEntry",
    "AuthSession",
    "Ballot",
    "BallotVoter",
    "Base",
    "CatalogSeries",
    "CatalogSpecialty",
    "CatalogTitle",
    "CatalogVersion",
    "Certificate",
    "CertificateSequence",
    "CodeCheck",
    "CommitmentAcceptance",
    "CommitmentLetter",
    "Committee",
    "CommitteeOffice",
    "CorrectionNotice",
    "Declaration",
    "DeclarationEvent",
    "DeclarationMethod",
    "DeclarationRecord",
    "DeclarationYear",
    "DeliveryState",
    "Expert",
    "ExpertConflict",
    "ExpertStatus",
    "Export",
    "FeedEvent",
    "IdempotencyKey",
    "IntegrityRecord",
    "LoginThrottle",
    "Material",
    "NoticeOutcome",
    "ObjectionOutcome",
    "Opinion",
    "PanelMember",
    "PanelRecusal",
    "PathStatus",
    "PermissionApplication",
    "PermissionDecision",
    "PermissionRound",
    "PermissionStatus",
    "Person",
    "PublicityEntry",
    "PublicityObjection",
    "RateLimitBucket",
    "Region",
    "RegistryEntry",
    "RegistryLoad",
    "ReportingPath",
    "ResultObjection",
    "ResultsPublicity",
    "ResultsPublicityEntry",
    "ReviewSession",
    "ReviewStep",
    "ServerKey",
    "SessionCandidate",
    "SessionState",
    "StepDecision",
    "TrustedDocument",
    "Unit",
    "UnitPublicity",
    "UnitType",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookFanout",
]
