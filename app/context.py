"""The per-request GraphQL context: settings, one database session, the viewer.

It is the database's only door for resolvers (`fetch`, `transaction`, the viewer
look-up), so two policies live here and nowhere else:

- an outage (see `app.db.engine.is_unavailable`) becomes `ServiceUnavailable` with
  `retryAfter` (API.md "Errors"), logged at WARNING without SQL or parameters;
- a write transaction is never ambiguous: acknowledged means committed, an error means
  nothing was written. On SQLite it starts with `BEGIN IMMEDIATE` (the `WRITE` option);
  on PostgreSQL, when COMMIT loses its connection, the transaction's id (read just
  before COMMIT) is looked up with `pg_xact_status()` on a new connection: committed is
  acknowledged, aborted is an error. Only when the database stays unreachable for
  `COMMIT_CHECK_SECONDS` is the error sent while the outcome is unknown.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Executable
from starlette.responses import Response

from app.config import Settings
from app.db.engine import (
    SNAPSHOT_OPTIONS,
    SNAPSHOT_START,
    WRITE,
    create_engine,
    create_sessionmaker,
    is_unavailable,
)
from app.errors import ServiceUnavailable, Unauthenticated
from app.loaders import Loaders
from app.ratelimit import RateLimiter
from app.resolvers.auth import authenticate
from app.security import AccessClaims, decode_access_token

logger = logging.getLogger(__name__)

_UNSET = object()
_REVOKED = object()
T = TypeVar("T")
RETRY_AFTER_SECONDS = 1
COMMIT_CHECK_SECONDS = 10.0
COMMIT_CHECK_INTERVAL_SECONDS = 0.25
# PostgreSQL: the id of the transaction if it wrote anything, and its fate afterwards.
CURRENT_XID = text("SELECT CAST(pg_current_xact_id_if_assigned() AS text)::bigint")
XACT_STATUS = text("SELECT pg_xact_status(CAST(:xid AS xid8))")


def _describe(error: BaseException) -> str:
    """The kind of a database error, for a log line: class names and SQLSTATE, no SQL."""
    original = getattr(error, "orig", None)
    code = getattr(original, "sqlstate", None) or getattr(original, "sqlite_errorname", None)
    kinds = [type(error).__name__, *([type(original).__name__] if original else [])]
    return "/".join(kinds) + (f" ({code})" if code else "")


@contextlib.contextmanager
def _door() -> Iterator[None]:
    """Turn an outage raised in the block into `ServiceUnavailable`; let the rest through."""
    try:
        yield
    except Exception as error:
        if not is_unavailable(error):
            raise
        logger.warning("database unavailable: %s", _describe(error))
        raise ServiceUnavailable(RETRY_AFTER_SECONDS) from error


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
    _snapshot: AsyncSession | None = field(default=None, init=False)
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
    def engine(self) -> AsyncEngine:
        """The engine the sessions are bound to."""
        bind = self.sessionmaker.kw["bind"]
        assert isinstance(bind, AsyncEngine)
        return bind

    @property
    def dialect(self) -> str:
        """Name of the database's SQLAlchemy dialect: "postgresql" or "sqlite"."""
        return self.engine.dialect.name

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
                try:
                    with _door():
                        return await work(self._snapshot or self.session)
                except ServiceUnavailable:
                    await self._rollback()  # so that the request's next reads may try again
                    raise

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
        """One write transaction: committed when the block ends, rolled back if it raises.

        On SQLite the read-only transaction of the viewer look-up is ended first, so this
        one begins with `BEGIN IMMEDIATE`: what it reads cannot change before it writes.
        An outage in the block or at COMMIT raises `ServiceUnavailable` (see the module).
        """
        await self._end_snapshot()
        session = self.session
        try:
            with _door():
                if self.dialect == "sqlite":
                    if session.in_transaction():
                        await session.commit()
                    await session.connection(execution_options={WRITE: True})
                yield session
                await self._commit(session)
        except BaseException:
            await self._rollback()
            raise

    async def read_before_this_change(self) -> None:
        """Serve the request's reads, until its next write transaction, from a snapshot of
        the database as it is now, before the open transaction's changes are committed.

        For an answer that shows what the caller saw before a change that takes their view
        away (a member leaving a project). The snapshot's connection is a new one, not
        from the pool: this transaction holds locks that other requests holding pooled
        connections wait for, so waiting for the pool here could wait for ever.
        """
        engine = create_engine(
            self.engine.url,
            statement_timeout_ms=self.settings.statement_timeout_ms,
            poolclass=NullPool,
        )
        snapshot = create_sessionmaker(engine)()
        try:
            with _door():
                await snapshot.connection(execution_options=SNAPSHOT_OPTIONS[self.dialect])
                await snapshot.execute(text(SNAPSHOT_START[self.dialect]))
        except BaseException:
            await snapshot.close()
            await engine.dispose()
            raise
        async with self._lock:
            self._snapshot = snapshot

    async def _end_snapshot(self) -> None:
        async with self._lock:
            snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None:
            with contextlib.suppress(ServiceUnavailable), _door():
                await snapshot.close()
            bind = snapshot.bind
            assert isinstance(bind, AsyncEngine)
            await bind.dispose()

    async def _commit(self, session: AsyncSession) -> None:
        """COMMIT; on PostgreSQL, a COMMIT whose connection was lost counts as done when
        `pg_xact_status()` says the transaction committed."""
        xid = await session.scalar(CURRENT_XID) if self.dialect == "postgresql" else None
        try:
            await session.commit()
        except Exception as error:
            if xid is None or not is_unavailable(error) or not await self._committed(xid):
                raise
            logger.warning("COMMIT lost its connection; transaction %s did commit", xid)
            await self._rollback()

    async def _committed(self, xid: int) -> bool:
        """Whether PostgreSQL transaction `xid` committed, asked on new connections until
        it is decided or `COMMIT_CHECK_SECONDS` pass (then False, and logged)."""
        deadline = time.monotonic() + COMMIT_CHECK_SECONDS
        while time.monotonic() < deadline:
            try:
                async with self.engine.connect() as connection:
                    status = await connection.scalar(XACT_STATUS, {"xid": xid})
            except Exception as error:
                if not is_unavailable(error):
                    raise
            else:
                if status != "in progress":
                    return bool(status == "committed")
            await asyncio.sleep(COMMIT_CHECK_INTERVAL_SECONDS)
        logger.error("COMMIT lost its connection; outcome of transaction %s unknown", xid)
        return False

    async def _rollback(self) -> None:
        """Roll back what is open; a connection that is gone has nothing left to roll back."""
        if self._session is None:
            return
        try:
            await self._session.rollback()
        except Exception as error:
            if not is_unavailable(error):
                raise

    @cached_property
    def _verified_claims(self) -> AccessClaims | None:
        """The bearer token's claims if it verifies, else None; verified once per request."""
        return None if self.token is None else decode_access_token(self.settings, self.token)

    @property
    def claims(self) -> AccessClaims | None:
        """Claims of the bearer token; raises `Unauthenticated` when one was sent but is invalid."""
        claims = self._verified_claims
        if self.token is not None and claims is None:
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
            claims = self._verified_claims
            if self.token is None:
                self._viewer = None
            elif claims is None:
                self._refuse_token("invalid or expired", user_id=None)
            else:
                if self._viewer_lookup is None:
                    self._viewer_lookup = self._start(lambda session: authenticate(session, claims))
                user = await asyncio.shield(self._viewer_lookup)
                if user is None:
                    self._refuse_token("session revoked or expired", user_id=claims.user_id)
                else:
                    self._viewer = user
        if self._viewer is _REVOKED:
            raise Unauthenticated("Invalid or expired token")
        assert self._viewer is None or isinstance(self._viewer, Row)
        return self._viewer

    def _refuse_token(self, reason: str, *, user_id: int | None) -> None:
        """Remember that the access token is refused, and log it once (never the token)."""
        if self._viewer is not _REVOKED:
            self._viewer = _REVOKED
            logger.info(
                "access token refused (%s): user %s, client %s",
                reason,
                user_id,
                self.client_ip,
                extra={"user_id": user_id, "client_ip": self.client_ip},
            )

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
        await self._end_snapshot()
        if self._session is not None:
            async with self._lock:
                try:
                    await self._session.close()
                except Exception as error:  # the connection is gone: nothing to release
                    if not is_unavailable(error):
                        raise
