"""Per-request batch loaders. Created with the request's context; never module-level."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from dataloaders import corrections, declarations, results, review


class Loaders:
    """The request's DataLoaders; each area adds its own as attributes."""

    def __init__(self, read: Callable[[], AbstractAsyncContextManager[Any]]) -> None:
        self._read = read
        # Declarations
        self.records_by_declaration = declarations.records_by_declaration(read)
        self.materials_by_declaration = declarations.materials_by_declaration(read)
        self.events_by_declaration = declarations.events_by_declaration(read)
        self.unit = declarations.units_by_id(read)
        self.person = declarations.persons_by_id(read)
        # Review and reporting
        self.decisions_by_declaration = review.decisions_by_declaration(read)
        self.committee = review.committees_by_id(read)
        self.reporting_path = review.reporting_paths_by_id(read)
        # Corrections (一次性告知补正)
        self.latest_notice = corrections.latest_notice_by_declaration(read)
        # Results (电子职称证书)
        self.certificate = results.certificate_by_declaration(read)
