"""Strawberry's `ParserCache`, made safe for documents that do not parse."""

import contextlib
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import ParserCache


class SafeParserCache(ParserCache):
    """Caches parsed documents; a document that fails to parse is left to Strawberry.

    `ParserCache.on_parse` raises the syntax error before it yields, which skips
    every extension's end of `on_operation` (so the error would get no
    `extensions.code`). Here the failure is swallowed and Strawberry parses the
    document itself, inside its own error handling, which reports it normally.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield
