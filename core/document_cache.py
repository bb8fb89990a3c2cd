"""A worker's copy of the trusted documents it has looked up (issue 16).

A document's text never changes under its id (the id is its hash), so a copy can only be
stale in one way: the document was retired. Copies are trusted for `refresh_seconds`, then
looked up again; the worker that retires one forgets it at once. What is derived from a
text (its compiled plans) lives with the copy and is derived once per worker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CachedDocument:
    document_id: str
    text: str
    fetched_at: float
    derived: dict[Any, Any] = field(default_factory=dict)


class DocumentCache:
    def __init__(self, refresh_seconds: float) -> None:
        self.refresh_seconds = refresh_seconds
        self._documents: dict[str, CachedDocument] = {}

    def fresh(self, document_id: str) -> CachedDocument | None:
        found = self._documents.get(document_id)
        if found is None or time.monotonic() - found.fetched_at >= self.refresh_seconds:
            return None
        return found

    def keep(self, document_id: str, text: str) -> CachedDocument:
        """Record that the registry has `text` under this id now; earlier derivations of
        the same text are kept."""
        found = self._documents.get(document_id)
        if found is None or found.text != text:
            found = CachedDocument(document_id, text, time.monotonic())
            self._documents[document_id] = found
        found.fetched_at = time.monotonic()
        return found

    def forget(self, document_id: str) -> None:
        self._documents.pop(document_id, None)
