"""Error masking: which errors reach the client as they are."""

from __future__ import annotations

from graphql import GraphQLError

from core.errors import PublicError


def should_mask_error(error: GraphQLError) -> bool:
    """Mask only unexpected exceptions. Parse/validation errors (no original error) and
    our public errors are the client's to read; a stack trace or SQL never is."""
    original = error.original_error
    return not (original is None or isinstance(original, (PublicError, GraphQLError)))
