"""Admission: the cost limit and the rate limits, checked before execution (API.md "Limits").

The cost comes from `app.extensions.cost`; the counters from `app.ratelimit`.
"""

from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from app.context import Context
from app.errors import CostLimitExceeded, RateLimited
from app.extensions.cost import Analysis, analyse


class QueryCost(SchemaExtension):
    """Cost limit, then rate limits, before execution; `extensions.cost` after it.

    An operation over `MAX_QUERY_COST` is refused with `COST_LIMIT_EXCEEDED`;
    over a rate limit with `RATE_LIMITED` (`app/ratelimit.py`). Either way nothing
    runs and the response is a request error. The cost budget's `RateLimit-*`
    headers go on the context's response.
    """

    def __init__(self) -> None:
        self.cost: int | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        document = execution.graphql_document
        if isinstance(context, Context) and document is not None:
            schema = execution.schema._schema
            analysis = analyse(schema, document, execution.operation_name, execution.variables)
            if analysis is not None:
                try:
                    await self._admit(context, analysis)
                except (CostLimitExceeded, RateLimited) as error:
                    graphql_error = GraphQLError(str(error), original_error=error)
                    execution.result = GraphQLExecutionResult(data=None, errors=[graphql_error])
                else:
                    self.cost = analysis.cost
        yield

    async def _admit(self, context: Context, analysis: Analysis) -> None:
        """Raise `CostLimitExceeded` or `RateLimited` unless the operation may run."""
        limit = context.settings.max_query_cost
        if analysis.cost > limit:
            raise CostLimitExceeded(analysis.cost, limit)
        limiter = context.rate_limiter
        if limiter is None:
            return
        await limiter.count_auth_attempts(context.client_ip, analysis.auth_attempts)
        budget = await limiter.spend(_client(context), analysis.cost)
        if budget is None:
            return
        if context.response is not None:
            context.response.headers.update(budget.headers())
        if not budget.allowed:
            raise RateLimited(budget.reset)

    def get_results(self) -> dict[str, Any]:
        return {} if self.cost is None else {"cost": self.cost}


def _client(context: Context) -> str:
    """Whose budget an operation spends: the token's user, else the client IP."""
    user_id = context.auth.token_user_id
    return f"user:{user_id}" if user_id is not None else f"ip:{context.client_ip}"
