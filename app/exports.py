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

from app.auth import authenticate_on, bearer_token
from app.downloads import material_row_id
from core.errors import PublicError
from core.http import DOWNLOAD_CSP
from core.request_context import current_request
from core.services import AppServices
from resolvers import audit, exports
from resolvers.env import ClientViewer, Env
from rules.errors import ErrorCode, RuleViolation
from rules.files import content_disposition

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
    token = bearer_token(request)
    async with services.session_factory() as session:
        viewer = await authenticate_on(session, services, token) if token else None
        if viewer is None:
            return JSONResponse({"error": "请先登录", "code": "UNAUTHENTICATED"}, status_code=401)
        if not isinstance(viewer, ClientViewer) and viewer.must_change_password:
            return JSONResponse({"error": "请先修改密码", "code": "PASSWORD_CHANGE_REQUIRED"}, status_code=403)
        record = current_request()
        if record is not None and not isinstance(viewer, ClientViewer):
            record.account_id = viewer.account.id
        env = Env.of(services, session, request_id=record.id if record else "download", viewer=viewer)
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
    return FileResponse(found.path, media_type=found.content_type, headers={
        "Content-Disposition": content_disposition(found.name),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_CSP,
        "Cache-Control": "private, no-store",
    })


def export_download_route(services: AppServices) -> Route:
    async def export_download(request: Request) -> Response:
        return await download_export(services, request)

    return Route("/exports/{export_id}/download", export_download, methods=["GET"])
