"""GET /verify: the page a certificate's QR code opens (电子职称证书查验).

`/verify?no=<number>` shows a form with the number filled in that asks for the holder's name
(the QR code carries the number only); `/verify?no=…&name=…` answers with the same step as the
`verifyCertificate` query — the same answers, the same per-address throttle (429 with
Retry-After) — as plain HTML: no script, no style, nothing loaded.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from core.errors import Throttled
from core.request_context import current_request_id
from core.services import AppServices
from resolvers.certificates import Verification, verify_certificate
from resolvers.env import Env
from rules.certificates import VerificationStatus
from rules.throttle import client_address

PAGE_CSP = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
_VERDICTS = {
    VerificationStatus.VALID: "证书有效",
    VerificationStatus.REVOKED: "证书已撤销，不再有效",
    VerificationStatus.UNKNOWN: "查无此证书：证书编号不存在，或与持证人姓名不符",
}


def _page(number: str, body: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>电子职称证书查验</title></head><body><h1>电子职称证书查验</h1>"
        '<form method="get" action="/verify">'
        f'<p><label>证书编号 <input name="no" value="{escape(number)}" maxlength="64" required></label></p>'
        '<p><label>持证人姓名 <input name="name" maxlength="100" required></label></p>'
        f"<p><button type=\"submit\">查验</button></p></form>{body}</body></html>"
    )


def _verdict(found: Verification) -> str:
    lines = [f"<h2>{escape(_VERDICTS[found.status])}</h2>"]
    if found.certificate is not None:
        rows = "".join(f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
                       for label, value in found.certificate.lines())
        lines.append(f"<table>{rows}<tr><th>发证机关</th><td>{escape(found.certificate.issued_by)}</td></tr></table>")
    return "".join(lines)


async def verify_page(services: AppServices, request: Request) -> Response:
    number = request.query_params.get("no", "")
    name = request.query_params.get("name", "")
    headers = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store"}
    if not number or not name:
        return HTMLResponse(_page(number, ""), headers=headers)
    peer = request.client.host if request.client else None
    address = client_address(peer, request.headers.getlist("x-forwarded-for"), services.settings.trusted_proxies)
    try:
        async with services.session_factory() as session, session.begin():
            env = Env.of(services, session, request_id=current_request_id() or "verify", client_address=address)
            found = await verify_certificate(env, number=number, holder_name=name)
    except Throttled as exc:
        retry = str(exc.extensions["retryAfter"])
        return HTMLResponse(_page(number, f"<h2>{escape(str(exc))}</h2>"), status_code=429,
                            headers={**headers, "Retry-After": retry})
    return HTMLResponse(_page(number, _verdict(found)), headers=headers)


def verify_route(services: AppServices) -> Route:
    async def page(request: Request) -> Response:
        return await verify_page(services, request)

    return Route("/verify", page, methods=["GET"])
