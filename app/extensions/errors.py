"""Apollo error codes on every GraphQL error, with unexpected errors masked (API.md "Errors").

- errors raised from `app.errors` keep their message and extensions;
- parse and validation errors get `GRAPHQL_PARSE_FAILED` / `GRAPHQL_VALIDATION_FAILED`;
- variable coercion errors (no path, nothing executed) get `BAD_USER_INPUT`;
- anything else becomes "Internal server error" with `INTERNAL_SERVER_ERROR` and
  the `requestId` of the log line that recorded it whole (`Schema.process_errors`).
"""

from collections.abc import Iterator

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors
from strawberry.types.execution import PreExecutionError

from app.errors import ApiError
from app.request_id import current_request_id

INTERNAL_MESSAGE = "Internal server error"


def is_unexpected(error: GraphQLError) -> bool:
    """True for errors raised by anything but `app.errors` or GraphQL itself."""
    original = error.original_error
    return original is not None and not isinstance(original, ApiError | GraphQLError)


def _code(error: GraphQLError, *, before_execution: bool) -> str:
    if isinstance(error, GraphQLSyntaxError):
        return "GRAPHQL_PARSE_FAILED"
    if before_execution:
        return "GRAPHQL_VALIDATION_FAILED"
    return "BAD_USER_INPUT" if error.path is None else "INTERNAL_SERVER_ERROR"


class ApolloErrorCodes(MaskErrors):
    """Strawberry's `MaskErrors`, plus an Apollo `extensions.code` on every error."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_unexpected, error_message=INTERNAL_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": current_request_id()}
        return masked

    def on_operation(self) -> Iterator[None]:
        yield from super().on_operation()
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        before_execution = isinstance(result, PreExecutionError)
        for error in result.errors:
            if not error.extensions or "code" not in error.extensions:
                code = _code(error, before_execution=before_execution)
                error.extensions = {**(error.extensions or {}), "code": code}
