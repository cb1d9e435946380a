"""Test harness: every test runs once per database (SQLite always, PostgreSQL when
`TEST_POSTGRES_URL` is set), against a database migrated once per run with the
real alembic history and emptied after each test.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from app.config import Settings
from app.db.base import Base
from app.db.engine import create_engine
from app.db.migrate import upgrade
from app.main import create_app
from tests.helpers import GraphQLClient
from tests.leaks import LEAKS, LeakCheckPlugin

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
DATABASES = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]
TEST_SECRET = "test-secret-" + "x" * 40
GENEROUS_LIMITS = {
    "rate_limit_points_per_minute": 100_000_000,
    "auth_attempts_per_minute": 1_000_000,
    "auth_attempts_per_ip_per_minute": 1_000_000,
}
"""Rate limits no ordinary test reaches (the suite signs up and logs in a lot from one IP);
rate-limit tests set low ones explicitly."""

LEAKS.record_secret(TEST_SECRET)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(LeakCheckPlugin(LEAKS), "leak-check")


def scratch_database_url(kind: str, directory: Path) -> str:
    """A new, empty database of `kind`: a SQLite file, or a PostgreSQL database
    created beside the one in `TEST_POSTGRES_URL` (dropped at the end of the run)."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{directory / f'{uuid.uuid4().hex}.db'}"
    assert POSTGRES_URL is not None
    name = f"tasktracker_test_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()

    asyncio.run(create())
    _created_databases.append(name)
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


_created_databases: list[str] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _created_databases or POSTGRES_URL is None:
        return

    async def drop() -> None:
        engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            for name in _created_databases:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()

    asyncio.run(drop())


@pytest.fixture(scope="session", params=DATABASES)
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(database_kind: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database of `database_kind`, migrated to head once for the whole run."""
    url = scratch_database_url(database_kind, tmp_path_factory.mktemp("db"))
    upgrade(url)
    return url


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Settings for tests: no `.env`, a fixed secret, the given database, generous rate limits."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "environment": "test",
        "jwt_secret": TEST_SECRET,
        **GENEROUS_LIMITS,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(autouse=True)
async def _empty_tables(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """After each test that used the database, delete every row (children first)."""
    yield
    if "engine" not in request.fixturenames:
        return
    engine: AsyncEngine = request.getfixturevalue("engine")
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture
async def http(app: Starlette, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in-process (httpx's ASGI transport); the secrets it
    sends and receives are recorded for the leak check (tests/leaks.py)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", event_hooks=LEAKS.hooks()
    ) as client:
        yield client


@pytest.fixture
def api(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)
