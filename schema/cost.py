"""A document's query cost, and the extension that charges it to the caller's budget.

Cost (like GitHub's GraphQL API): the objects a document could return. Every field that
pages (`first`) could return `first` objects for each object that contains it, so nested
connections multiply; plain fields and objects cost nothing themselves; the operation costs
1. `declarations(first: 100) { nodes { … } }` is 101, a review-queue page of 50 is 51. It is
computed from the document and its variables before anything executes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    VariableNode,
    get_operation_ast,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

from core.errors import RateLimited
from core.outage import UNAVAILABLE_CODE, UNAVAILABLE_MESSAGE, database_unavailable
from resolvers import rate_limits
from resolvers.paging import DEFAULT_PAGE_SIZE
from rules.rate_limits import Charge
from schema.context import Context

PAGE_ARGUMENT = "first"


def query_cost(document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any],
               *, cap: int) -> int:
    """The cost of the operation `operation_name` of a validated document (fragments cannot
    cycle). A `first` beyond `cap` counts as `cap` (the query refuses it anyway)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 1
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return 1 + _cost(operation.selection_set, 1, fragments, variables, cap)


def _cost(selections: SelectionSetNode | None, multiplier: int, fragments: dict[str, FragmentDefinitionNode],
          variables: Mapping[str, Any], cap: int) -> int:
    if selections is None:
        return 0
    total = 0
    for node in selections.selections:
        if isinstance(node, FieldNode):
            size = _page_size(node, variables, cap)
            if size is None:
                total += _cost(node.selection_set, multiplier, fragments, variables, cap)
            else:
                total += multiplier * size + _cost(node.selection_set, multiplier * size, fragments, variables, cap)
        elif isinstance(node, InlineFragmentNode):
            total += _cost(node.selection_set, multiplier, fragments, variables, cap)
        elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
            total += _cost(fragments[node.name.value].selection_set, multiplier, fragments, variables, cap)
    return total


def _page_size(field: FieldNode, variables: Mapping[str, Any], cap: int) -> int | None:
    """`first` of a paging field (its default when not given or null), None for any other."""
    for argument in field.arguments or ():
        if argument.name.value != PAGE_ARGUMENT:
            continue
        value = argument.value
        raw: Any = None
        if isinstance(value, IntValueNode):
            raw = int(value.value)
        elif isinstance(value, VariableNode):
            raw = variables.get(value.name.value)
        size = raw if isinstance(raw, int) and not isinstance(raw, bool) else DEFAULT_PAGE_SIZE
        return max(0, min(size, cap))
    return None


class CostLimit(SchemaExtension):
    """Charges each operation's cost to its caller before it executes (API clients and
    anonymous addresses; logged-in people are not limited), reports it in
    `extensions.cost`, sets the RateLimit headers, and refuses an operation that does not
    fit with RATE_LIMITED (the view answers 429)."""

    report: dict[str, Any] | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        ctx = ec.context
        settings = ctx.services.settings
        assert ec.graphql_document is not None  # execution follows a parsed, validated document
        cost = query_cost(ec.graphql_document, ec.operation_name, ec.variables or {}, cap=settings.max_page_size)
        self.report = {"requested": cost}
        charged: Charge | None = None
        try:
            async with ctx.read() as env:
                payer = rate_limits.caller_budget(env)
                if payer is not None:
                    charged = await rate_limits.charge(env, key=payer[0], budget=payer[1], cost=cost)
                    await env.session.commit()
        except Exception as error:
            if not database_unavailable(error):
                raise
            # As a resolver's would be: SERVICE_UNAVAILABLE, which the view answers with 503.
            self._refuse(GraphQLError(UNAVAILABLE_MESSAGE, extensions={"code": UNAVAILABLE_CODE}))
            yield
            return
        if charged is not None:
            self._answer(ctx, charged)
        yield

    def _answer(self, ctx: Context, charged: Charge) -> None:
        now = ctx.services.clock.now()
        self.report = {"requested": charged.cost, "limit": charged.budget.limit, "remaining": charged.remaining,
                       "resetAt": charged.reset_at.isoformat(), "resetSeconds": charged.reset_seconds(now)}
        if ctx.response is not None:
            ctx.response.headers.update(charged.headers(now))
        if charged.allowed:
            return
        if ctx.response is not None:
            ctx.response.status_code = 429
        refused = RateLimited(f"本请求的查询成本为 {charged.cost}，超出本时段剩余的限额 {charged.remaining}"
                              f"（每 {int(charged.budget.window.total_seconds())} 秒 {charged.budget.limit}），"
                              f"请于 {charged.reset_seconds(now)} 秒后再试，或减小 first")
        self._refuse(GraphQLError(str(refused), extensions=refused.extensions, original_error=refused))

    def _refuse(self, error: GraphQLError) -> None:
        """Answer with `error` instead of executing."""
        self.execution_context.result = GraphQLExecutionResult(data=None, errors=[error])

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report is not None else {}
