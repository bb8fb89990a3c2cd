"""Issue 12: GraphiQL is served by the server itself — the page names no other host, every
file it loads comes from /graphiql/static/ with its integrity, cached for a year, and the
files are exactly what scripts/refresh_graphiql.py pinned.

Before: strawberry's page loaded seven scripts and styles from a CDN, with a CSP allowing it
and inline scripts; without internet it stayed at "Loading…"."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import re
import shutil

import pytest

from app.graphiql import CACHE_FOREVER, STATIC_DIR, GraphiQLAssets
from core.config import PROJECT_ROOT

HTML = {"Accept": "text/html"}
SUBRESOURCE = re.compile(r'<(?:script|link)[^>]* (?:src|href)="([^"]+)"[^>]*integrity="([^"]+)"')


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


async def test_the_page_loads_only_files_of_this_server(client):
    response = await client.get("/graphql", headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "//" not in page.replace("<!doctype", "")  # no URL of another host (nor a scheme-relative one)
    assert "<style" not in page and "<script>" not in page and " on" not in page  # nothing inline
    loaded = SUBRESOURCE.findall(page)
    assert len(loaded) == len(re.findall(r"<script|<link rel=\"stylesheet\"", page)) == 8
    assert all(url.startswith("/graphiql/static/") for url, _ in loaded)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp and "http" not in csp


async def test_every_file_matches_its_integrity_and_is_cached_for_a_year(client):
    page = (await client.get("/graphql", headers=HTML)).text
    for url, integrity in SUBRESOURCE.findall(page):
        response = await client.get(url, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200, url
        assert _sri(response.content) == integrity, url
        assert response.headers["cache-control"] == CACHE_FOREVER
        kind = "text/css" if url.split("?")[0].endswith(".css") else "text/javascript"
        assert response.headers["content-type"] == f"{kind}; charset=utf-8"
        assert response.headers["x-content-type-options"] == "nosniff"
        # The same file compressed, and not sent again to a browser that has it.
        compressed = await client.get(url, headers={"Accept-Encoding": "gzip"})
        assert compressed.headers["content-encoding"] == "gzip" and _sri(compressed.content) == integrity
        again = await client.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("path", ["/graphiql/static/manifest.json", "/graphiql/static/vendor/manifest.json",
                                  "/graphiql/static/vendor/react@18.2.0/LICENSE", "/graphiql/static/nothing.js",
                                  "/graphiql/static/%2e%2e/graphiql.py"])
async def test_only_the_pages_files_are_served(client, path):
    response = await client.get(path)
    assert response.status_code == 404 and response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_the_versions_are_those_of_the_refresh_script():
    # PACKAGES in the script is the one place versions are written; the manifest is its output.
    spec = importlib.util.spec_from_file_location("refresh_graphiql", PROJECT_ROOT / "scripts" / "refresh_graphiql.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assets = GraphiQLAssets()
    assert assets.versions == {name: version for name, (version, _) in script.PACKAGES.items()}
    vendor = [a.url for a in assets.assets if a.url.startswith("vendor/")]
    assert vendor == [f"vendor/{name}@{version}/{file.rsplit('/', 1)[-1]}"
                      for name, (version, files) in script.PACKAGES.items() for file in files]


def test_a_damaged_vendor_file_stops_the_server_at_start(tmp_path):
    copy = tmp_path / "graphiql"
    shutil.copytree(STATIC_DIR, copy)
    target = copy / "vendor" / "react@18.2.0" / "react.production.min.js"
    target.write_bytes(target.read_bytes().replace(b"React", b"Reakt", 1))
    with pytest.raises(RuntimeError, match=r"react\.production\.min\.js does not match"):
        GraphiQLAssets(copy)


def test_the_vendored_files_stay_small():
    # Build artefacts of pinned packages are committed: about 4.1 MB (3.5 MB of it GraphiQL's
    # own bundle); a refresh that brings in much more should be looked at.
    total = sum(f.stat().st_size for f in (STATIC_DIR / "vendor").rglob("*") if f.is_file())
    assert total < 6 * 1024 * 1024
