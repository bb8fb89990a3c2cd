"""Workflow steps, one module per area of the manual. No GraphQL here: plain async
functions over an `Env` that raise `core.errors` exceptions."""
