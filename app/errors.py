"""Errors a resolver may raise, each carrying its `extensions.code` from API.md "Errors".

graphql-core copies an exception's `extensions` dict onto the GraphQL error it
wraps, so clients see `{"code": ..., ...}`; everything not raised from here is
masked as `INTERNAL_SERVER_ERROR` (see `app/schema/errors.py`).
"""

from typing import ClassVar


class ApiError(Exception):
    """Base of the expected errors; `extensions` is what the client receives."""

    code: ClassVar[str]
    default_message: ClassVar[str]

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.default_message)
        self.extensions: dict[str, object] = {"code": self.code}


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"
    default_message = "Authentication required"


class Forbidden(ApiError):
    code = "FORBIDDEN"
    default_message = "You do not have permission to do this"


class NotFound(ApiError):
    code = "NOT_FOUND"
    default_message = "Not found"


class Conflict(ApiError):
    code = "CONFLICT"
    default_message = "Conflict"


class BadUserInput(ApiError):
    """Invalid argument; `field` names the input field, e.g. `"title"`."""

    code = "BAD_USER_INPUT"
    default_message = "Invalid input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.extensions["field"] = field


class RetryLater(ApiError):
    """Nothing ran; the client may try again in `retryAfter` whole seconds (API.md "Errors")."""

    def __init__(self, retry_after: int = 1, message: str | None = None) -> None:
        super().__init__(message)
        self.extensions["retryAfter"] = retry_after


class RateLimited(RetryLater):
    """Over a rate limit of API.md "Limits"."""

    code = "RATE_LIMITED"
    default_message = "Too many requests"


class CostLimitExceeded(ApiError):
    """The document's computed cost is over `MAX_QUERY_COST` (API.md "Limits"); nothing ran."""

    code = "COST_LIMIT_EXCEEDED"
    default_message = "The query costs more than allowed"

    def __init__(self, cost: int, limit: int) -> None:
        super().__init__(f"The query costs {cost} points; the limit is {limit}")
        self.extensions.update(cost=cost, limit=limit)


class PersistedQueryNotFound(ApiError):
    """An automatic persisted query hash the server does not know (Apollo's protocol)."""

    code = "PERSISTED_QUERY_NOT_FOUND"
    default_message = "PersistedQueryNotFound"


class ServiceUnavailable(RetryLater):
    """The database cannot be reached or timed out."""

    code = "SERVICE_UNAVAILABLE"
    default_message = "The service is unavailable; retry later"
