"""Page sizes and paging arguments (API.md "Rules of the data": `first`/`last`):
`first`/`last` zero, the default size of 20 and the maximum of 100, sizes out of
range on root and nested lists, and `first`/`last`/`after`/`before` mixed in one
request refused rather than ignored.
"""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import World
from tests.graph.page_queries import (
    ROOT_PROJECTS,
    ROOT_TASKS,
    expected_tasks,
    insert_spread,
    root_fetcher,
    task_dicts,
)
from tests.graph.paging import CONNECTION, check_page
from tests.graph.rows import pk_of
from tests.helpers import assert_error


async def test_first_and_last_zero(world: World, engine: AsyncEngine) -> None:
    fetch = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", None)
    check_page(await fetch({"first": 0}), [], has_next=False, has_previous=False, total=0)
    await insert_spread(engine, pk_of(world.project, "Project"), world.owner.pk, 3)
    check_page(await fetch({"first": 0}), [], has_next=True, has_previous=False, total=3)
    check_page(await fetch({"last": 0}), [], has_next=False, has_previous=True, total=3)


async def test_default_page_size_is_20_and_100_is_allowed(
    world: World, engine: AsyncEngine
) -> None:
    project = pk_of(world.project, "Project")
    ids = await insert_spread(engine, project, world.owner.pk, 25)
    expected = expected_tasks(await task_dicts(engine, ids), "CREATED_AT", "DESC")
    fetch = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", None)
    check_page(await fetch({}), expected[:20], has_next=True, has_previous=False, total=25)
    check_page(await fetch({"first": 100}), expected, has_next=False, has_previous=False, total=25)
    check_page(await fetch({"last": 100}), expected, has_next=False, has_previous=False, total=25)
    cursor = (await fetch({"first": 1}))["pageInfo"]["endCursor"]
    check_page(  # `after` alone: the next 20
        await fetch({"after": cursor}),
        expected[1:21],
        has_next=True,
        has_previous=True,
        total=25,
    )

    nested = await world.owner.execute(
        f"query($id: ID!) {{ project(id: $id) {{ tasks {{ {CONNECTION} }} }} }}",
        {"id": world.project},
    )
    check_page(
        nested["data"]["project"]["tasks"],
        expected[:20],
        has_next=True,
        has_previous=False,
        total=25,
    )


SIZE_ERRORS = [
    ({"first": 101}, "first"),
    ({"first": -1}, "first"),
    ({"last": 101}, "last"),
    ({"last": -1}, "last"),
]


@pytest.mark.parametrize(("paging", "field"), SIZE_ERRORS)
async def test_page_size_out_of_range_is_bad_user_input(
    world: World, paging: dict[str, int], field: str
) -> None:
    for query, name in ((ROOT_TASKS, "tasks"), (ROOT_PROJECTS, "projects")):
        body = await world.owner.execute(query, paging)
        assert_error(body, "BAD_USER_INPUT", field=field)
        assert body["errors"][0]["path"] == [name]
    body = await world.owner.execute(
        """query($id: ID!, $first: Int, $last: Int) { project(id: $id) {
          tasks(first: $first, last: $last) { totalCount } } }""",
        {"id": world.project, **paging},
    )
    assert_error(body, "BAD_USER_INPUT", field=field)
    assert body["errors"][0]["path"] == ["project", "tasks"]


@pytest.mark.parametrize("connection", ["tags", "members"])
@pytest.mark.parametrize("first", [101, -1])
async def test_nested_first_out_of_range(world: World, connection: str, first: int) -> None:
    body = await world.owner.execute(
        f"query($id: ID!, $first: Int) {{ project(id: $id) {{ {connection}(first: $first)"
        " { totalCount } } }",
        {"id": world.project, "first": first},
    )
    assert_error(body, "BAD_USER_INPUT", field="first")


async def test_mixed_directions_are_refused_not_ignored(world: World, engine: AsyncEngine) -> None:
    ids = await insert_spread(engine, pk_of(world.project, "Project"), world.owner.pk, 25)
    expected = expected_tasks(await task_dicts(engine, ids), "CREATED_AT", "DESC")
    fetch = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", None)
    cursor = (await fetch({"first": 24}))["pageInfo"]["endCursor"]
    for paging, field in (
        ({"first": 1, "last": 1}, "last"),
        ({"after": cursor, "before": cursor}, "before"),
        ({"first": 1, "before": cursor}, "before"),
        ({"last": 1, "after": cursor}, "after"),
    ):
        body = await world.owner.execute(ROOT_TASKS, paging)
        assert_error(body, "BAD_USER_INPUT", field=field)
    # `before` alone pages backwards, 20 at a time.
    check_page(
        await fetch({"before": cursor}),
        expected[3:23],
        has_next=True,
        has_previous=True,
        total=25,
    )
