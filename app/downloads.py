"""GET /materials/{id}: a declaration's material file, streamed to a caller who may see it."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from app.auth import authenticate_on, bearer_token
from core.http import DOWNLOAD_CSP
from core.request_context import current_request
from core.services import AppServices
from resolvers import materials
from resolvers.env import ClientViewer, Env
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


async def download_material(services: AppServices, request: Request) -> Response:
    """GET /materials/{id} with a bearer token: the file streamed, if the caller may see it.
    Unknown and forbidden look the same (404), so IDs cannot be probed; an id that cannot
    be a material's (not a positive bigint) is 400."""
    material_id = material_row_id(request.path_params["material_id"])
    if material_id is None:
        return JSONResponse({"error": "材料 ID 须为正整数"}, status_code=400)
    token = bearer_token(request)
    try:
        async with services.session_factory() as session:
            viewer = await authenticate_on(session, services, token) if token else None
            if viewer is None:
                return JSONResponse({"error": "请先登录"}, status_code=401)
            if isinstance(viewer, ClientViewer):  # materials are for the people of the route
                return JSONResponse({"error": "API 客户端不能下载申报材料"}, status_code=403)
            if viewer.must_change_password:  # resolvers.env.Env.of: such a session only changes its password
                return JSONResponse({"error": "请先修改密码"}, status_code=403)
            record = current_request()
            if record is not None:
                record.account_id = viewer.account.id
            # The download's audit row carries the request's id, as a mutation's does.
            env = Env.of(services, session, request_id=record.id if record else "download", viewer=viewer)
            found = await materials.open_download(env, material_id=material_id)
            await session.commit()
    except RuleViolation:
        return JSONResponse({"error": "材料不存在或无权访问"}, status_code=404)
    if not found.path.is_file():
        log.error("material file missing: %s", found.path.name)
        return JSONResponse({"error": "材料文件缺失"}, status_code=500)
    return FileResponse(
        found.path,
        media_type=found.content_type,
        headers={
            "Content-Disposition": content_disposition(found.file_name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": DOWNLOAD_CSP,
            "Cache-Control": "private, no-store",
        },
    )


def download_route(services: AppServices) -> Route:
    async def material_download(request: Request) -> Response:
        return await download_material(services, request)

    return Route("/materials/{material_id}", material_download, methods=["GET"])
