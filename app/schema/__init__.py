"""The GraphQL schema: root types, scalars and the extensions every request runs through."""

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from app.extensions.admission import QueryCost
from app.extensions.errors import ApolloErrorCodes, is_unexpected
from app.extensions.operations import RequireOperationName
from app.extensions.parser_cache import SafeParserCache
from app.schema.common import DateTime
from app.schema.execution import StrawberryBreadthFirstExecutor
from app.schema.root import Mutation, Query

logger = logging.getLogger(__name__)

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000
CACHE_SIZE = 1024
# The depth and alias rules (API.md "Limits") are built once: `QueryDepthLimiter` and
# `MaxAliasesLimiter` make a new rule class per instance, and a new class on every
# request would miss `ValidationCache` every time.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


class TaskTrackerSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log unexpected errors whole (they reach clients masked); expected ones are answers."""
        for error in errors:
            if is_unexpected(error):
                logger.error("unexpected error: %s", error.message, exc_info=error.original_error)


def create_schema(*, introspection: bool = True, breadth_first: bool = True) -> strawberry.Schema:
    """The schema with its limits, caches and error handling; introspection optional.

    `breadth_first` executes queries with `app.engine` (`app.schema.execution`);
    False leaves every operation to Strawberry's graphql-core execution.

    Extensions are given as factories: Strawberry makes a fresh one per operation.
    """
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        partial(SafeParserCache, maxsize=CACHE_SIZE),
        partial(ValidationCache, maxsize=CACHE_SIZE),
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        partial(AddValidationRules, LIMIT_RULES),
        RequireOperationName,
        QueryCost,
        ApolloErrorCodes,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return TaskTrackerSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        scalar_overrides={datetime: DateTime},
        execution_context_class=StrawberryBreadthFirstExecutor if breadth_first else None,
    )


schema = create_schema()
