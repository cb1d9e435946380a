"""The per-request GraphQL context: settings, one database session, the viewer."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql import Executable
from starlette.responses import Response

from app.config import Settings
from app.errors import Unauthenticated
from app.loaders import Loaders
from app.ratelimit import RateLimiter
from app.resolvers.auth import authenticate
from app.security import AccessClaims, decode_access_token

_UNSET = object()
_REVOKED = object()
T = TypeVar("T")


class RequestFinished(RuntimeError):
    """A statement was asked for after the request's session was closed."""


def _observe(task: "asyncio.Future[Any]") -> None:
    """Retrieve a finished statement task's exception, so that one whose caller was
    cancelled or has gone is not reported as never retrieved."""
    if not task.cancelled():
        task.exception()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value (scheme case-insensitive).

    None when no header was sent; "" when one was sent that is not a bearer token,
    so that it is refused like any other invalid token.
    """
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@dataclass
class Context:
    """What every resolver gets as `info.context`.

    `token` is the bearer token sent with the request, if any; `client_ip` the
    client's address (API.md "Limits"); `response` the HTTP response being built,
    for headers (None over WebSocket); `rate_limiter` the application's counters
    (None: no rate limits). The database
    session is opened on first use and closed by `close()`; the viewer is
    looked up once.

    Reads run one at a time (`_alone`) and are never interrupted half-way, so
    `close()` always finds the connection idle, even when graphql-core cancelled
    the resolvers still waiting beside a failed field, or a loader's batch is
    still running when the response is complete.
    """

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    token: str | None
    client_ip: str = ""
    response: Response | None = None
    rate_limiter: RateLimiter | None = None
    _session: AsyncSession | None = field(default=None, init=False)
    _viewer: object = field(default=_UNSET, init=False)
    _loaders: Loaders | None = field(default=None, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _closed: bool = field(default=False, init=False)
    _viewer_lookup: "asyncio.Task[Row[Any] | None] | None" = field(default=None, init=False)

    @property
    def session(self) -> AsyncSession:
        """The request's database session, opened on first use."""
        if self._session is None:
            self._session = self.sessionmaker()
        return self._session

    @property
    def dialect(self) -> str:
        """Name of the database's SQLAlchemy dialect: "postgresql" or "sqlite"."""
        bind = self.sessionmaker.kw["bind"]
        assert isinstance(bind, AsyncEngine)
        return bind.dialect.name

    async def _alone(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run `work` on the session while nothing else does.

        A session is not safe for concurrent use and loaders fire together, so
        statements of one request take turns. `work` runs in a task of its own
        that holds the lock until it is done: cancelling the caller does not
        interrupt a statement half-way (which would leave the connection busy).
        Raises `RequestFinished` once `close()` has begun.
        """
        return await asyncio.shield(self._start(work))

    def _start(self, work: Callable[[AsyncSession], Awaitable[T]]) -> "asyncio.Task[T]":
        """The task that runs `work` alone on the session (see `_alone`)."""

        async def locked() -> T:
            async with self._lock:
                if self._closed:
                    raise RequestFinished("the request's database session is closed")
                return await work(self.session)

        task = asyncio.ensure_future(locked())
        task.add_done_callback(_observe)
        return task

    async def fetch(
        self, statement: Executable, parameters: dict[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        """All rows of a Core read statement run with `parameters` (alone, see `_alone`).

        It runs on the session's connection, past the ORM layer it does not need.
        """

        async def rows(session: AsyncSession) -> Sequence[Row[Any]]:
            connection = await session.connection()
            return (await connection.execute(statement, parameters)).all()

        return await self._alone(rows)

    async def scalar(self, statement: Executable) -> Any:
        """The first column of the first row of a Core read statement."""
        rows = await self.fetch(statement)
        return rows[0][0] if rows else None

    async def loaders(self) -> Loaders:
        """The request's dataloaders for the viewer; raises `Unauthenticated` without one.

        One set per request, even when many resolvers ask before the viewer is known.
        """
        await self.require_viewer()
        return self.known_loaders()

    def known_loaders(self) -> Loaders:
        """The request's dataloaders, without waiting: for fields of an object that was
        loaded for the viewer, who is then known. Raises `RuntimeError` before that."""
        if self._loaders is None:
            if not isinstance(self._viewer, Row):
                raise RuntimeError("the viewer is not known yet: use `await loaders()`")
            self._loaders = Loaders(self, self._viewer.id)
        return self._loaders

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        session = self.session
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise

    @property
    def claims(self) -> AccessClaims | None:
        """Claims of the bearer token; raises `Unauthenticated` when one was sent but is invalid."""
        if self.token is None:
            return None
        claims = decode_access_token(self.settings, self.token)
        if claims is None:
            raise Unauthenticated("Invalid or expired token")
        return claims

    async def viewer(self) -> Row[Any] | None:
        """The signed-in user, or None without a token.

        Raises `Unauthenticated` for a token that is invalid, expired, or whose
        session was revoked (API.md: "always UNAUTHENTICATED, even for `me`").

        Resolvers that ask while the look-up runs all wait for that one look-up and
        resume together, so the loads they go on to make still fall into one batch.
        """
        if self._viewer is _UNSET:
            claims = self.claims
            if claims is None:
                self._viewer = None
            else:
                if self._viewer_lookup is None:
                    self._viewer_lookup = self._start(lambda session: authenticate(session, claims))
                user = await asyncio.shield(self._viewer_lookup)
                self._viewer = _REVOKED if user is None else user
        if self._viewer is _REVOKED:
            raise Unauthenticated("Invalid or expired token")
        assert self._viewer is None or isinstance(self._viewer, Row)
        return self._viewer

    async def require_viewer(self) -> Row[Any]:
        """The signed-in user; raises `Unauthenticated` without one."""
        viewer = await self.viewer()
        if viewer is None:
            raise Unauthenticated()
        return viewer

    async def close(self) -> None:
        """Close the database session, if one was opened (rolling back what was left open).

        Waits for a statement still running (a loader batch whose callers are gone);
        statements asked for from now on raise `RequestFinished` instead of reopening it.
        """
        self._closed = True
        if self._session is not None:
            async with self._lock:
                await self._session.close()
