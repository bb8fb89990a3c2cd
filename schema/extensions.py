"""Schema extensions: error masking and the request session's lifecycle."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from core.errors import PublicError


def should_mask_error(error: GraphQLError) -> bool:
    """Mask only unexpected exceptions. Parse/validation errors (no original error) and
    our public errors are the client's to read; a stack trace or SQL never is."""
    original = error.original_error
    if original is None or isinstance(original, (PublicError, GraphQLError)):
        return False
    return True


class CloseSession(SchemaExtension):
    """Give the request's connection back to the pool once the operation is done."""

    async def on_operation(self) -> Iterator[None]:  # type: ignore[override]
        yield
        await self.execution_context.context.close()
