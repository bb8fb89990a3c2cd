"""The ballot key (rules.ballot) lives outside the database: ZHICHENG_BALLOT_KEY, else a file
in the data dir made once, readable by the server's user only. Read once per process."""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

from core.config import Settings
from rules.ballot import KEY_BYTES


class BallotKeyError(RuntimeError):
    pass


def ballot_key(settings: Settings) -> bytes:
    if settings.ballot_key:
        return _parse(settings.ballot_key)
    return _from_file(settings.data_dir / "ballot.key")


def _parse(raw: str) -> bytes:
    try:
        key = bytes.fromhex(raw.strip())
    except ValueError:
        raise BallotKeyError("ZHICHENG_BALLOT_KEY is not hex") from None
    if len(key) != KEY_BYTES:
        raise BallotKeyError(f"ZHICHENG_BALLOT_KEY must be {KEY_BYTES * 2} hex digits")
    return key


@functools.cache
def _from_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole under a private name, then linked into place: of two workers starting
        # at once, one link wins and both read that key, never a half-written file.
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(KEY_BYTES))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return _parse(path.read_text())
