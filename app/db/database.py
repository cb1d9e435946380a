"""The request's database handle: the one door every statement of a request goes through.

A `Database` lives for one HTTP request or one WebSocket event (made fresh for each),
and holds at most one session. Every rule about running statements lives here:

- reads (`read`) take turns and are never interrupted half-way: each runs in a task of
  its own, shielded from its caller's cancellation, while it holds the handle's lock,
  so `close()` always finds the connection idle, even when graphql-core cancelled the
  resolvers still waiting beside a failed field, or a dataloader batch is still
  running when the response is complete;
- every write is one `transaction()`, which holds the same lock from BEGIN to COMMIT,
  so no read interleaves with it;
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
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Executable

from app.db.engine import (
    SNAPSHOT_OPTIONS,
    SNAPSHOT_START,
    WRITE,
    create_engine,
    create_sessionmaker,
    is_unavailable,
)
from app.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

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
    """A statement was asked for after the handle was closed."""


def _observe(task: "asyncio.Future[Any]") -> None:
    """Retrieve a finished statement task's exception, so that one whose caller was
    cancelled or has gone is not reported as never retrieved."""
    if not task.cancelled():
        task.exception()


class Database:
    """One request's (or one WebSocket event's) handle on the database.

    `sessionmaker` makes the session, opened on first use and closed by `close()`;
    `statement_timeout_ms` bounds the statements of a snapshot's own connection
    (`read_before_this_change`).
    """

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], *, statement_timeout_ms: int | None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._statement_timeout_ms = statement_timeout_ms
        self._session: AsyncSession | None = None
        self._snapshot: AsyncSession | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def engine(self) -> AsyncEngine:
        """The engine the sessions are bound to."""
        bind = self._sessionmaker.kw["bind"]
        assert isinstance(bind, AsyncEngine)
        return bind

    @property
    def dialect(self) -> str:
        """Name of the database's SQLAlchemy dialect: "postgresql" or "sqlite"."""
        return self.engine.dialect.name

    def _open(self) -> AsyncSession:
        if self._session is None:
            self._session = self._sessionmaker()
        return self._session

    async def read(
        self, statement: Executable, parameters: dict[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        """All rows of a Core read statement run with `parameters`.

        Runs alone (see the module) on the session's connection, or on the snapshot
        of `read_before_this_change`. Raises `ServiceUnavailable` on an outage, after
        which the request's next read may try again, and `RequestFinished` once
        `close()` has begun.
        """
        task = asyncio.ensure_future(self._read_alone(statement, parameters))
        task.add_done_callback(_observe)
        return await asyncio.shield(task)

    async def _read_alone(
        self, statement: Executable, parameters: dict[str, Any] | None
    ) -> Sequence[Row[Any]]:
        async with self._lock:
            if self._closed:
                raise RequestFinished("the request's database handle is closed")
            try:
                with _door():
                    session = self._snapshot or self._open()
                    connection = await session.connection()
                    return (await connection.execute(statement, parameters)).all()
            except ServiceUnavailable:
                await self._rollback()
                raise

    async def read_scalar(
        self, statement: Executable, parameters: dict[str, Any] | None = None
    ) -> Any:
        """The first column of the first row of a Core read statement (None without rows)."""
        rows = await self.read(statement, parameters)
        return rows[0][0] if rows else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """One write transaction on a Core connection: committed when the block ends,
        rolled back if it raises. No read runs while it is open.

        On SQLite the read-only transaction of earlier reads is ended first, so this
        one begins with `BEGIN IMMEDIATE`: what it reads cannot change before it writes.
        An outage in the block or at COMMIT raises `ServiceUnavailable` (see the module).
        """
        await self._end_snapshot()
        async with self._lock:
            if self._closed:
                raise RequestFinished("the request's database handle is closed")
            session = self._open()
            try:
                with _door():
                    if self.dialect == "sqlite":
                        if session.in_transaction():
                            await session.commit()
                        connection = await session.connection(execution_options={WRITE: True})
                    else:
                        connection = await session.connection()
                    yield connection
                    await self._commit(session)
            except BaseException:
                await self._rollback()
                raise

    async def read_before_this_change(self) -> None:
        """From inside a `transaction()`: serve the request's reads, until its next write
        transaction, from a snapshot of the database as it is now, before this
        transaction's changes are committed.

        For an answer that shows what the caller saw before a change that takes their view
        away (a member leaving a project). The snapshot's connection is a new one, not
        from the pool: this transaction holds locks that other requests holding pooled
        connections wait for, so waiting for the pool here could wait for ever.
        """
        engine = create_engine(
            self.engine.url, statement_timeout_ms=self._statement_timeout_ms, poolclass=NullPool
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
        self._snapshot = snapshot  # the transaction holds the lock

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

    async def close(self) -> None:
        """Close the session, if one was opened (rolling back what was left open).

        Waits for a statement still running (a loader batch whose callers are gone);
        statements asked for from now on raise `RequestFinished` instead of reopening it.
        """
        self._closed = True
        await self._end_snapshot()
        async with self._lock:
            if self._session is not None:
                try:
                    await self._session.close()
                except Exception as error:  # the connection is gone: nothing to release
                    if not is_unavailable(error):
                        raise
