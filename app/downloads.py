"""GET /materials/{id}: a declaration's material file, streamed to a caller who may see it.
GET /certificates/{number}.pdf: an electronic certificate rendered as PDF, for its holder,
its committee's office and its title office."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from app.auth import authenticate_on, bearer_token
from core.certificate_pdf import render_certificate
from core.http import DOWNLOAD_CSP
from core.request_context import current_request
from core.services import AppServices
from resolvers import materials, results
from resolvers.certificates import certificate_view
from resolvers.env import ClientViewer, Env
from rules.certificates import verification_url
from rules.errors import RuleViolation
from rules.files import content_disposition

log = logging.getLogger("zhicheng")

MAX_BIGINT = 2**63 - 1


def material_row_id(raw: str) -> int | None:
    """The id of the path as a PostgreSQL bigint, or None: `/materials/99999999999999999999`
    reached the query and came back as a 500 (asyncpg cannot send it as bigint)."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_BIGINT else None


def file_headers(file_name: str) -> dict[str, str]:
    """What every download answer carries: the name to save it under, and nothing a browser
    may sniff, run or keep."""
    return {
        "Content-Disposition": content_disposition(file_name),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_CSP,
        "Cache-Control": "private, no-store",
    }


async def download_caller(services: AppServices, session: AsyncSession, request: Request, *, clients: bool,
                          what: str) -> Env | Response:
    """The caller of a download route (its bearer token) as an Env on `session`, or the
    answer that refuses it: 401 without a login, 403 for an API client where `clients` is
    False (downloads of people's files are for the people of the route) and for a login
    that must change its password (resolvers.env.Env.of: it may do nothing else)."""
    token = bearer_token(request)
    viewer = await authenticate_on(session, services, token) if token else None
    if viewer is None:
        return JSONResponse({"error": "请先登录", "code": "UNAUTHENTICATED"}, status_code=401)
    if isinstance(viewer, ClientViewer):
        if not clients:
            return JSONResponse({"error": f"API 客户端不能下载{what}", "code": "FORBIDDEN"}, status_code=403)
    elif viewer.must_change_password:
        return JSONResponse({"error": "请先修改密码", "code": "PASSWORD_CHANGE_REQUIRED"}, status_code=403)
    record = current_request()
    if record is not None and not isinstance(viewer, ClientViewer):
        record.account_id = viewer.account.id
    # The download's audit row carries the request's id, as a mutation's does.
    return Env.of(services, session, request_id=record.id if record else "download", viewer=viewer)


async def download_material(services: AppServices, request: Request) -> Response:
    """GET /materials/{id} with a bearer token: the file streamed, if the caller may see it.
    Unknown and forbidden look the same (404), so IDs cannot be probed; an id that cannot
    be a material's (not a positive bigint) is 400."""
    material_id = material_row_id(request.path_params["material_id"])
    if material_id is None:
        return JSONResponse({"error": "材料 ID 须为正整数"}, status_code=400)
    try:
        async with services.session_factory() as session:
            env = await download_caller(services, session, request, clients=False, what="申报材料")
            if isinstance(env, Response):
                return env
            found = await materials.open_download(env, material_id=material_id)
            await session.commit()
    except RuleViolation:
        return JSONResponse({"error": "材料不存在或无权访问"}, status_code=404)
    if not found.path.is_file():
        log.error("material file missing: %s", found.path.name)
        return JSONResponse({"error": "材料文件缺失"}, status_code=500)
    return FileResponse(found.path, media_type=found.content_type, headers=file_headers(found.file_name))


def download_route(services: AppServices) -> Route:
    async def material_download(request: Request) -> Response:
        return await download_material(services, request)

    return Route("/materials/{material_id}", material_download, methods=["GET"])


async def download_certificate(services: AppServices, request: Request) -> Response:
    """GET /certificates/{number}.pdf with a bearer token. Unknown and forbidden are one 404,
    so numbers cannot be probed here (verification is the public, throttled way)."""
    try:
        async with services.session_factory() as session:
            env = await download_caller(services, session, request, clients=False, what="电子证书")
            if isinstance(env, Response):
                return env
            row = await results.open_certificate(env, number=request.path_params["number"])
            await session.commit()
    except RuleViolation:
        return JSONResponse({"error": "证书不存在或无权访问"}, status_code=404)
    pdf = render_certificate(certificate_view(row), verification_url(services.settings.public_base_url, row.number))
    return StreamingResponse(
        iter([pdf]), media_type="application/pdf",
        headers={**file_headers(f"职称证书-{row.number}.pdf"), "Content-Length": str(len(pdf))},
    )


def certificate_route(services: AppServices) -> Route:
    async def certificate_download(request: Request) -> Response:
        return await download_certificate(services, request)

    return Route("/certificates/{number}.pdf", certificate_download, methods=["GET"])
