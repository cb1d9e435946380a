"""API.md "Limits" (time) and "Errors": a statement past `STATEMENT_TIMEOUT_MS`, a database
that cannot be reached and a pool that has no connection to give are `SERVICE_UNAVAILABLE`
with `retryAfter`, on both databases; nothing is half-written, and the request's next
statement works again.
"""

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from app.config import Settings
from app.db.database import Database
from app.db.engine import create_engine, create_sessionmaker
from app.db.models import projects, tasks
from app.errors import ServiceUnavailable
from app.main import create_app
from tests.conftest import make_settings
from tests.helpers import PASSWORD, SIGNUP, fetch_all
from tests.servers import free_port

TIMEOUT_MS = 200
# Statements that run for seconds unless interrupted.
SLOW = {
    "postgresql": "SELECT pg_sleep(5)",
    "sqlite": (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500000000)"
        " SELECT count(*) FROM c"
    ),
}
CREATE = "mutation($t: String!) { createTask(input: {title: $t}) { id } }"


async def post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str = ""
) -> dict[str, Any]:
    """The body of a GraphQL POST: 503 with `Retry-After` for SERVICE_UNAVAILABLE, else 200."""
    headers = {
        "accept": "application/json",
        **({"authorization": f"Bearer {token}"} if token else {}),
    }
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    codes = {error["extensions"]["code"] for error in body.get("errors", [])}
    unavailable = "SERVICE_UNAVAILABLE" in codes
    assert response.status_code == (503 if unavailable else 200), response.text
    if unavailable:
        assert response.headers["content-type"].startswith("application/graphql-response+json")
        assert int(response.headers["retry-after"]) >= 1
    return body


def assert_unavailable(body: dict[str, Any]) -> None:
    assert [error["extensions"]["code"] for error in body["errors"]] == ["SERVICE_UNAVAILABLE"], (
        body
    )
    assert body["errors"][0]["extensions"]["retryAfter"] >= 1
    assert body["data"] is None


@pytest.fixture
async def context(database_url: str, settings: Settings) -> AsyncIterator[Database]:
    """A request's database handle on an engine whose statements time out after `TIMEOUT_MS`."""
    engine = create_engine(database_url, statement_timeout_ms=TIMEOUT_MS)
    ctx = Database(create_sessionmaker(engine), statement_timeout_ms=settings.statement_timeout_ms)
    yield ctx
    await ctx.close()
    await engine.dispose()


async def test_a_statement_past_the_timeout_is_service_unavailable(
    context: Database, database_kind: str
) -> None:
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as raised:
        await context.read(text(SLOW[database_kind]))
    assert time.monotonic() - started < 2.0
    assert raised.value.extensions == {"code": "SERVICE_UNAVAILABLE", "retryAfter": 1}
    assert await context.read_scalar(text("SELECT 1")) == 1  # the request's next statement runs


async def test_a_statement_within_the_timeout_runs(context: Database) -> None:
    quick = (
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000)"
        " SELECT count(*) FROM c"
    )
    assert await context.read_scalar(text(quick)) == 1000


@pytest.fixture
async def timing_out_app(database_url: str) -> AsyncIterator[Starlette]:
    app = create_app(make_settings(database_url, statement_timeout_ms=TIMEOUT_MS))
    async with app.router.lifespan_context(app):
        yield app


async def test_a_mutation_waiting_past_the_timeout_is_service_unavailable_and_writes_nothing(
    timing_out_app: Starlette, engine: AsyncEngine, database_kind: str
) -> None:
    """A write that waits for a lock held elsewhere gives up after the statement timeout
    (PostgreSQL's `statement_timeout`; SQLite's busy timeout, bounded by it)."""
    transport = httpx.ASGITransport(app=timing_out_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        user = {"email": "slow@example.com", "password": PASSWORD, "name": "Slow"}
        token = (await post(http, SIGNUP, {"input": user}))["data"]["signup"]["accessToken"]
        async with engine.begin() as blocker:  # holds the lock the mutation needs
            if database_kind == "postgresql":
                await blocker.execute(select(projects.c.id).with_for_update())
            else:
                await blocker.execute(projects.update().values(name=projects.c.name))
            started = time.monotonic()
            body = await post(http, CREATE, {"t": "never written"}, token)
            elapsed = time.monotonic() - started
        assert_unavailable(body)
        assert elapsed < 3.0
        assert await fetch_all(engine, select(tasks.c.id)) == []
        created = await post(http, CREATE, {"t": "written"}, token)  # the lock is gone
        assert "errors" not in created, created


async def test_an_unreachable_database_is_service_unavailable(
    database_kind: str, tmp_path: Path
) -> None:
    unreachable = {
        "postgresql": f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none",
        "sqlite": f"sqlite+aiosqlite:///{tmp_path}/a-file/x.db",
    }[database_kind]
    (tmp_path / "a-file").write_text("not a directory")
    app = create_app(make_settings(unreachable))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            user = {"email": "nobody@example.com", "password": PASSWORD, "name": "Nobody"}
            assert_unavailable(await post(http, SIGNUP, {"input": user}))


async def test_a_pool_with_no_connection_to_give_is_service_unavailable(
    database_url: str, settings: Settings
) -> None:
    engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    ctx = Database(create_sessionmaker(engine), statement_timeout_ms=settings.statement_timeout_ms)
    try:
        async with engine.connect() as held:
            await held.execute(text("SELECT 1"))
            with pytest.raises(ServiceUnavailable):
                await ctx.read(text("SELECT 1"))
        assert await ctx.read_scalar(text("SELECT 1")) == 1
    finally:
        await ctx.close()
        await engine.dispose()
