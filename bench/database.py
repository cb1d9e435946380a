"""The bench database: created and seeded at bench scale if need be, and read for the ids
the queries ask about (and the server version the report names)."""

import sys
import time
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.cli.seed.generate import DEMO_EMAIL, Scale
from app.cli.seed.write import seed
from app.db.engine import create_engine
from app.ids import encode_id
from bench.common import log

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/tasktracker_bench"
SCALE = Scale(users=500, projects=2_000, tasks=200_000)


def asyncpg_dsn(database_url: str) -> str:
    """The plain `postgresql://` DSN asyncpg takes for a SQLAlchemy URL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        sys.exit(f"The benchmark needs PostgreSQL; BENCH_DATABASE_URL is {database_url!r}")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def ensure_database(database_url: str) -> None:
    """Create the database if it does not exist (connecting to `postgres` to do so)."""
    url = make_url(database_url)
    name = url.database
    assert name
    connection = await asyncpg.connect(asyncpg_dsn(str(url.set(database="postgres"))))
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            log(f"creating database {name}")
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def ensure_seeded(database_url: str, *, reseed: bool) -> str:
    """Seed at bench scale unless the demo user and that many tasks are already there."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(text("SELECT count(*) FROM tasks"))
            demo = await connection.scalar(
                text("SELECT id FROM users WHERE email = :email"), {"email": DEMO_EMAIL}
            )
        if not reseed and demo is not None and count >= SCALE.tasks:
            async with engine.begin() as connection:  # fresh planner statistics either way
                await connection.execute(text("ANALYZE"))
            return f"already seeded ({count} tasks); --reseed to seed again"
        log(f"seeding {SCALE.tasks} tasks, {SCALE.projects} projects, {SCALE.users} users ...")
        started = time.perf_counter()
        data = await seed(engine, SCALE, reset=True)
        return (
            f"seeded {len(data.users)} users, {len(data.projects)} projects, "
            f"{len(data.tasks)} tasks, {len(data.task_tags)} task tags "
            f"in {time.perf_counter() - started:.1f} s"
        )
    finally:
        await engine.dispose()


TASK_SQL = """
SELECT t.id FROM tasks t
JOIN projects p ON p.id = t.project_id AND NOT p.is_personal
JOIN project_members m ON m.project_id = t.project_id AND m.user_id = :viewer
WHERE t.assignee_id IS NOT NULL AND t.description IS NOT NULL AND t.due_date IS NOT NULL
  AND (SELECT count(*) FROM task_tags tt WHERE tt.task_id = t.id) >= 2
ORDER BY t.id LIMIT 1
"""
PROJECT_SQL = """
SELECT p.id FROM projects p
JOIN project_members m ON m.project_id = p.id AND m.user_id = :viewer
JOIN tasks t ON t.project_id = p.id
WHERE NOT p.is_personal
GROUP BY p.id HAVING count(*) >= 60
ORDER BY p.id LIMIT 1
"""


async def pick_variables(database_url: str) -> dict[str, dict[str, Any]]:
    """Variables of each query: a task and a project (with 60+ tasks) the demo user sees."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            viewer = await connection.scalar(
                text("SELECT id FROM users WHERE email = :email"), {"email": DEMO_EMAIL}
            )
            task_id = await connection.scalar(text(TASK_SQL), {"viewer": viewer})
            project_id = await connection.scalar(text(PROJECT_SQL), {"viewer": viewer})
    finally:
        await engine.dispose()
    if task_id is None or project_id is None:
        sys.exit("The seeded data has no suitable task or project: run with --reseed")
    return {
        "a": {"id": encode_id("Task", task_id)},
        "b": {"id": encode_id("Project", project_id)},
        "c": {},
    }


async def postgres_version(database_url: str) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        version: str = await connection.fetchval("SHOW server_version")
        return version
    finally:
        await connection.close()
