"""GraphiQL served by this server alone: the page and every file it loads, nothing from another host.

strawberry's page loads React, GraphiQL and the explorer from a CDN, so on a network without
internet (a government intranet) it stays at "Loading…". Here the same files, byte for byte
(pinned versions, committed under app/static/graphiql/vendor/ by scripts/refresh_graphiql.py),
come from `/graphiql/static/…` with Subresource Integrity and are cached for a year: every
URL names a version (vendor files) or a content hash (our own two files), so a new release
is a new URL. The page itself has no inline script or style, so its CSP is 'self' only.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from core.http import json_error

STATIC_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
STATIC_PREFIX = "/graphiql/static/"
CACHE_FOREVER = "public, max-age=31536000, immutable"
#: Our own files, loaded after the vendor ones: the page's layout and the bootstrap.
OWN_FILES = (("graphiql.css", "style"), ("init.js", "script"))
_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@dataclass
class Asset:
    """One file the page loads: its URL below STATIC_PREFIX, its bytes and their integrity."""

    url: str
    kind: str  # "script" or "style"
    body: bytes
    integrity: str
    _gzipped: bytes | None = field(default=None, repr=False)

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[Path(self.url.split("?")[0]).suffix]

    @property
    def etag(self) -> str:
        return f'"{self.integrity[7:31]}"'

    def gzipped(self) -> bytes:
        # Compressed on the first request that accepts it, once per worker: graphiql.min.js
        # is 3.5 MB, ~0.8 MB compressed.
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


class GraphiQLAssets:
    """The page's files, read once: the vendor files listed in vendor/manifest.json (checked
    against the integrity recorded there, so a damaged or hand-edited file fails at start
    rather than in a browser) and ours."""

    def __init__(self, directory: Path = STATIC_DIR) -> None:
        manifest = json.loads((directory / "vendor" / "manifest.json").read_text())
        self.versions = {name: entry["version"] for name, entry in manifest["packages"].items()}
        self.assets: list[Asset] = []
        for entry in manifest["files"]:
            body = (directory / "vendor" / entry["path"]).read_bytes()
            if sri(body) != entry["integrity"]:
                raise RuntimeError(f"app/static/graphiql/vendor/{entry['path']} does not match its manifest: "
                                   "run scripts/refresh_graphiql.py")
            self.assets.append(Asset(f"vendor/{entry['path']}", entry["kind"], body, entry["integrity"]))
        for name, kind in OWN_FILES:
            body = (directory / name).read_bytes()
            integrity = sri(body)
            # The content hash in the URL: a changed file is a new URL, so caching forever is safe.
            digest = hashlib.sha256(body).hexdigest()[:16]
            self.assets.append(Asset(f"{name}?v={digest}", kind, body, integrity))
        self.by_path = {asset.url.split("?")[0]: asset for asset in self.assets}

    def page(self, root_path: str = "") -> str:
        base = html.escape(root_path.rstrip("/") + STATIC_PREFIX)
        styles = "".join(f'\n<link rel="stylesheet" href="{base}{html.escape(a.url)}" integrity="{a.integrity}">'
                         for a in self.assets if a.kind == "style")
        scripts = "".join(f'\n<script src="{base}{html.escape(a.url)}" integrity="{a.integrity}" defer></script>'
                          for a in self.assets if a.kind == "script")
        return f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>职称申报评审管理系统 · GraphiQL</title>
<link rel="icon" href="data:,">{styles}{scripts}
</head>
<body>
<div id="graphiql">正在加载 GraphiQL…</div>
<noscript>GraphiQL 需要启用 JavaScript。</noscript>
</body>
</html>
"""


@functools.cache
def assets() -> GraphiQLAssets:
    """Read once per process (4 MB): apps are created per test, files do not change."""
    return GraphiQLAssets()


def page_response(request: Request) -> HTMLResponse:
    """The GraphiQL page; not cached, so a release's new file URLs are picked up at once."""
    return HTMLResponse(assets().page(request.scope.get("root_path", "")), headers={"Cache-Control": "no-cache"})


async def static_file(request: Request) -> Response:
    asset = assets().by_path.get(request.path_params["path"])
    if asset is None:
        return json_error(404, "NOT_FOUND", "没有这个文件")
    headers = {"Cache-Control": CACHE_FOREVER, "ETag": asset.etag, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    body = asset.body
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        body = asset.gzipped()
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=asset.media_type, headers=headers)


def graphiql_routes() -> list[Route]:
    assets()  # read and checked when the app is made, not on the first visitor's request
    return [Route(STATIC_PREFIX + "{path:path}", static_file, methods=["GET"])]
