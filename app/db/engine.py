"""The async engine and session factory, with each dialect's quirks handled once."""

import contextlib
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
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


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on (or cascades silently do nothing), WAL, and a busy timeout."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


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


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine for `database_url` (SQLite via aiosqlite or PostgreSQL via asyncpg).

    For a file-based SQLite database the parent directory is created (see
    `ensure_sqlite_directory`). Extra keyword arguments go to `create_async_engine`.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        ensure_sqlite_directory(url)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _on_sqlite_connect)
        return engine
    kwargs.setdefault("connect_args", {}).setdefault("server_settings", POSTGRES_SETTINGS)
    return create_async_engine(url, **kwargs)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay readable after commit (`expire_on_commit=False`)."""
    return async_sessionmaker(engine, expire_on_commit=False)
