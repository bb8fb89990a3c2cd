"""Password hashing (Argon2id) and session tokens.

A hash costs ~100 ms of CPU and 64 MiB, so it runs in a worker thread, and at most
`Argon2Params.concurrency` run at once: a burst of logins waits its turn instead of
stalling every other request (the event loop keeps its share of the cores) or taking
64 MiB per concurrent login.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import string

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from core.config import Argon2Params


class Passwords:
    def __init__(self, params: Argon2Params) -> None:
        self._hasher = PasswordHasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_cost,
            parallelism=params.parallelism,
            type=Type.ID,
        )
        # Verifying against this when the account does not exist keeps the response time
        # the same, so login timing does not reveal which login names are registered.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        self._slots = asyncio.Semaphore(params.concurrency)

    async def _off_loop(self, fn, *args):
        async with self._slots:
            return await asyncio.to_thread(fn, *args)

    async def hash(self, password: str) -> str:
        return await self._off_loop(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """False for a missing hash too, after the same amount of work."""
        ok = await self._off_loop(self._verify, password_hash or self._dummy_hash, password)
        return ok and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        """The hash was made with other cost parameters than today's."""
        return self._hasher.check_needs_rehash(password_hash)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def new_token() -> str:
    """An opaque bearer token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


_PASSWORD_SYMBOLS = "!@#%^*-_=+"
_PASSWORD_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, _PASSWORD_SYMBOLS)


def one_time_password() -> str:
    """A password someone else hands to the owner (the first start's, an admin's initial or
    reset one): 16 characters (~95 bits) with every class, so it passes the password policy
    whatever the login name (it cannot contain a login of 4+ characters by more than chance)."""
    alphabet = "".join(_PASSWORD_CLASSES)
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(16))
        if all(any(c in cls for c in pw) for cls in _PASSWORD_CLASSES):
            return pw
