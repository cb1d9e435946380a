"""A document with several operations needs `operationName` (GraphQL spec, GetOperation()).

Strawberry runs the first operation when none is named; the spec makes that a
request error, which `ApolloErrorCodes` reports as `GRAPHQL_VALIDATION_FAILED`.
"""

from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

MESSAGE = "Must provide operation name if query contains multiple operations."


class RequireOperationName(SchemaExtension):
    """Adds a validation error when the document holds several operations and the
    request names none. Runs after the validation cache, whose errors it keeps."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        named = context._provided_operation_name is not None  # Strawberry keeps it private
        if document is not None and not named:
            operations = [
                node for node in document.definitions if isinstance(node, OperationDefinitionNode)
            ]
            if len(operations) > 1:
                errors = context.pre_execution_errors or []
                context.pre_execution_errors = [*errors, GraphQLError(MESSAGE, operations)]
        yield
