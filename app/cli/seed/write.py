"""Writing the demo data: `seed(engine, scale, ...)` generates it and inserts it.

In: an engine on a migrated database (or, for `migrate_and_seed`, a database URL: it
migrates with `app.db.migrate.upgrade` first), a `Scale`, a seed and "now", and `reset`.
Out: the rows in the database and the `Dataset` written; `DatabaseNotEmpty` when the
database already holds users or projects and `reset` (delete every row first) was not asked.

Rows are written with Core bulk inserts (executemany of lists of dicts) with the ids the
generator chose, so 20,000 tasks take seconds. Every user's password is `demo-password`
(hashed once).
"""

import asyncio
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.cli.seed.dataset import Dataset
from app.cli.seed.generate import DEFAULT_SEED, DEMO_PASSWORD, Scale, generate
from app.db.base import Base
from app.db.engine import create_engine
from app.db.migrate import upgrade
from app.db.models import members, projects, tags, task_tags, tasks, users
from app.security import hash_password

CHUNK = 5_000  # rows per executemany
DEFAULT_SCALE = Scale()  # frozen: a safe default argument


class DatabaseNotEmpty(Exception):
    """The database already holds users or projects (and `reset` was not asked)."""


def _chunks(rows: Sequence[dict[str, Any]], size: int) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _has_rows(connection: AsyncConnection) -> bool:
    for table in (users, projects):
        if await connection.scalar(select(func.count()).select_from(table)):
            return True
    return False


async def _delete_all(connection: AsyncConnection) -> None:
    """Delete every row of every table (children first); PostgreSQL truncates."""
    if connection.dialect.name == "postgresql":
        names = ", ".join(table.name for table in Base.metadata.sorted_tables)
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    for table in reversed(Base.metadata.sorted_tables):
        await connection.execute(table.delete())


async def _finish_postgresql(connection: AsyncConnection) -> None:
    """PostgreSQL: move each id sequence past the ids written here (so inserts keep
    working), and refresh the planner's statistics of the freshly filled tables
    (autovacuum may be off or late; without them the planner guesses badly)."""
    if connection.dialect.name != "postgresql":
        return
    for table in (users, projects, tasks, tags):
        await connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table.name}))"
            )
        )
    names = ", ".join(table.name for table in (users, projects, members, tags, tasks, task_tags))
    await connection.execute(text(f"ANALYZE {names}"))


async def insert_dataset(engine: AsyncEngine, data: Dataset, *, reset: bool = False) -> None:
    """Write `data` in one transaction; raises `DatabaseNotEmpty` unless empty or `reset`."""
    async with engine.begin() as connection:
        if reset:
            await _delete_all(connection)
        elif await _has_rows(connection):
            msg = "the database already has users or projects; pass --reset to replace them"
            raise DatabaseNotEmpty(msg)
        for table, rows in data.tables():
            for chunk in _chunks(rows, CHUNK):
                await connection.execute(table.insert(), list(chunk))
        await _finish_postgresql(connection)


async def seed(
    engine: AsyncEngine,
    scale: Scale = DEFAULT_SCALE,
    *,
    reset: bool = False,
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
) -> Dataset:
    """Generate and insert the demo data into a migrated database; returns what was written."""
    password_hash = await hash_password(DEMO_PASSWORD)
    data = generate(scale, password_hash=password_hash, seed=seed, now=now)
    await insert_dataset(engine, data, reset=reset)
    return data


async def _run(database_url: str, scale: Scale, *, reset: bool, seed_value: int) -> Dataset:
    engine = create_engine(database_url)
    try:
        return await seed(engine, scale, reset=reset, seed=seed_value)
    finally:
        await engine.dispose()


def migrate_and_seed(database_url: str, scale: Scale, *, reset: bool, seed_value: int) -> Dataset:
    """Migrate the database at `database_url` to head, then `seed` it (own event loop)."""
    upgrade(database_url)
    return asyncio.run(_run(database_url, scale, reset=reset, seed_value=seed_value))
