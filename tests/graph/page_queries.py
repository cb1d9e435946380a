"""What the pagination tests (tests/graph/test_pagination_*.py) page through: the
root and per-project task list queries, the root project list query, a task set with
repeated keys in every order field and some NULL due dates, and the expected order of
such a set, computed in Python.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.models import tasks
from tests.graph.paging import CONNECTION, ordered
from tests.graph.rows import BASE, DAY, insert_tasks, task_row
from tests.helpers import fetch_all

TASK_FIELDS = {
    "CREATED_AT": "created_at",
    "UPDATED_AT": "updated_at",
    "DUE_DATE": "due_date",
    "PRIORITY": "priority",
    "TITLE": "title",
}
TITLES = ["delta", "alpha", "charlie", "alpha", "bravo"]
ROOT_TASKS = f"""
query($first: Int, $after: String, $last: Int, $before: String, $order: TaskOrder) {{
  tasks(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {{
    {CONNECTION}
  }}
}}
"""
ROOT_PROJECTS = f"""
query($first: Int, $after: String, $last: Int, $before: String, $order: ProjectOrder) {{
  projects(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {{
    {CONNECTION}
  }}
}}
"""


PROJECT_TASKS = f"""
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $order: TaskOrder) {{
  project(id: $id) {{
    tasks(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {{
      {CONNECTION}
    }}
  }}
}}
"""


def spread_task(project: int, creator: int, i: int) -> dict[str, Any]:
    """Task number `i` of a set with repeated keys in every order field and some NULL due dates."""
    return task_row(
        project,
        creator,
        title=TITLES[i % len(TITLES)],
        created_at=BASE + timedelta(minutes=i % 7),
        updated_at=BASE + timedelta(hours=(i * 3) % 5),
        due_date=None if i % 4 == 0 else DAY + timedelta(days=i % 5),
        priority=1 + (i // 3) % 4,
    )


async def insert_spread(engine: AsyncEngine, project: int, creator: int, n: int) -> list[int]:
    return await insert_tasks(engine, [spread_task(project, creator, i) for i in range(n)])


async def task_dicts(engine: AsyncEngine, ids: list[int]) -> list[dict[str, Any]]:
    rows = await fetch_all(engine, select(tasks).where(tasks.c.id.in_(ids)))
    return [dict(row._mapping) for row in rows]


def expected_tasks(rows: list[dict[str, Any]], field: str, direction: str) -> list[str]:
    return ordered(rows, TASK_FIELDS[field], descending=direction == "DESC", type_name="Task")


def order_of(field: str, direction: str) -> dict[str, str]:
    return {"field": field, "direction": direction}


def root_fetcher(actor_execute: Any, query: str, name: str, order: dict[str, str] | None) -> Any:
    async def fetch(paging: dict[str, Any]) -> dict[str, Any]:
        body = await actor_execute(query, {**paging, "order": order})
        assert "errors" not in body, body
        connection: dict[str, Any] = body["data"][name]
        return connection

    return fetch
