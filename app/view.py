"""GraphQL over HTTP (graphql-over-http spec, 2025 watershed) and WebSocket at `/graphql`.

Strawberry's Starlette view does the GraphQL work; this subclass adds what the
spec asks of the transport and Strawberry leaves out:

- content negotiation (RFC 9110 `Accept`, q-values and wildcards) between
  `application/graphql-response+json` and `application/json`; 406 when neither
  is acceptable;
- with `application/graphql-response+json`, 400 for request errors (parse,
  validation, variable coercion, undeterminable operation), which carry no
  `data` entry;
- with `application/json`, 200 for every well-formed request, request errors
  included (still without `data`);
- a client that names neither type (no `Accept`, or only wildcards) accepts
  both: successful responses are `application/json`, which every legacy client
  reads (the `graphql-http` audit asks this), and request errors are
  `application/graphql-response+json` with 400, the post-watershed default;
- 405 with `Allow` for a mutation over GET and for any method but GET and POST;
  415 for a POST body that is not JSON; 400 for a request that is not
  well-formed (bad JSON, no query, wrongly typed parameters).
"""

from cross_web import HTTPException, StarletteRequestAdapter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from app.config import Settings
from app.context import Context, bearer_token
from app.ratelimit import RateLimiter

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
EITHER = "*/*"
"""Negotiation result when the client accepts both types and names neither."""
ALLOWED_METHODS = ("GET", "POST")


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> tuple[float, int]:
    """`media_type`'s q-value from its most specific matching range, and that
    specificity (2 exact, 1 `type/*`, 0 `*/*`); `(0, -1)` when no range matches."""
    specificity_of = {media_type: 2, f"{media_type.split('/')[0]}/*": 1, "*/*": 0}
    best = (0.0, -1)
    for media_range, quality in ranges:
        specificity = specificity_of.get(media_range)
        if specificity is None:
            continue
        if specificity > best[1] or (specificity == best[1] and quality > best[0]):
            best = (quality, specificity)
    return best


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an `Accept` value with their q-values (1 when absent).

    A range asking for a charset other than UTF-8 (the only one served) gets q=0.
    """
    ranges = []
    for part in accept.split(","):
        media_range, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = (text.strip().lower() for text in param.partition("="))
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
            elif name == "charset" and value.strip('"') not in ("utf-8", "utf8"):
                quality = 0.0
        if media_range:
            ranges.append((media_range.lower(), quality))
    return ranges


def negotiate(accept: str | None) -> str | None:
    """`GRAPHQL_RESPONSE_JSON`, `JSON` or `EITHER` for an `Accept` header; None for a 406.

    Each type takes the q-value of its most specific matching range (RFC 9110
    §12.5.1), so `application/json;q=0, */*` refuses JSON. The higher q wins; on
    a tie a type the client named wins over one it matched by wildcard, and
    `application/graphql-response+json` (the spec's preferred type) wins when
    it named both. No header means any type (RFC 9110), hence `EITHER`.
    """
    if accept is None or not accept.strip():
        return EITHER
    ranges = _parse_accept(accept)
    graphql_response, json = _quality(GRAPHQL_RESPONSE_JSON, ranges), _quality(JSON, ranges)
    if max(graphql_response[0], json[0]) <= 0:
        return None
    if graphql_response[0] != json[0]:
        return GRAPHQL_RESPONSE_JSON if graphql_response[0] > json[0] else JSON
    if max(graphql_response[1], json[1]) == 2:  # at least one named explicitly
        return GRAPHQL_RESPONSE_JSON if graphql_response[1] == 2 else JSON
    return EITHER


def lower_content_type(scope: Scope) -> None:
    """Lower-case the media type of the request's `Content-Type`, which is case-insensitive
    (RFC 9110 §8.3.1) but which Strawberry compares as given; parameters stay as sent."""
    headers = []
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type, separator, parameters = value.partition(b";")
            value = media_type.lower() + separator + parameters
        headers.append((name, value))
    scope["headers"] = headers


def error_media_type(negotiated: str) -> str:
    """The media type of a response that is not 2xx: only `JSON` if the client asked for it."""
    return JSON if negotiated == JSON else GRAPHQL_RESPONSE_JSON


def is_request_error(result: ExecutionResult) -> bool:
    """True when the request failed before execution: nothing ran, so no `data` entry."""
    if isinstance(result, PreExecutionError):
        return True
    return result.data is None and all(error.path is None for error in result.errors or ())


def _error_body(message: str, code: str) -> GraphQLHTTPResponse:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


class GraphQLView(GraphQL[Context, None]):
    """The `/graphql` endpoint: HTTP per the spec above, GraphiQL, and WebSocket subscriptions.

    It takes every HTTP method (the route must not restrict them), so that it
    alone answers 405 with an `Allow` header that tells the truth.
    """

    def __init__(
        self,
        schema: BaseSchema,
        *,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql_enabled else None)
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.rate_limiter = rate_limiter

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        return Context(
            settings=self.settings,
            sessionmaker=self.sessionmaker,
            token=bearer_token(request.headers.get("authorization")),
            client_ip=request.client.host if request.client else "",
            response=response if isinstance(response, Response) else None,
            rate_limiter=self.rate_limiter,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            websocket = WebSocket(scope, receive=receive, send=send)
            context = await self.get_context(websocket)
            try:
                await self.run(websocket, context=context)
            finally:
                await context.close()
            return
        lower_content_type(scope)
        request = Request(scope, receive=receive)
        response = await self._respond(request)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        negotiated = negotiate(request.headers.get("accept"))
        if request.method not in ALLOWED_METHODS:
            media_type = error_media_type(negotiated or EITHER)
            allow = ", ".join(ALLOWED_METHODS)
            return self._error_response(
                405, "Use GET or POST", media_type, "GRAPHQL_VALIDATION_FAILED", allow=allow
            )
        if self.should_render_graphql_ide(StarletteRequestAdapter(request)):
            if self.graphql_ide is None:
                return PlainTextResponse("Not Found", status_code=404)
            return await self.render_graphql_ide(request)
        if negotiated is None:
            message = f"Accept one of: {GRAPHQL_RESPONSE_JSON}, {JSON}"
            return self._error_response(406, message, JSON, "GRAPHQL_VALIDATION_FAILED")
        request.state.media_type = negotiated
        context = await self.get_context(request, await self.get_sub_response(request))
        try:
            return await self.run(request, context=context)
        except HTTPException as error:
            return self._http_error_response(request, error)
        finally:
            await context.close()

    def _http_error_response(self, request: Request, error: HTTPException) -> Response:
        """The spec's answer to what Strawberry refuses with an `HTTPException`."""
        media_type = error_media_type(request.state.media_type)
        if isinstance(error.__cause__, CannotGetOperationTypeError):
            # A well-formed request whose operation cannot be determined: a request error.
            status = 200 if media_type == JSON else 400
            return self._error_response(
                status, error.reason, media_type, "GRAPHQL_VALIDATION_FAILED"
            )
        if isinstance(error.__cause__, InvalidOperationTypeError):  # a mutation over GET
            return self._error_response(
                405, error.reason, media_type, "GRAPHQL_VALIDATION_FAILED", allow="POST"
            )
        if error.reason == "Unsupported content type":
            return self._error_response(415, error.reason, media_type, "GRAPHQL_PARSE_FAILED")
        return self._error_response(
            error.status_code, error.reason, media_type, "GRAPHQL_PARSE_FAILED"
        )

    def _error_response(
        self, status: int, message: str, media_type: str, code: str, *, allow: str | None = None
    ) -> Response:
        body = self.encode_json(_error_body(message, code))
        headers = {"allow": allow} if allow else None
        return Response(body, status, headers, media_type=f"{media_type}; charset=utf-8")

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        """The request's one sub-response: the context's (for headers) is the one sent."""
        if not hasattr(request.state, "sub_response"):
            request.state.sub_response = await super().get_sub_response(request)
            request.state.sub_response.media_type = request.state.media_type
        sub_response: Response = request.state.sub_response
        return sub_response

    async def process_result(
        self, request: Request | WebSocket, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = process_result(result)
        if is_request_error(result):
            del response["data"]
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        negotiated = sub_response.media_type or EITHER
        if isinstance(response_data, dict) and "data" not in response_data:  # a request error
            media_type = error_media_type(negotiated)
            response.status_code = 400 if media_type == GRAPHQL_RESPONSE_JSON else 200
        else:
            media_type = JSON if negotiated == EITHER else negotiated
        response.headers["content-type"] = f"{media_type}; charset=utf-8"
        return response
