"""Async alembic environment: one history for SQLite (batch mode) and PostgreSQL.

The URL comes from `config.attributes["database_url"]` (see `app/db/migrate.py`)
or, for the `alembic` command line, from the settings (`DATABASE_URL`).
"""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.config import Settings
from app.db import models  # noqa: F401  (registers the tables on Base.metadata)
from app.db.base import Base
from app.db.engine import ensure_sqlite_directory

config = context.config
database_url: str = config.attributes.get("database_url") or Settings().database_url


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    # No PRAGMA foreign_keys here: SQLite batch mode recreates tables, and with
    # foreign keys on, dropping the old table would cascade into its children.
    ensure_sqlite_directory(database_url)  # `make run` on a fresh checkout has no ./var/ yet
    engine = create_async_engine(database_url, poolclass=NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(run_with)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_online())
