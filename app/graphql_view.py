"""The GraphQL endpoint: strawberry's ASGI view with our per-request context."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL

from app.auth import authenticate_on, bearer_token
from core.services import AppServices
from schema import schema
from schema.context import Context


class GraphQLApp(GraphQL):
    """strawberry's ASGI view with our context and a fast JSON encoder."""

    def __init__(self, services: AppServices, **kwargs) -> None:
        super().__init__(schema, **kwargs)
        self.services = services

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Whatever path strawberry took (an operation, or a refusal before one, such
            # as a mutation over GET), the request's connection goes back to the pool.
            context = scope.get("state", {}).get("graphql_context")
            if context is not None:
                await context.close()

    async def get_context(self, request: Request, response: Response) -> Context:
        context = Context(services=self.services, request=request, viewer=None)
        request.state.graphql_context = context
        token = bearer_token(request)
        if token:
            context.viewer = await authenticate_on(context.session, self.services, token)
        return context

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
