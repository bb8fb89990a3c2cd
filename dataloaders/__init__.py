"""Per-request batch loaders. Created with the request's context; never module-level."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any


class Loaders:
    """The request's DataLoaders; each area adds its own as attributes."""

    def __init__(self, read: Callable[[], AbstractAsyncContextManager[Any]]) -> None:
        self._read = read
