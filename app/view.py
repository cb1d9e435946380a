"""GraphQL over HTTP (graphql-over-http spec, 2025 watershed) and WebSocket at `/graphql`.

Strawberry's Starlette view does the GraphQL work; this subclass adds what the
spec asks of the transport and Strawberry leaves out:

- content negotiation between `application/graphql-response+json` (preferred,
  and assumed without an `Accept` header) and `application/json`; 406 when
  neither is acceptable;
- with `application/graphql-response+json`, 400 for request errors (parse,
  validation, variable coercion), which carry no `data` entry;
- with `application/json`, 200 for every well-formed request;
- 405 with `Allow` for a mutation over GET or another method; 415 for a body
  that is not JSON; malformed requests get 400 with a GraphQL error body.
"""

from cross_web import HTTPException, StarletteRequestAdapter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from app.config import Settings
from app.context import Context, bearer_token

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
SUPPORTED = (GRAPHQL_RESPONSE_JSON, JSON)


def negotiate(accept: str | None) -> str | None:
    """The response media type for an `Accept` header, or None if neither is acceptable.

    Honours q-values and wildcards; on a tie, and without a header, prefers
    `application/graphql-response+json` (spec §"Accept", after the 2025 watershed).
    """
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE_JSON
    best: tuple[float, int, str] | None = None
    for part in accept.split(","):
        media_range, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media_range = media_range.lower()
        for preference, media_type in enumerate(SUPPORTED):
            kind = media_type.split("/")[0]
            if media_range in (media_type, f"{kind}/*", "*/*") and quality > 0:
                candidate = (quality, -preference, media_type)
                best = candidate if best is None or candidate > best else best
    return None if best is None else best[2]


def is_request_error(result: ExecutionResult) -> bool:
    """True when the request failed before execution: nothing ran, so no `data` entry."""
    if isinstance(result, PreExecutionError):
        return True
    return result.data is None and all(error.path is None for error in result.errors or ())


def _error_body(message: str, code: str) -> GraphQLHTTPResponse:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


class GraphQLView(GraphQL[Context, None]):
    """The `/graphql` endpoint: HTTP per the spec above, GraphiQL, and WebSocket subscriptions."""

    def __init__(
        self,
        schema: BaseSchema,
        *,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if settings.graphiql_enabled else None)
        self.settings = settings
        self.sessionmaker = sessionmaker

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        return Context(
            settings=self.settings,
            sessionmaker=self.sessionmaker,
            token=bearer_token(request.headers.get("authorization")),
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
        request = Request(scope, receive=receive)
        response = await self._respond(request)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        wants_ide = self.should_render_graphql_ide(StarletteRequestAdapter(request))
        media_type = None if wants_ide else negotiate(request.headers.get("accept"))
        if media_type is None and not wants_ide:
            return self._error_response(
                406, f"Accept one of: {', '.join(SUPPORTED)}", JSON, "GRAPHQL_VALIDATION_FAILED"
            )
        request.state.media_type = media_type or GRAPHQL_RESPONSE_JSON
        context = await self.get_context(request)
        try:
            return await self.run(request, context=context)
        except HTTPException as error:
            return self._http_error_response(request, error)
        finally:
            await context.close()

    def _http_error_response(self, request: Request, error: HTTPException) -> Response:
        media_type: str = request.state.media_type
        if isinstance(error.__cause__, InvalidOperationTypeError) or error.status_code == 405:
            response = self._error_response(
                405, error.reason, media_type, "GRAPHQL_VALIDATION_FAILED"
            )
            response.headers["allow"] = "POST" if request.method == "GET" else "GET, POST"
            return response
        if error.reason == "Unsupported content type":
            return self._error_response(415, error.reason, media_type, "GRAPHQL_PARSE_FAILED")
        return self._error_response(
            error.status_code, error.reason, media_type, "GRAPHQL_PARSE_FAILED"
        )

    def _error_response(self, status: int, message: str, media_type: str, code: str) -> Response:
        body = self.encode_json(_error_body(message, code))
        return Response(body, status_code=status, media_type=media_type)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = request.state.media_type
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
        media_type = sub_response.media_type or GRAPHQL_RESPONSE_JSON
        response.headers["content-type"] = f"{media_type}; charset=utf-8"
        if (
            media_type == GRAPHQL_RESPONSE_JSON
            and isinstance(response_data, dict)
            and "data" not in response_data
        ):
            response.status_code = 400
        return response
