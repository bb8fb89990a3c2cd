"""POST /oauth/token: the OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for API clients.

Form-encoded in, JSON out, in OAuth's own shapes (§5.1, §5.2), not GraphQL's: every OAuth
library of the HR systems' stacks speaks it. The client authenticates by HTTP Basic
(client_secret_basic, §2.3.1: id and secret form-encoded, then base64) or by form fields
(client_secret_post), never both.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.request_context import current_request
from core.services import AppServices
from resolvers import api_clients
from resolvers.api_clients import TokenRefused
from resolvers.env import Env
from rules.throttle import client_address

TOKEN_PATH = "/oauth/token"
FORM = "application/x-www-form-urlencoded"
#: §5.1 and §5.2: token responses and errors are never cached.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_STATUS = {"invalid_client": 401, "throttled": 429}
_MAX_FIELD = 512  # a client_id, secret or scope list is far shorter; longer is not ours


class BadRequest(Exception):
    """invalid_request (§5.2): a malformed request, said in Chinese."""


def token_route(services: AppServices) -> Route:
    async def token(request: Request) -> Response:
        return await token_endpoint(services, request)

    return Route(TOKEN_PATH, token, methods=["POST"])


async def token_endpoint(services: AppServices, request: Request) -> Response:
    try:
        form = _form(request.headers.get("content-type", ""), await request.body())
        client_id, secret = _credentials(request.headers.get("authorization"), form)
        if form.get("grant_type") != "client_credentials":
            if not form.get("grant_type"):
                raise BadRequest("缺少 grant_type")
            return _error("unsupported_grant_type", "只支持 grant_type=client_credentials")
    except BadRequest as exc:
        return _error("invalid_request", str(exc))
    address = client_address(request.client.host if request.client else None,
                             request.headers.getlist("x-forwarded-for"), services.settings.trusted_proxies)
    async with services.session_factory() as session:
        env = Env.of(services, session, request_id=_request_id(), client_address=address)
        try:
            grant = await api_clients.grant_token(env, client_id=client_id, client_secret=secret,
                                                  scope=form.get("scope"))
        except TokenRefused as refused:
            await session.commit()  # the failure's count and audit row
            return _error(refused.error, refused.description, retry_after=refused.retry_after)
        await session.commit()
    return JSONResponse({"access_token": grant.access_token, "token_type": "Bearer",
                         "expires_in": grant.expires_in, "scope": grant.scope}, headers=_NO_STORE)


def _request_id() -> str:
    record = current_request()
    return record.id if record is not None else "oauth"


def _form(content_type: str, body: bytes) -> dict[str, str]:
    """The form's fields. §3.2: parameters without a value are omitted, none may repeat."""
    if content_type.split(";")[0].strip().lower() != FORM:
        raise BadRequest(f"请求体须为 {FORM}")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=False, strict_parsing=False)
    except UnicodeDecodeError:
        raise BadRequest("请求体须为 UTF-8 编码") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise BadRequest(f"参数 {name[:40]} 重复")
        if len(value) > _MAX_FIELD or "\x00" in value:
            raise BadRequest(f"参数 {name[:40]} 不合法")
        fields[name] = value
    return fields


def _credentials(authorization: str | None, form: dict[str, str]) -> tuple[str, str]:
    """client_id and secret from exactly one of Basic auth or the form (§2.3.1)."""
    if authorization is not None:
        if "client_secret" in form:
            raise BadRequest("客户端认证只能用一种方式（HTTP Basic 或表单参数）")
        client_id, secret = _basic(authorization)
        if "client_id" in form and form["client_id"] != client_id:
            raise BadRequest("表单中的 client_id 与 HTTP Basic 认证不一致")
        return client_id, secret
    if "client_id" not in form or "client_secret" not in form:
        raise BadRequest("缺少客户端认证：HTTP Basic，或表单参数 client_id 与 client_secret")
    return form["client_id"], form["client_secret"]


def _basic(authorization: str) -> tuple[str, str]:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        raise BadRequest("Authorization 须为 Basic 方式")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise BadRequest("Authorization 不是合法的 Basic 凭据") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon or len(decoded) > 2 * _MAX_FIELD:
        raise BadRequest("Authorization 不是合法的 Basic 凭据")
    return unquote_plus(client_id), unquote_plus(secret)


def _error(error: str, description: str, *, retry_after: int | None = None) -> JSONResponse:
    status = _STATUS.get(error, 400)
    headers = dict(_NO_STORE)
    if status == 401:
        # §5.2: a 401 names the scheme the client used (Basic) or could have used.
        headers["WWW-Authenticate"] = 'Basic realm="zhicheng", charset="UTF-8"'
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    # A throttled address gets invalid_client's meaning with 429: try again later.
    body = {"error": "invalid_client" if error == "throttled" else error, "error_description": description}
    return JSONResponse(body, status_code=status, headers=headers)
