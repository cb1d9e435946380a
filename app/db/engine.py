"""The async engine and session factory, with each dialect's quirks handled once.

- SQL parameters never reach a log or an exception message (`hide_parameters`).
- Every statement has a timeout (API.md "Limits", `STATEMENT_TIMEOUT_MS`): PostgreSQL's
  `statement_timeout`; on SQLite a progress handler interrupts a statement past it.
- `SNAPSHOT_OPTIONS` open a read-only transaction that sees one snapshot throughout.
- On SQLite a transaction opened with the `WRITE` execution option starts with
  `BEGIN IMMEDIATE` (SQLAlchemy's documented recipe of taking over BEGIN in a "begin"
  event): it takes the write lock first, waiting up to the busy timeout, so what it
  reads cannot change before it writes. Reads keep the sqlite3 driver's legacy mode
  (no BEGIN, no lock held).
- `is_unavailable` tells an outage (unreachable, lost, timed out, locked) from a bug.
"""

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Connection, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 5000
# asyncpg prepares every statement; after five runs PostgreSQL may switch to a
# generic plan, which for id lists and per-viewer joins was up to 30x slower
# (bench/README.md). Plan each execution for its parameters instead.
POSTGRES_SETTINGS = {"plan_cache_mode": "force_custom_plan"}
# Execution option of a session's connection: the transaction it begins will write.
WRITE = "tasktracker_write"
# Execution option: a read-only transaction that keeps one snapshot of the database.
SNAPSHOT = "tasktracker_snapshot"
# How each dialect opens such a snapshot: the connection's options, then a first statement
# (PostgreSQL takes the snapshot at the first statement, SQLite at the first read of a table).
SNAPSHOT_OPTIONS: dict[str, dict[str, Any]] = {
    "postgresql": {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True},
    "sqlite": {SNAPSHOT: True},
}
SNAPSHOT_START = {"postgresql": "SELECT 1", "sqlite": "SELECT count(*) FROM sqlite_master"}
# SQLite calls the progress handler every this many virtual machine instructions.
PROGRESS_INSTRUCTIONS = 1000
_CLOCK = "statement_clock"  # key of a SQLite connection's `_StatementClock` in its info
# SQLSTATE classes of an outage: connection exception, insufficient resources, operator
# intervention (57014 is a statement timeout, 57P01-03 a shutdown or start-up).
POSTGRES_OUTAGE_CLASSES = ("08", "53", "57")
# SQLite primary result codes of an outage: BUSY/LOCKED (the busy timeout ran out),
# INTERRUPT (the statement timeout), IOERR, FULL, CANTOPEN, PROTOCOL.
SQLITE_OUTAGE_CODES = frozenset({5, 6, 9, 10, 13, 14, 15})


class _StatementClock:
    """The deadline of the statement running on one SQLite connection.

    `expired` is its progress handler: sqlite3 runs it on the connection's thread every
    `PROGRESS_INSTRUCTIONS` instructions and interrupts the statement when it is true.
    """

    def __init__(self, timeout_ms: int) -> None:
        self.timeout = timeout_ms / 1000
        self.deadline: float | None = None

    def start(self) -> None:
        self.deadline = time.monotonic() + self.timeout

    def stop(self) -> None:
        self.deadline = None

    def expired(self) -> bool:
        deadline = self.deadline
        return deadline is not None and time.monotonic() > deadline


def _sqlite_connect_handler(timeout_ms: int | None) -> Any:
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        """Foreign keys on (or cascades silently do nothing), WAL, a busy timeout (a wait
        for the lock is part of the statement: at most its timeout), and the statement
        clock's progress handler."""
        busy_timeout = min(SQLITE_BUSY_TIMEOUT_MS, timeout_ms or SQLITE_BUSY_TIMEOUT_MS)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
        cursor.close()
        if timeout_ms is not None:
            clock = record.info[_CLOCK] = _StatementClock(timeout_ms)
            dbapi_connection.run_async(
                lambda driver: driver.set_progress_handler(clock.expired, PROGRESS_INSTRUCTIONS)
            )

    return on_connect


def _start_clock(connection: Connection, *_args: Any) -> None:
    clock = connection.info.get(_CLOCK)
    if clock is not None:
        clock.start()


def _stop_clock(connection: Connection, *_args: Any) -> None:
    clock = connection.info.get(_CLOCK)
    if clock is not None:
        clock.stop()


def _stop_clock_on_error(context: ExceptionContext) -> None:
    if context.connection is not None and not context.connection.invalidated:
        _stop_clock(context.connection)


def _begin_sqlite(connection: Connection) -> None:
    """BEGIN IMMEDIATE for a transaction that will write (the `WRITE` option), BEGIN for
    one that keeps a snapshot (`SNAPSHOT`); other reads run in the driver's legacy mode."""
    options = connection.get_execution_options()
    if options.get(WRITE):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif options.get(SNAPSHOT):
        connection.exec_driver_sql("BEGIN")


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot serve now rather than a bug: it cannot
    be reached, the connection was lost, the pool timed out, a statement timed out, or
    SQLite's lock could not be had in time (API.md "Errors": `SERVICE_UNAVAILABLE`)."""
    if isinstance(error, exc.TimeoutError | OSError):  # pool timeout; refused, reset
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        original = error.orig
        if isinstance(original, sqlite3.Error):
            return original.sqlite_errorcode & 0xFF in SQLITE_OUTAGE_CODES
        sqlstate = getattr(original, "sqlstate", None) or ""
        return sqlstate[:2] in POSTGRES_OUTAGE_CLASSES
    return False


def ensure_sqlite_directory(database_url: str | URL) -> None:
    """For a file-based SQLite database, create its parent directory if it is missing.

    Best effort: when the directory cannot be created, opening the database
    fails later, where the caller reports it (a 503 from `/health/db`, or the
    migration's error), instead of failing here.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    if url.database.startswith("file:"):  # a URI filename (`?uri=true`): left to SQLite
        return
    with contextlib.suppress(OSError):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(
    database_url: str | URL, *, statement_timeout_ms: int | None = None, **kwargs: Any
) -> AsyncEngine:
    """Create the async engine for `database_url` (SQLite via aiosqlite or PostgreSQL via asyncpg).

    `statement_timeout_ms` bounds every statement (None: no bound). For a file-based
    SQLite database the parent directory is created (see `ensure_sqlite_directory`).
    Extra keyword arguments go to `create_async_engine`.
    """
    url = make_url(database_url)
    kwargs.setdefault("hide_parameters", True)
    if url.get_backend_name() == "sqlite":
        ensure_sqlite_directory(url)
        engine = create_async_engine(url, **kwargs)
        sync_engine = engine.sync_engine
        event.listen(sync_engine, "connect", _sqlite_connect_handler(statement_timeout_ms))
        event.listen(sync_engine, "begin", _begin_sqlite)
        if statement_timeout_ms is not None:
            event.listen(sync_engine, "before_cursor_execute", _start_clock)
            event.listen(sync_engine, "after_cursor_execute", _stop_clock)
            event.listen(sync_engine, "handle_error", _stop_clock_on_error)
        return engine
    settings = dict(POSTGRES_SETTINGS)
    if statement_timeout_ms is not None:
        settings["statement_timeout"] = str(statement_timeout_ms)
    kwargs.setdefault("connect_args", {}).setdefault("server_settings", settings)
    return create_async_engine(url, **kwargs)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay readable after commit (`expire_on_commit=False`)."""
    return async_sessionmaker(engine, expire_on_commit=False)
