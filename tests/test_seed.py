"""Demo data (`python -m app.seed`): a small seed keeps every invariant the API keeps,
and the documented demo login works against it."""

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.cli.seed.generate import DEMO_EMAIL, DEMO_PASSWORD, Scale, generate
from app.cli.seed.write import DatabaseNotEmpty, seed
from tests.helpers import GraphQLClient

SCALE = Scale(users=5, projects=4, tasks=200)
NOW = datetime(2026, 6, 15, tzinfo=UTC)

# Each query counts rows that break an invariant; all must be 0.
VIOLATIONS = {
    "assignee not a member of the task's project": """
        SELECT count(*) FROM tasks t
        WHERE t.assignee_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM project_members m
            WHERE m.project_id = t.project_id AND m.user_id = t.assignee_id)
    """,
    "creator not an OWNER or MEMBER of the task's project": """
        SELECT count(*) FROM tasks t
        WHERE NOT EXISTS (
            SELECT 1 FROM project_members m
            WHERE m.project_id = t.project_id AND m.user_id = t.created_by_id
              AND m.role IN ('OWNER', 'MEMBER'))
    """,
    "task tag from another project": """
        SELECT count(*) FROM task_tags tt
        JOIN tasks t ON t.id = tt.task_id
        JOIN tags g ON g.id = tt.tag_id
        WHERE g.project_id <> t.project_id
    """,
    "DONE without completed_at, or completed_at without DONE": """
        SELECT count(*) FROM tasks
        WHERE (status = 'DONE' AND completed_at IS NULL)
           OR (status <> 'DONE' AND completed_at IS NOT NULL)
    """,
    "timestamps out of order": """
        SELECT count(*) FROM tasks
        WHERE updated_at < created_at
           OR (completed_at IS NOT NULL
               AND (completed_at < created_at OR completed_at > updated_at))
    """,
    "version 1 but updated after creation": """
        SELECT count(*) FROM tasks WHERE version = 1 AND updated_at <> created_at
    """,
    "project without exactly one OWNER": """
        SELECT count(*) FROM projects p
        WHERE (SELECT count(*) FROM project_members m
               WHERE m.project_id = p.id AND m.role = 'OWNER') <> 1
    """,
    "personal project not named Personal or shared": """
        SELECT count(*) FROM projects p
        WHERE p.is_personal AND (p.name <> 'Personal'
            OR (SELECT count(*) FROM project_members m WHERE m.project_id = p.id) <> 1)
    """,
    "user without exactly one personal project": """
        SELECT count(*) FROM users u
        WHERE (SELECT count(*) FROM project_members m JOIN projects p ON p.id = m.project_id
               WHERE m.user_id = u.id AND p.is_personal) <> 1
    """,
    "shared project with fewer than 2 or more than 8 others": """
        SELECT count(*) FROM projects p
        WHERE NOT p.is_personal AND (SELECT count(*) FROM project_members m
            WHERE m.project_id = p.id AND m.role <> 'OWNER') NOT BETWEEN 2 AND 8
    """,
    "tag names not unique ignoring case": """
        SELECT count(*) FROM tags a JOIN tags b
          ON a.project_id = b.project_id AND lower(a.name) = lower(b.name) AND a.id < b.id
    """,
}

PROJECT_TASKS = """
query {
  me { email }
  projects(first: 50) {
    totalCount
    nodes { name isPersonal viewerRole tasks(first: 5) { nodes {
      title status priority dueDate completedAt version
      project { name } assignee { name } tags { name color }
    } } }
  }
}
"""


async def _count(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text(sql))).scalar_one())


async def test_seed_keeps_the_invariants(engine: AsyncEngine) -> None:
    data = await seed(engine, SCALE, now=NOW)

    assert await _count(engine, "SELECT count(*) FROM users") == SCALE.users
    assert await _count(engine, "SELECT count(*) FROM projects") == SCALE.projects + SCALE.users
    assert await _count(engine, "SELECT count(*) FROM tasks") == SCALE.tasks
    assert await _count(engine, "SELECT count(*) FROM task_tags") == len(data.task_tags) > 0
    assert await _count(engine, "SELECT count(DISTINCT status) FROM tasks") == 3
    assert await _count(engine, "SELECT count(*) FROM tasks WHERE due_date IS NULL") > 0
    assert await _count(engine, "SELECT count(*) FROM tasks WHERE assignee_id IS NULL") > 0
    broken = {name: await _count(engine, sql) for name, sql in VIOLATIONS.items()}
    assert broken == dict.fromkeys(VIOLATIONS, 0)

    colors = [row["color"] for row in data.tags if row["color"] is not None]
    assert colors
    assert all(re.fullmatch(r"#[0-9A-F]{6}", color) for color in colors)
    emails = [row["email"] for row in data.users]
    assert len(set(emails)) == len(emails)
    assert all(email == email.lower() for email in emails)


async def test_seed_refuses_a_database_with_data(engine: AsyncEngine) -> None:
    await seed(engine, SCALE, now=NOW)
    with pytest.raises(DatabaseNotEmpty):
        await seed(engine, SCALE, now=NOW)
    await seed(engine, Scale(users=3, projects=2, tasks=10), now=NOW, reset=True)
    assert await _count(engine, "SELECT count(*) FROM tasks") == 10


async def test_demo_user_logs_in_and_reads_seeded_data(
    engine: AsyncEngine, api: GraphQLClient
) -> None:
    await seed(engine, SCALE, now=NOW)
    token = (await api.login(DEMO_EMAIL, DEMO_PASSWORD))["accessToken"]

    body = await api.execute(PROJECT_TASKS, token=token)

    assert "errors" not in body, body
    assert body["data"]["me"]["email"] == DEMO_EMAIL
    projects: list[dict[str, Any]] = body["data"]["projects"]["nodes"]
    assert body["data"]["projects"]["totalCount"] >= 2  # personal + at least one shared
    assert sum(project["isPersonal"] for project in projects) == 1
    assert any(project["tasks"]["nodes"] for project in projects)
    # ids continue after the seeded ones: a signup (new user and project) still works
    await api.signup(email="newcomer@example.com")


def test_generation_is_reproducible() -> None:
    first = generate(SCALE, password_hash="hash", now=NOW)
    again = generate(SCALE, password_hash="hash", now=NOW)
    other = generate(SCALE, password_hash="hash", now=NOW, seed=1)
    assert first == again
    assert first.tasks != other.tasks
