"""Rows written straight to the database, for graph tests that need many of them or
exact timestamps, ties and NULLs (the API would stamp `now`).

Every function takes and returns row ids (`pk`); `gid` turns one into a global id.
"""

import itertools
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.models import members, projects, tags, task_tags, tasks, users
from app.ids import decode_id, encode_id
from tests.graph.conftest import PASSWORD_HASH

BASE = datetime(2030, 1, 1, tzinfo=UTC)
DAY = date(2030, 1, 1)
_emails = itertools.count(1)


def gid(type_name: str, pk: int) -> str:
    return encode_id(type_name, pk)


def pk_of(global_id: str, type_name: str) -> int:
    pk = decode_id(global_id, type_name)
    assert pk is not None, global_id
    return pk


async def insert_rows(engine: AsyncEngine, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` in order, in one transaction; their ids in the same order."""
    ids: list[int] = []
    async with engine.begin() as connection:
        for row in rows:
            pk = await connection.scalar(insert(table).values(**row).returning(table.c.id))
            assert pk is not None
            ids.append(int(pk))
    return ids


def task_row(project: int, creator: int, **values: Any) -> dict[str, Any]:
    """A `tasks` row: defaults for everything not given (created/updated at `BASE`)."""
    row: dict[str, Any] = {
        "project_id": project,
        "created_by_id": creator,
        "title": "task",
        "status": "TODO",
        "priority": 2,
        "version": 1,
        "created_at": BASE,
        "updated_at": BASE,
    }
    row.update(values)
    return row


async def insert_tasks(engine: AsyncEngine, rows: list[dict[str, Any]]) -> list[int]:
    return await insert_rows(engine, tasks, rows)


async def insert_project(
    engine: AsyncEngine,
    *,
    name: str,
    owner: int,
    created_at: datetime = BASE,
    updated_at: datetime | None = None,
    description: str | None = None,
) -> int:
    """A shared project with `owner` as its `OWNER` (added at `created_at`)."""
    (pk,) = await insert_rows(
        engine,
        projects,
        [
            {
                "name": name,
                "description": description,
                "is_personal": False,
                "created_at": created_at,
                "updated_at": updated_at or created_at,
            }
        ],
    )
    await add_members(engine, pk, [(owner, "OWNER", created_at)])
    return pk


async def add_members(
    engine: AsyncEngine, project: int, people: list[tuple[int, str, datetime]]
) -> None:
    """Add `(user id, role, added at)` memberships to `project`."""
    async with engine.begin() as connection:
        for user, role, added_at in people:
            await connection.execute(
                insert(members).values(
                    project_id=project, user_id=user, role=role, added_at=added_at
                )
            )


async def insert_users(engine: AsyncEngine, names: list[str]) -> list[int]:
    """Users without sessions (they appear as members, assignees, creators)."""
    return await insert_rows(
        engine,
        users,
        [
            {
                "email": f"row-user-{next(_emails)}@example.com",
                "name": name,
                "password_hash": PASSWORD_HASH,
                "created_at": BASE,
                "updated_at": BASE,
            }
            for name in names
        ],
    )


async def insert_tags(engine: AsyncEngine, project: int, names: list[str]) -> list[int]:
    return await insert_rows(
        engine,
        tags,
        [
            {"project_id": project, "name": name, "created_at": BASE, "updated_at": BASE}
            for name in names
        ],
    )


async def tag_tasks(engine: AsyncEngine, links: list[tuple[int, int]]) -> None:
    """Put tags on tasks: `(task id, tag id)` pairs."""
    if not links:
        return
    async with engine.begin() as connection:
        await connection.execute(
            insert(task_tags), [{"task_id": task, "tag_id": tag} for task, tag in links]
        )


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the graph tables, sorted: compare two to prove nothing was written."""
    result: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as connection:
        for table in (users, projects, members, tasks, tags, task_tags):
            rows = (await connection.execute(select(table))).all()
            result[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return result
