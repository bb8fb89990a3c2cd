"""GET /exports/{id}/download?expires=…&signature=…: an export's file, streamed to its owner.

Two keys open it: the signed link the API issued (`Export.downloadUrl`, valid for a limited
time) and the owner's bearer token (an admin's login, or an API client's token with
declarations:read; and identity:read for a file with full ID numbers, else 403). A stranger,
or a link to someone else's export, gets 404 (ids cannot be probed); the owner gets 410 for
an expired link or file, 409 while the export is not finished, 403 for a forged link. Each
answer carries the error's stable `code`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from app.downloads import download_caller, file_headers, material_row_id
from core.errors import PublicError
from core.services import AppServices
from resolvers import audit, exports
from rules.errors import ErrorCode, RuleViolation

STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.EXPORT_LINK_INVALID: 403,
    ErrorCode.EXPORT_NOT_READY: 409,
    ErrorCode.EXPORT_EXPIRED: 410,
    ErrorCode.EXPORT_LINK_EXPIRED: 410,
}


def _refused(code: ErrorCode, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "code": code.value}, status_code=STATUS.get(code, 400))


async def download_export(services: AppServices, request: Request) -> Response:
    export_id = material_row_id(request.path_params["export_id"])
    if export_id is None:
        return _refused(ErrorCode.NOT_FOUND, "导出任务不存在或无权访问")
    async with services.session_factory() as session:
        env = await download_caller(services, session, request, clients=True, what="导出文件")
        if isinstance(env, Response):
            return env
        try:
            found = await exports.open_download(env, export_id=export_id, expires=request.query_params.get("expires"),
                                                signature=request.query_params.get("signature"))
        except RuleViolation as exc:
            return _refused(exc.code, exc.message)
        except PublicError as exc:  # a client token without the scope the file needs
            return JSONResponse({"error": str(exc), **exc.extensions}, status_code=403)
        # The download is a staff read of a region's data: in the audit log.
        note = env.audit
        await audit.record(env, "export.download", object_type=note.object_type, object_id=note.object_id,
                           reason=note.reason, region_code=note.region_code)
        await session.commit()
    if not found.path.is_file():
        return _refused(ErrorCode.EXPORT_EXPIRED, "导出文件已删除，请重新导出")
    return FileResponse(found.path, media_type=found.content_type, headers=file_headers(found.name))


def export_download_route(services: AppServices) -> Route:
    async def export_download(request: Request) -> Response:
        return await download_export(services, request)

    return Route("/exports/{export_id}/download", export_download, methods=["GET"])
