"""The Idempotency-Key header of /graphql mutations (draft-ietf-httpapi-idempotency-key-header),
for API clients and people alike: the view claims the key before executing and keeps the
answer after (resolvers/idempotency.py). Queries ignore the header (they change nothing);
so do multipart uploads (their files are not part of the digest).

A retry with the same key and the same request (query, variables, operation name, compared
as canonical JSON) gets the first answer with `Idempotent-Replayed: true`; another request
with the key is 422 IDEMPOTENCY_KEY_REUSED; a retry while the first runs is 409
IDEMPOTENCY_KEY_IN_USE. A first request that ended in a server fault, 503 or 429 keeps no
answer: its retry runs afresh.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.responses import Response

from core.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from core.http import json_error
from resolvers import idempotency
from schema.context import Context

HEADER = "idempotency-key"
REPLAYED = "Idempotent-Replayed"
#: Printable ASCII, as the draft's examples (UUIDs); long enough for any client's scheme.
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
#: Answers a retry must not get back: it should run again.
_NOT_KEPT = {429, 500, 502, 503, 504}


class AnswerNow(HTTPException):
    """An answer decided before execution (a replay or a refusal), carried out of strawberry."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code, "idempotency")
        self.response = response


@dataclass
class Claim:
    caller: str
    key: str


def caller_of(context: Context) -> str:
    """Whose keys these are: the client or account (not the token: a retry may carry a new
    one), else the address."""
    if context.client is not None:
        return f"client:{context.client.api_client.id}"
    if context.viewer is not None:
        return f"account:{context.viewer.account.id}"
    return f"address:{context.client_address or '-'}"


def _mutation(query: str | None, operation_name: str | None) -> bool:
    try:
        operation = get_operation_ast(parse(query or ""), operation_name)
    except GraphQLError:
        return False  # strawberry answers the syntax error
    return operation is not None and operation.operation is OperationType.MUTATION


def _digest(query: str | None, variables: object, operation_name: str | None) -> bytes | None:
    try:
        canonical = orjson.dumps({"query": query, "variables": variables, "operationName": operation_name},
                                 option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None  # an upload among the variables
    return hashlib.sha256(canonical).digest()


async def claim(context: Context, key: str | None, request_data) -> Claim | None:
    """Claim the request's key, or raise AnswerNow with the replay or the refusal; None when
    the header is absent or does not apply."""
    if key is None or isinstance(request_data, list) or not _mutation(request_data.query, request_data.operation_name):
        return None
    if not _KEY.fullmatch(key):
        raise AnswerNow(json_error(400, "BAD_REQUEST", "Idempotency-Key 须为 1 至 255 个可打印 ASCII 字符"))
    digest = _digest(request_data.query, request_data.variables, request_data.operation_name)
    if digest is None:
        return None
    found = Claim(caller_of(context), key)
    async with context.read() as env:
        earlier = await idempotency.claim(env, caller=found.caller, key=key, digest=digest)
        await env.session.commit()
    if earlier is None:
        return found
    if not earlier.same_body:
        refused = IdempotencyKeyReused()
        raise AnswerNow(json_error(422, refused.code, str(refused)))
    if earlier.status is None:
        busy = IdempotencyKeyInUse()
        raise AnswerNow(json_error(409, busy.code, str(busy), {"Retry-After": "1"}))
    raise AnswerNow(Response(orjson.dumps(earlier.response), status_code=earlier.status,
                             media_type="application/json", headers={REPLAYED: "true"}))


async def settle(context: Context, found: Claim, response: Response | None) -> None:
    """Keep the answer for retries, or give the key up when there is none worth keeping."""
    async with context.read() as env:
        if response is None or response.status_code in _NOT_KEPT:
            await idempotency.release(env, caller=found.caller, key=found.key)
        else:
            await idempotency.keep_answer(env, caller=found.caller, key=found.key, status=response.status_code,
                                          response=orjson.loads(bytes(response.body)))
        await env.session.commit()
