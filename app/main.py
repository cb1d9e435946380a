"""The ASGI application: `/graphql` (HTTP and WebSocket), `/health` and `/health/db`."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.config import Settings, load_settings
from app.db.engine import create_engine, create_sessionmaker
from app.http.persisted import persisted_queries_for
from app.http.view import GraphQLView
from app.ratelimit import RateLimiter
from app.request_id import RequestIdMiddleware
from app.schema import create_schema

logger = logging.getLogger(__name__)

DB_CHECK_TIMEOUT_SECONDS = 1.5  # API.md: answer within 2 s even when the database hangs


async def health(_request: Request) -> JSONResponse:
    """Liveness: the process serves requests."""
    return JSONResponse({"status": "ok"})


async def _select_one(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


# Checks given up on, still cleaning up; kept referenced until they finish.
_abandoned_checks: set[asyncio.Task[None]] = set()


def _forget_check(task: asyncio.Task[None]) -> None:
    _abandoned_checks.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not report it as never retrieved


async def database_answers(engine: AsyncEngine) -> bool:
    """Whether `SELECT 1` succeeds within `DB_CHECK_TIMEOUT_SECONDS`.

    The check runs in its own task and the answer does not wait for its
    clean-up: a pooled connection whose server stopped answering is cancelled
    mid-query, and returning it to the pool can block on that same server for
    seconds more. The abandoned task finishes its clean-up in the background.
    """
    check = asyncio.create_task(_select_one(engine))
    try:
        await asyncio.wait_for(asyncio.shield(check), DB_CHECK_TIMEOUT_SECONDS)
    except asyncio.CancelledError:
        check.cancel()
        raise
    except Exception as error:  # any failure means "not ready"; the reason goes to the log
        if not check.done():
            check.cancel()
            _abandoned_checks.add(check)
            check.add_done_callback(_forget_check)
        logger.warning("database check failed: %s", type(error).__name__)
        return False
    return True


def create_app(
    settings: Settings | None = None, *, rate_limiter: RateLimiter | None = None
) -> Starlette:
    """Build the application for `settings` (default: from the environment).

    The engine and the rate limiter (default: one for `settings`) are created here
    and closed when the lifespan ends. Raises `InvalidSettings` for a bad
    `PERSISTED_QUERIES_FILE`.
    """
    settings = settings or load_settings()
    persisted_queries = persisted_queries_for(settings)
    # Resolve the signing key now: an unwritable ./var/ fails start-up, not the first login.
    settings.jwt_key  # noqa: B018
    engine = create_engine(
        settings.database_url, statement_timeout_ms=settings.statement_timeout_ms
    )
    limiter = rate_limiter or RateLimiter(settings)
    view = GraphQLView(
        create_schema(introspection=settings.introspection_enabled),
        settings=settings,
        sessionmaker=create_sessionmaker(engine),
        persisted_queries=persisted_queries,
        rate_limiter=limiter,
    )

    async def health_db(_request: Request) -> JSONResponse:
        """Readiness: 200 when the database answers, else 503 within 2 s."""
        if await database_answers(engine):
            return JSONResponse({"status": "ok", "database": "ok"})
        return JSONResponse({"status": "error", "database": "unavailable"}, status_code=503)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if _abandoned_checks:  # let given-up checks finish their clean-up, briefly
            await asyncio.wait(set(_abandoned_checks), timeout=DB_CHECK_TIMEOUT_SECONDS)
        await engine.dispose()
        await limiter.close()

    # The client IP of API.md "Limits": X-Forwarded-For only from FORWARDED_ALLOW_IPS.
    middleware = [
        Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips),
        Middleware(RequestIdMiddleware),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "x-request-id"],
                expose_headers=["x-request-id"],
            )
        )
    return Starlette(
        routes=[
            Route("/health", health),
            Route("/health/db", health_db),
            Route("/graphql", view),  # every method: the view answers 405 itself
            WebSocketRoute("/graphql", view),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
