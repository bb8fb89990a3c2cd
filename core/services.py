"""What lives as long as the app: settings, clock, password hasher, session factory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from core import db
from core.clock import Clock, SystemClock
from core.config import Settings
from core.document_cache import DocumentCache
from core.security import Passwords


@dataclass
class AppServices:
    """Built once per process (app.factory, the command line) and shared by every request."""

    settings: Settings
    clock: Clock
    passwords: Passwords
    session_factory: async_sessionmaker
    documents: DocumentCache  # trusted documents this worker has looked up


def build_services(settings: Settings, engine: AsyncEngine, clock: Clock | None = None) -> AppServices:
    return AppServices(
        settings=settings,
        clock=clock or SystemClock(),
        passwords=Passwords(settings.argon2),
        session_factory=db.create_session_factory(engine),
        documents=DocumentCache(settings.trusted_documents_refresh_seconds),
    )
