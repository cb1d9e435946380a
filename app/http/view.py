"""GraphQL over HTTP (graphql-over-http spec, 2025 watershed) and WebSocket at `/graphql`.

Strawberry's Starlette view does the GraphQL work; this subclass adds what the
spec asks of the transport and Strawberry leaves out:

- content negotiation (`app.http.negotiation`); 406 when neither
  `application/graphql-response+json` nor `application/json` is acceptable;
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
  415 for a POST body that is not JSON;
- API.md "Errors" and "Limits": 400 `BAD_REQUEST` for a request that is not
  well-formed (`app.http.params`); 413 `PAYLOAD_TOO_LARGE` over `MAX_BODY_BYTES`
  (`app.http.body`); automatic persisted queries (`app.http.persisted`); 503
  for `SERVICE_UNAVAILABLE` and 429 for `RATE_LIMITED`, with `Retry-After`;
  anything unexpected is a logged 500 `INTERNAL_SERVER_ERROR` carrying the
  request id, never a bare 500.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cross_web import AsyncHTTPRequestAdapter, HTTPException, StarletteRequestAdapter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult, SubscriptionExecutionResult
from strawberry.types.execution import PreExecutionError

from app.config import Settings
from app.context import Context
from app.db.database import Database
from app.errors import PersistedQueryNotFound, RateLimited, ServiceUnavailable
from app.http.authentication import authenticate
from app.http.body import PayloadTooLarge, declared_length_over, limited_receive
from app.http.negotiation import (
    EITHER,
    GRAPHQL_RESPONSE_JSON,
    JSON,
    error_media_type,
    negotiate,
)
from app.http.params import BadRequest, params_from_body, params_from_query_string
from app.http.persisted import PersistedQueries
from app.loaders import Loaders
from app.ratelimit import RateLimiter
from app.request_id import current_request_id

logger = logging.getLogger(__name__)

ALLOWED_METHODS = ("GET", "POST")
# Apollo Server's headers on PERSISTED_QUERY_NOT_FOUND: the retry must not be served from a cache.
NOT_CACHED = "private, no-cache, must-revalidate"


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


def is_request_error(result: ExecutionResult) -> bool:
    """True when the request failed before execution: nothing ran, so no `data` entry."""
    if isinstance(result, PreExecutionError):
        return True
    return result.data is None and all(error.path is None for error in result.errors or ())


def _error_body(message: str, code: str, **extensions: object) -> GraphQLHTTPResponse:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


# Errors that say "come back later" (API.md "Errors"), answered with their own status,
# `application/graphql-response+json` and `Retry-After`, whatever the client accepts.
RETRY_LATER_STATUS = {ServiceUnavailable.code: 503, RateLimited.code: 429}


def retry_later(response_data: GraphQLHTTPResponse) -> tuple[int, int] | None:
    """`(status, retryAfter)` of the first error in `RETRY_LATER_STATUS`, if there is one."""
    for error in response_data.get("errors") or ():
        extensions = error.get("extensions") if isinstance(error, dict) else None
        if isinstance(extensions, dict) and extensions.get("code") in RETRY_LATER_STATUS:
            value = extensions.get("retryAfter")
            return RETRY_LATER_STATUS[extensions["code"]], value if isinstance(value, int) else 1
    return None


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
        persisted_queries: PersistedQueries,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql_enabled else None)
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.persisted_queries = persisted_queries
        self.rate_limiter = rate_limiter

    @asynccontextmanager
    async def request_context(
        self, request: Request | WebSocket, response: Response | None = None
    ) -> AsyncIterator[Context]:
        """The context of one request (or WebSocket connection): its own `Database`,
        closed when the block ends, and its bearer token authenticated first.

        Raises `ServiceUnavailable` when the database cannot authenticate the token.
        """
        db = Database(self.sessionmaker, statement_timeout_ms=self.settings.statement_timeout_ms)
        try:
            client_ip = request.client.host if request.client else ""
            auth = await authenticate(
                db, self.settings, request.headers.get("authorization"), client_ip
            )
            viewer_id = None if auth.user is None else auth.user.id
            yield Context(
                settings=self.settings,
                db=db,
                auth=auth,
                loaders=Loaders(db, viewer_id),
                client_ip=client_ip,
                response=response,
                rate_limiter=self.rate_limiter,
            )
        finally:
            await db.close()

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        """Strawberry's, run in the request's own context (`request_context`): made here,
        once the transport's checks have passed and the body is parsed, so a request
        refused before (400, 405, 406, 413, 415, an unknown persisted query) costs no
        statement. Strawberry's placeholder `context` (made before parsing) is unused.
        """
        async with self.request_context(request, sub_response) as request_context:
            return await super().execute_operation(
                request=request,
                request_adapter=request_adapter,
                request_data=request_data,
                context=request_context,
                root_value=root_value,
                sub_response=sub_response,
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            websocket = WebSocket(scope, receive=receive, send=send)
            try:
                async with self.request_context(websocket) as context:
                    await self.run(websocket, context=context)
            except ServiceUnavailable:
                await websocket.close(code=1013)  # try again later
            return
        lower_content_type(scope)
        request = Request(scope, receive=limited_receive(receive, self.settings.max_body_bytes))
        try:
            response = await self._respond(request)
        except Exception:  # the safety net: a documented, logged 500 rather than a bare one
            logger.exception("unexpected error in the HTTP transport")
            response = self._error_response(
                500,
                "Internal server error",
                GRAPHQL_RESPONSE_JSON,
                "INTERNAL_SERVER_ERROR",
                requestId=current_request_id(),
            )
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
        media_type = error_media_type(negotiated)
        try:
            if declared_length_over(request.scope, self.settings.max_body_bytes):
                raise PayloadTooLarge(self.settings.max_body_bytes)
            return await self.run(request)
        except HTTPException as error:
            return self._http_error_response(request, error)
        except BadRequest as error:
            return self._error_response(400, str(error), media_type, "BAD_REQUEST")
        except PayloadTooLarge as error:
            # The rest of the body is not read: the connection cannot serve another request.
            return self._error_response(
                413, str(error), media_type, "PAYLOAD_TOO_LARGE", connection="close"
            )
        except ServiceUnavailable as error:  # authentication could not reach the database
            body = {
                "data": None,
                "errors": [{"message": str(error), "extensions": error.extensions}],
            }
            headers = {"retry-after": str(error.extensions["retryAfter"])}
            media_type = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
            return Response(self.encode_json(body), 503, headers, media_type=media_type)
        except PersistedQueryNotFound as error:
            # As Apollo Server: 200 (nothing may mask the body), never cached; the client retries.
            return self._error_response(
                200, str(error), media_type, error.code, cache_control=NOT_CACHED
            )

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """Strawberry's rule (a browser's GET without `query`), except that a GET carrying
        `extensions` is a persisted query sent by hash, not a browser."""
        has_extensions = request.query_params.get("extensions") is not None
        return super().should_render_graphql_ide(request) and not has_extensions

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        """The request's parameters (`app.http.params`), with a persisted document resolved.

        Raises `BadRequest` for a malformed request (no query included) and
        `PersistedQueryNotFound` for an unknown persisted query.
        """
        transport = self._get_stream_transport_from_headers(request.headers)
        if request.method == "GET":
            params = params_from_query_string(request.query_params)
        elif "application/json" in parse_content_type(request.content_type or "")[0]:
            params = params_from_body(await request.get_body())
        else:
            raise HTTPException(400, "Unsupported content type")
        params = self.persisted_queries.resolve(params)
        if params.query is None:
            raise BadRequest("No GraphQL query found in the request")
        return GraphQLRequestData(
            query=params.query,
            variables=params.variables,
            operation_name=params.operation_name,
            extensions=params.extensions,
            protocol=transport.protocol if transport else "http",
        )

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
            return self._error_response(415, error.reason, media_type, "BAD_REQUEST")
        return self._error_response(error.status_code, error.reason, media_type, "BAD_REQUEST")

    def _error_response(
        self,
        status: int,
        message: str,
        media_type: str,
        code: str,
        *,
        allow: str | None = None,
        connection: str | None = None,
        cache_control: str | None = None,
        **extensions: object,
    ) -> Response:
        body = self.encode_json(_error_body(message, code, **extensions))
        headers = {"allow": allow, "connection": connection, "cache-control": cache_control}
        present = {name: value for name, value in headers.items() if value is not None}
        return Response(body, status, present, media_type=f"{media_type}; charset=utf-8")

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
        later = retry_later(response_data) if isinstance(response_data, dict) else None
        if later is not None:
            media_type = GRAPHQL_RESPONSE_JSON
            response.status_code, seconds = later
            response.headers["retry-after"] = str(seconds)
        elif isinstance(response_data, dict) and "data" not in response_data:  # a request error
            media_type = error_media_type(negotiated)
            response.status_code = 400 if media_type == GRAPHQL_RESPONSE_JSON else 200
        else:
            media_type = JSON if negotiated == EITHER else negotiated
        response.headers["content-type"] = f"{media_type}; charset=utf-8"
        return response
