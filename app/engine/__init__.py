"""A breadth-first execution engine for graphql-core schemas (GraphQL Cardinal's idea).

Generic: it imports graphql-core and nothing of TaskTracker's. `BreadthFirstExecutor`
goes wherever graphql-core takes an executor class (`execute(..., executor_class=...)`,
Strawberry's `Schema(execution_context_class=...)`); a subclass's `choose()` gives
fields batch resolvers (`BatchResolver`) or plain attribute reads.
"""

from app.engine.executor import BreadthFirstExecutor
from app.engine.plan import BatchResolver, FieldPlan, Kind

__all__ = ["BatchResolver", "BreadthFirstExecutor", "FieldPlan", "Kind"]
