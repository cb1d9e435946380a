"""Keyset pagination of every connection (API.md "Rules of the data": `first`/`last`, cursors).

Rows are written straight to the database with chosen timestamps, equal keys
(ties broken by id) and NULL due dates; the expected order is computed here in
Python and every page is checked exactly, forwards and backwards.

This module: the root task and project lists walked forwards and backwards in
every order (and the default one), and walks that go on from a cursor after rows
were inserted and deleted. The other tests/graph/test_pagination_*.py modules
cover page sizes, refused cursors, nested lists and the Unicode-aware orders.
"""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.models import members, projects, tasks
from tests.graph.conftest import World
from tests.graph.page_queries import (
    ROOT_PROJECTS,
    ROOT_TASKS,
    TASK_FIELDS,
    expected_tasks,
    insert_spread,
    order_of,
    root_fetcher,
    task_dicts,
)
from tests.graph.paging import check_page, ordered, walk_backward, walk_forward
from tests.graph.rows import BASE, gid, insert_project, insert_tasks, pk_of, task_row
from tests.helpers import fetch_all

PROJECT_FIELDS = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at", "NAME": "name"}


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("field", list(TASK_FIELDS))
async def test_tasks_pages_forwards_and_backwards_in_every_order(
    world: World, engine: AsyncEngine, field: str, direction: str
) -> None:
    ids = await insert_spread(engine, pk_of(world.project, "Project"), world.owner.pk, 23)
    expected = expected_tasks(await task_dicts(engine, ids), field, direction)
    fetch = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", order_of(field, direction))

    end_cursors = await walk_forward(fetch, expected, 4)
    await walk_backward(fetch, expected, 4)
    await walk_forward(fetch, expected, 23)
    await walk_backward(fetch, expected, 100)

    # Turning back from any cursor: `before` the last row of forward page k is that page's rest.
    for k, cursor in enumerate(end_cursors):
        position = 4 * k + 3
        page = await fetch({"last": 4, "before": cursor})
        check_page(
            page,
            expected[max(0, position - 4) : position],
            has_next=True,
            has_previous=position > 4,
            total=23,
        )


async def test_default_order_is_newest_first(world: World, engine: AsyncEngine) -> None:
    ids = await insert_spread(engine, pk_of(world.project, "Project"), world.owner.pk, 9)
    expected = expected_tasks(await task_dicts(engine, ids), "CREATED_AT", "DESC")
    fetch = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", None)
    await walk_forward(fetch, expected, 2)
    await walk_backward(fetch, expected, 2)


async def _owner_projects(engine: AsyncEngine, owner: int) -> list[dict[str, Any]]:
    statement = select(projects).join(members, members.c.project_id == projects.c.id)
    rows = await fetch_all(engine, statement.where(members.c.user_id == owner))
    return [dict(row._mapping) for row in rows]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("field", list(PROJECT_FIELDS))
async def test_projects_page_forwards_and_backwards_in_every_order(
    world: World, engine: AsyncEngine, field: str, direction: str
) -> None:
    names = ["Gemini", "Apollo", "Mercury", "Apollo", "Shared"]
    for i in range(11):
        await insert_project(
            engine,
            name=names[i % len(names)],
            owner=world.owner.pk,
            created_at=BASE + timedelta(minutes=i % 3),
            updated_at=BASE + timedelta(minutes=(i * 2) % 5),
        )
    rows = await _owner_projects(engine, world.owner.pk)
    assert len(rows) == 13  # with Personal and Shared
    expected = ordered(
        rows, PROJECT_FIELDS[field], descending=direction == "DESC", type_name="Project"
    )
    fetch = root_fetcher(world.owner.execute, ROOT_PROJECTS, "projects", order_of(field, direction))
    await walk_forward(fetch, expected, 3)
    await walk_backward(fetch, expected, 3)
    await walk_forward(fetch, expected, 13)


async def test_cursors_survive_inserts_and_deletes_going_forwards(
    world: World, engine: AsyncEngine
) -> None:
    project = pk_of(world.project, "Project")
    minute = timedelta(minutes=1)
    ids = await insert_tasks(
        engine, [task_row(project, world.owner.pk, created_at=BASE + i * minute) for i in range(10)]
    )
    fetch = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", order_of("CREATED_AT", "ASC"))
    first = await fetch({"first": 4})
    check_page(
        first, [gid("Task", pk) for pk in ids[:4]], has_next=True, has_previous=False, total=10
    )
    cursor = first["pageInfo"]["endCursor"]

    early, tie, middle, late = await insert_tasks(
        engine,
        [
            task_row(project, world.owner.pk, created_at=BASE + 1.5 * minute),
            task_row(project, world.owner.pk, created_at=BASE + 3 * minute),  # ties the cursor
            task_row(project, world.owner.pk, created_at=BASE + 5.5 * minute),
            task_row(project, world.owner.pk, created_at=BASE + 20 * minute),
        ],
    )
    async with engine.begin() as connection:  # the cursor's own row, and one further on
        await connection.execute(delete(tasks).where(tasks.c.id.in_([ids[3], ids[6]])))

    rest = [tie, ids[4], ids[5], middle, ids[7], ids[8], ids[9], late]
    seen: list[str] = []
    page = await fetch({"first": 3, "after": cursor})
    seen += [edge["node"]["id"] for edge in page["edges"]]
    while page["pageInfo"]["hasNextPage"]:
        assert page["pageInfo"]["hasPreviousPage"] is True
        page = await fetch({"first": 3, "after": page["pageInfo"]["endCursor"]})
        seen += [edge["node"]["id"] for edge in page["edges"]]
    assert seen == [gid("Task", pk) for pk in rest]
    assert gid("Task", early) not in seen
    assert page["totalCount"] == 12


async def test_cursors_survive_inserts_going_backwards(world: World, engine: AsyncEngine) -> None:
    project = pk_of(world.project, "Project")
    minute = timedelta(minutes=1)
    ids = await insert_tasks(
        engine, [task_row(project, world.owner.pk, created_at=BASE + i * minute) for i in range(10)]
    )
    fetch = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", order_of("CREATED_AT", "ASC"))
    last = await fetch({"last": 4})
    check_page(
        last, [gid("Task", pk) for pk in ids[6:]], has_next=False, has_previous=True, total=10
    )
    cursor = last["pageInfo"]["startCursor"]
    between, tie, after = await insert_tasks(
        engine,
        [
            task_row(project, world.owner.pk, created_at=BASE + 4.5 * minute),
            task_row(project, world.owner.pk, created_at=BASE + 6 * minute),  # ties, sorts after
            task_row(project, world.owner.pk, created_at=BASE + 8.5 * minute),
        ],
    )
    page = await fetch({"last": 4, "before": cursor})
    check_page(
        page,
        [gid("Task", pk) for pk in (ids[3], ids[4], between, ids[5])],
        has_next=True,
        has_previous=True,
        total=13,
    )
    assert gid("Task", tie) not in str(page)
    assert gid("Task", after) not in str(page)
