#!/usr/bin/env python3
"""Bootstrap for a fresh machine with only Python 3.11+.

    python3 dev.py serve [--demo] [--port N]   # the API, GraphiQL at /graphql
    python3 dev.py test [pytest args]          # the test suite
    python3 dev.py install                     # only create or update .venv (CI, editors)
    python3 dev.py lock [--upgrade | --upgrade-package NAME]   # regenerate requirements.lock
    python3 dev.py <zhicheng command ...>      # migrate, create-admin, export-schema …

On first use (and whenever pyproject.toml or requirements.lock changes) it creates .venv and
installs into it exactly the versions pinned in requirements.lock, checked against their
hashes, then the project itself; after that it only runs the command.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"
LOCK = ROOT / "requirements.lock"

# The lock is resolved for the platform CI runs on: Linux, CPython 3.11 (x86_64; the hashes
# cover every file of each pinned release, so aarch64 installs too). Extras in it: test, dev.
LOCK_COMMAND = [
    "pip", "compile", "--quiet", "pyproject.toml", "--extra", "test", "--extra", "dev",
    "--generate-hashes", "--python-version", "3.11", "--python-platform", "x86_64-unknown-linux-gnu",
    "--output-file", "requirements.lock",
]


def pip(*args: str) -> None:
    subprocess.run([str(BIN / "python"), "-m", "pip", *args], check=True)


def ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    print("installing dependencies from requirements.lock …", flush=True)
    pip("install", "--quiet", "--upgrade", "pip")
    pip("install", "--quiet", "--require-hashes", "-r", str(LOCK))
    pip("install", "--quiet", "--no-deps", "-e", str(ROOT))
    # The project went in without its dependencies: a requirement of pyproject.toml that the
    # lock lacks or pins outside its range shows up here, not later as an ImportError.
    check = subprocess.run([str(BIN / "python"), "-m", "pip", "check"], capture_output=True, text=True)
    if check.returncode != 0:
        print(check.stdout, end="")
        sys.exit("requirements.lock does not satisfy pyproject.toml: run `python3 dev.py lock` and commit it")
    STAMP.write_text(wanted)


def lock(args: list[str]) -> None:
    """Regenerate requirements.lock with uv (installed into .venv on first use, not locked:
    it is only needed here). Without --upgrade, pins already in the lock are kept."""
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    if not (BIN / "uv").exists():
        pip("install", "--quiet", "uv")
    env = {**os.environ, "UV_CUSTOM_COMPILE_COMMAND": "python3 dev.py lock"}
    subprocess.run([str(BIN / "uv"), *LOCK_COMMAND, *args], cwd=ROOT, env=env, check=True)


def main() -> None:
    args = sys.argv[1:] or ["serve"]
    if args[0] == "lock":
        lock(args[1:])
        return
    ensure_venv()
    if args[0] == "install":
        return
    os.chdir(ROOT)
    command = [str(BIN / "python"), "-m", "pytest", *args[1:]] if args[0] == "test" else [str(BIN / "zhicheng"), *args]
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
