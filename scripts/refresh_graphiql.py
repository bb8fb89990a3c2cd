#!/usr/bin/env python3
"""Refresh the GraphiQL files the server serves (app/static/graphiql/vendor/) from the npm registry.

    python3 scripts/refresh_graphiql.py        # then: git add app/static/graphiql && git commit

To upgrade, change a version in PACKAGES below (the one place they are written), run this,
open /graphql, run the browser test (tests/browser) and commit. The files are build artefacts
of pinned packages, committed so the server needs no network at run time (a government
intranet has none) and no build step at install time.

It runs `npm pack NAME@VERSION` (npm checks the tarball against the registry's sha512),
copies only the listed files (and each package's licence) out of the tarball, computes the
sha384 Subresource Integrity of each, and writes vendor/manifest.json, which app/graphiql.py
reads to build the page. Standard library and npm only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "app" / "static" / "graphiql" / "vendor"

#: name: (version, files of its tarball the page loads, in load order). The versions are the
#: ones strawberry-graphql 0.341's own GraphiQL page loads from a CDN (the same files, byte
#: for byte: their sha384 match the integrity attributes of that page); the UMD builds need
#: no bundler. strawberry's page also loads js-cookie, for Django's CSRF cookie: not needed here.
PACKAGES: dict[str, tuple[str, list[str]]] = {
    "react": ("18.2.0", ["umd/react.production.min.js"]),
    "react-dom": ("18.2.0", ["umd/react-dom.production.min.js"]),
    "graphiql": ("3.8.3", ["graphiql.min.css", "graphiql.min.js"]),
    "@graphiql/plugin-explorer": ("1.0.2", ["dist/style.css", "dist/index.umd.js"]),
}

LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "license")


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def npm_pack(spec: str, into: Path) -> tuple[Path, str]:
    """The tarball of `spec` and the registry's integrity of it."""
    out = subprocess.run(["npm", "pack", spec, "--json", "--silent", "--pack-destination", str(into)],
                         check=True, capture_output=True, text=True).stdout
    packed = json.loads(out)[0]
    return into / packed["filename"], packed["integrity"]


def extract(tarball: Path, names: list[str]) -> dict[str, bytes]:
    """Only the named members of `package/` (no path of the archive reaches the disk)."""
    wanted = {f"package/{name}": name for name in names}
    found: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            if member.isfile() and member.name in wanted:
                handle = archive.extractfile(member)
                assert handle is not None
                found[wanted[member.name]] = handle.read()
    return found


def licence(name: str, version: str, contents: dict[str, bytes]) -> bytes:
    """The package's licence file, or, where the tarball has none, what its package.json says."""
    text = next((contents[n] for n in LICENSE_NAMES if n in contents), None)
    if text is not None:
        return text
    declared = json.loads(contents["package.json"]).get("license", "not stated")
    return (f"{name}@{version} ships no licence file; its package.json declares the licence: {declared}.\n"
            f"Source: the npm registry, {name} {version}.\n").encode()


def refresh() -> dict:
    if shutil.which("npm") is None:
        sys.exit("npm is needed (Debian: apt-get install npm)")
    staging = VENDOR.with_name("vendor.new")
    shutil.rmtree(staging, ignore_errors=True)
    files, packages = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, names) in PACKAGES.items():
            tarball, tarball_integrity = npm_pack(f"{name}@{version}", Path(tmp))
            contents = extract(tarball, [*names, *LICENSE_NAMES, "package.json"])
            missing = [n for n in names if n not in contents]
            if missing:
                sys.exit(f"{name}@{version} has no {', '.join(missing)}: check PACKAGES")
            folder = Path(f"{name}@{version}")  # the version is in every URL: cached forever
            (staging / folder).mkdir(parents=True)
            for file_name in names:
                target = folder / Path(file_name).name
                (staging / target).write_bytes(contents[file_name])
                files.append({"path": target.as_posix(), "kind": "style" if file_name.endswith(".css") else "script",
                              "integrity": sri(contents[file_name]), "bytes": len(contents[file_name])})
            (staging / folder / "LICENSE").write_bytes(licence(name, version, contents))
            packages[name] = {"version": version, "tarball_integrity": tarball_integrity}
    manifest = {"generated_by": "scripts/refresh_graphiql.py", "packages": packages, "files": files}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    shutil.rmtree(VENDOR, ignore_errors=True)
    staging.rename(VENDOR)
    return manifest


def main() -> None:
    manifest = refresh()
    for entry in manifest["files"]:
        print(f"{entry['bytes']:>10,}  {entry['path']}  {entry['integrity']}")
    print(f"{sum(e['bytes'] for e in manifest['files']):>10,}  in {VENDOR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
