#!/usr/bin/env python3
"""Bootstrap for a fresh machine with only Python 3.11+.

    python3 dev.py serve [--demo] [--port N]   # the API, GraphiQL at /graphql
    python3 dev.py test [pytest args]          # the test suite
    python3 dev.py <zhicheng command ...>      # migrate, create-admin, export-schema …

On first use (and whenever pyproject.toml changes) it creates .venv and installs the
project into it; after that it only runs the command.
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


def ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    print("installing dependencies …", flush=True)
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def main() -> None:
    args = sys.argv[1:] or ["serve"]
    ensure_venv()
    os.chdir(ROOT)
    command = [str(BIN / "python"), "-m", "pytest", *args[1:]] if args[0] == "test" else [str(BIN / "zhicheng"), *args]
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
