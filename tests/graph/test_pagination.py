"""Keyset pagination of every connection (API.md "Rules of the data": `first`/`last`, cursors).

Rows are written straight to the database with chosen timestamps, equal keys
(ties broken by id) and NULL due dates; the expected order is computed here in
Python and every page is checked exactly, forwards and backwards.
"""

import base64
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.models import members, projects, tasks
from tests.graph.conftest import World
from tests.graph.paging import (
    CONNECTION,
    MEMBER_CONNECTION,
    check_page,
    ordered,
    walk_backward,
    walk_forward,
)
from tests.graph.rows import (
    BASE,
    DAY,
    add_members,
    gid,
    insert_project,
    insert_tags,
    insert_tasks,
    insert_users,
    pk_of,
    tag_tasks,
    task_row,
)
from tests.helpers import assert_error, execute_escaped, fetch_all

TASK_FIELDS = {
    "CREATED_AT": "created_at",
    "UPDATED_AT": "updated_at",
    "DUE_DATE": "due_date",
    "PRIORITY": "priority",
    "TITLE": "title",
}
PROJECT_FIELDS = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at", "NAME": "name"}
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


def _raw_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


DEFAULT_ORDER = "Task:CREATED_AT:DESC"  # what cursors of the default task order start with
GARBAGE = [
    "garbage",
    "",
    "%%%",
    _raw_cursor([]),
    _raw_cursor({"a": 1}),  # type: ignore[arg-type]
    _raw_cursor(["2030-01-01T00:00:00+00:00", 1]),  # no order name
    _raw_cursor([DEFAULT_ORDER, "not a time", 1]),
    _raw_cursor([DEFAULT_ORDER, None, 1]),
    _raw_cursor([DEFAULT_ORDER, "2030-01-01T00:00:00", 1]),  # no time zone
    _raw_cursor([DEFAULT_ORDER, "2030-01-01T00:00:00+00:00", "1"]),
    _raw_cursor([DEFAULT_ORDER, "2030-01-01T00:00:00+00:00", True]),
    _raw_cursor([DEFAULT_ORDER, "2030-01-01T00:00:00+00:00", 1, 2]),
]


async def test_a_well_formed_cursor_is_accepted(world: World, engine: AsyncEngine) -> None:
    """The garbage cases below differ from a real cursor only in what they are named for."""
    (pk,) = await insert_tasks(engine, [task_row(pk_of(world.project, "Project"), world.owner.pk)])
    cursor = _raw_cursor([DEFAULT_ORDER, "2030-01-01T00:00:00+00:00", pk + 1])
    body = await world.owner.execute(ROOT_TASKS, {"first": 2, "after": cursor})
    assert body["data"]["tasks"]["nodes"] == [{"id": gid("Task", pk)}]


@pytest.mark.parametrize("cursor", GARBAGE)
async def test_garbage_cursor_is_bad_user_input_naming_the_argument(
    world: World, cursor: str
) -> None:
    body = await world.owner.execute(ROOT_TASKS, {"first": 2, "after": cursor})
    assert_error(body, "BAD_USER_INPUT", field="after")
    body = await world.owner.execute(ROOT_TASKS, {"last": 2, "before": cursor})
    assert_error(body, "BAD_USER_INPUT", field="before")
    body = await world.owner.execute(ROOT_PROJECTS, {"first": 2, "after": cursor})
    assert_error(body, "BAD_USER_INPUT", field="after")
    body = await world.owner.execute(
        """query($id: ID!, $after: String) { project(id: $id) {
          tasks(after: $after) { totalCount } tags(first: 1) { totalCount } } }""",
        {"id": world.project, "after": cursor},
    )
    assert_error(body, "BAD_USER_INPUT", field="after")


async def test_cursor_of_another_order_is_bad_user_input(world: World, engine: AsyncEngine) -> None:
    await insert_spread(engine, pk_of(world.project, "Project"), world.owner.pk, 3)
    fetch = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", None)
    cursor = (await fetch({"first": 1}))["pageInfo"]["endCursor"]  # CREATED_AT DESC
    for field in TASK_FIELDS:
        for direction in ("ASC", "DESC"):
            if (field, direction) == ("CREATED_AT", "DESC"):
                continue
            for paging, argument in (
                ({"first": 1, "after": cursor}, "after"),
                ({"last": 1, "before": cursor}, "before"),
            ):
                body = await world.owner.execute(
                    ROOT_TASKS, {**paging, "order": order_of(field, direction)}
                )
                assert_error(body, "BAD_USER_INPUT", field=argument)

    # A task cursor is no project cursor, and the other way round, in the same order.
    body = await world.owner.execute(ROOT_PROJECTS, {"first": 1, "after": cursor})
    assert_error(body, "BAD_USER_INPUT", field="after")
    project_page = await world.owner.execute(ROOT_PROJECTS, {"first": 1})
    project_cursor = project_page["data"]["projects"]["pageInfo"]["endCursor"]
    body = await world.owner.execute(ROOT_TASKS, {"first": 1, "after": project_cursor})
    assert_error(body, "BAD_USER_INPUT", field="after")


PROJECT_TASKS = f"""
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $order: TaskOrder) {{
  project(id: $id) {{
    tasks(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {{
      {CONNECTION}
    }}
  }}
}}
"""


@pytest.mark.parametrize(
    ("field", "direction"), [("DUE_DATE", "ASC"), ("DUE_DATE", "DESC"), ("PRIORITY", "DESC")]
)
async def test_project_tasks_page_per_project(
    world: World, engine: AsyncEngine, field: str, direction: str
) -> None:
    owner = world.owner.pk
    big = await insert_project(engine, name="Alpha", owner=owner)
    small = await insert_project(engine, name="Beta", owner=owner)
    big_ids = await insert_tasks(engine, [spread_task(big, owner, i) for i in range(7)])
    small_ids = await insert_tasks(engine, [spread_task(small, owner, i) for i in (1, 4, 6)])
    expected = {
        gid("Project", big): expected_tasks(await task_dicts(engine, big_ids), field, direction),
        gid("Project", small): expected_tasks(
            await task_dicts(engine, small_ids), field, direction
        ),
        world.project: [],
        world.owner.personal_project: [],
    }
    order = order_of(field, direction)

    body = await world.owner.execute(
        f"""query($order: TaskOrder) {{
          projects(orderBy: {{field: NAME, direction: ASC}}) {{
            nodes {{ id tasks(first: 2, orderBy: $order) {{ {CONNECTION} }} }}
          }}
        }}""",
        {"order": order},
    )
    assert "errors" not in body, body
    nodes = body["data"]["projects"]["nodes"]
    assert [node["id"] for node in nodes] == [
        gid("Project", big),
        gid("Project", small),
        world.owner.personal_project,
        world.project,
    ]
    for node in nodes:
        want = expected[node["id"]]
        check_page(
            node["tasks"], want[:2], has_next=len(want) > 2, has_previous=False, total=len(want)
        )

    for project_id, want in expected.items():

        async def fetch(paging: dict[str, Any], project_id: str = project_id) -> dict[str, Any]:
            body = await world.owner.execute(
                PROJECT_TASKS, {"id": project_id, "order": order, **paging}
            )
            assert "errors" not in body, body
            connection: dict[str, Any] = body["data"]["project"]["tasks"]
            return connection

        await walk_forward(fetch, want, 2)
        await walk_backward(fetch, want, 2)


async def test_nested_pages_after_one_cursor_are_per_parent(
    world: World, engine: AsyncEngine
) -> None:
    """`after` in a list of parents seeks every parent's list past the same key."""
    owner = world.owner.pk
    first_project = await insert_project(engine, name="Alpha", owner=owner)
    second_project = await insert_project(engine, name="Beta", owner=owner)
    minute = timedelta(minutes=1)
    first_ids = await insert_tasks(
        engine, [task_row(first_project, owner, created_at=BASE + i * minute) for i in range(5)]
    )
    second_ids = await insert_tasks(
        engine,
        [task_row(second_project, owner, created_at=BASE + (i + 0.5) * minute) for i in range(5)],
    )
    page = await world.owner.execute(
        PROJECT_TASKS,
        {"id": gid("Project", first_project), "first": 2, "order": order_of("CREATED_AT", "ASC")},
    )
    cursor = page["data"]["project"]["tasks"]["pageInfo"]["endCursor"]  # first_ids[1]
    body = await world.owner.execute(
        f"""query($ids: [ID!]!, $after: String) {{ nodes(ids: $ids) {{ ... on Project {{
          tasks(first: 2, after: $after, orderBy: {{field: CREATED_AT, direction: ASC}}) {{
            {CONNECTION}
          }} }} }} }}""",
        {"ids": [gid("Project", first_project), gid("Project", second_project)], "after": cursor},
    )
    assert "errors" not in body, body
    first_page, second_page = (node["tasks"] for node in body["data"]["nodes"])
    check_page(
        first_page,
        [gid("Task", pk) for pk in first_ids[2:4]],
        has_next=True,
        has_previous=True,
        total=5,
    )
    check_page(
        second_page,
        [gid("Task", pk) for pk in second_ids[1:3]],
        has_next=True,
        has_previous=True,
        total=5,
    )


TAG_TASKS = f"""
query($id: ID!, $first: Int, $after: String, $order: TaskOrder) {{
  tag(id: $id) {{ tasks(first: $first, after: $after, orderBy: $order) {{ {CONNECTION} }} }}
}}
"""


async def test_tag_tasks_page_per_tag(world: World, engine: AsyncEngine) -> None:
    owner = world.owner.pk
    project = pk_of(world.project, "Project")
    ids = await insert_spread(engine, project, owner, 6)
    many, few, none = await insert_tags(engine, project, ["many", "few", "none"])
    await tag_tasks(engine, [(pk, many) for pk in ids[:5]] + [(ids[0], few), (ids[5], few)])
    rows = {row["id"]: row for row in await task_dicts(engine, ids)}
    order = order_of("TITLE", "ASC")
    expected = {
        gid("Tag", many): expected_tasks([rows[pk] for pk in ids[:5]], "TITLE", "ASC"),
        gid("Tag", few): expected_tasks([rows[ids[0]], rows[ids[5]]], "TITLE", "ASC"),
        gid("Tag", none): [],
    }

    body = await world.owner.execute(
        f"""query($id: ID!, $order: TaskOrder) {{ project(id: $id) {{ tags {{ nodes {{
          id tasks(first: 2, orderBy: $order) {{ {CONNECTION} }} }} }} }} }}""",
        {"id": world.project, "order": order},
    )
    assert "errors" not in body, body
    nodes = body["data"]["project"]["tags"]["nodes"]
    assert [node["id"] for node in nodes] == [gid("Tag", few), gid("Tag", many), gid("Tag", none)]
    for node in nodes:
        want = expected[node["id"]]
        check_page(
            node["tasks"], want[:2], has_next=len(want) > 2, has_previous=False, total=len(want)
        )

    for tag_id, want in expected.items():

        async def fetch(paging: dict[str, Any], tag_id: str = tag_id) -> dict[str, Any]:
            body = await world.owner.execute(TAG_TASKS, {"id": tag_id, "order": order, **paging})
            assert "errors" not in body, body
            connection: dict[str, Any] = body["data"]["tag"]["tasks"]
            return connection

        await walk_forward(fetch, want, 2)


async def test_project_tags_page_per_project(world: World, engine: AsyncEngine) -> None:
    owner = world.owner.pk
    big = await insert_project(engine, name="Alpha", owner=owner)
    small = await insert_project(engine, name="Beta", owner=owner)
    big_tags = await insert_tags(engine, big, ["urgent", "bug", "chore", "docs", "api"])
    small_tags = await insert_tags(engine, small, ["later", "idea"])
    names = dict(
        zip(
            big_tags + small_tags,
            ["urgent", "bug", "chore", "docs", "api", "later", "idea"],
            strict=True,
        )
    )
    expected = {
        gid("Project", big): [gid("Tag", pk) for pk in sorted(big_tags, key=names.__getitem__)],
        gid("Project", small): [gid("Tag", pk) for pk in sorted(small_tags, key=names.__getitem__)],
        world.owner.personal_project: [],
        world.project: [],
    }
    body = await world.owner.execute(
        f"""{{ projects(orderBy: {{field: NAME, direction: ASC}}) {{ nodes {{
          id tags(first: 2) {{ {CONNECTION} }} }} }} }}"""
    )
    assert "errors" not in body, body
    for node in body["data"]["projects"]["nodes"]:
        want = expected[node["id"]]
        check_page(
            node["tags"], want[:2], has_next=len(want) > 2, has_previous=False, total=len(want)
        )

    for project_id, want in expected.items():

        async def fetch(paging: dict[str, Any], project_id: str = project_id) -> dict[str, Any]:
            body = await world.owner.execute(
                f"""query($id: ID!, $first: Int, $after: String) {{ project(id: $id) {{
                  tags(first: $first, after: $after) {{ {CONNECTION} }} }} }}""",
                {"id": project_id, **paging},
            )
            assert "errors" not in body, body
            connection: dict[str, Any] = body["data"]["project"]["tags"]
            return connection

        await walk_forward(fetch, want, 2)


async def test_project_members_page_per_project(world: World, engine: AsyncEngine) -> None:
    owner = world.owner.pk
    big = await insert_project(engine, name="Alpha", owner=owner, created_at=BASE)
    small = await insert_project(engine, name="Beta", owner=owner, created_at=BASE)
    people = await insert_users(engine, [f"Person {i}" for i in range(6)])
    minute = timedelta(minutes=1)
    roles = ["MEMBER", "VIEWER", "OWNER"]
    joined = [(pk, roles[i % 3], BASE + (i % 3) * minute) for i, pk in enumerate(people)]
    await add_members(engine, big, joined)
    await add_members(engine, small, [(people[0], "VIEWER", BASE - minute)])

    def expected_members(rows: list[tuple[int, str, Any]]) -> list[str]:
        return [gid("User", pk) for pk, _, _ in sorted(rows, key=lambda r: (r[2], r[0]))]

    expected = {
        gid("Project", big): expected_members([(owner, "OWNER", BASE), *joined]),
        gid("Project", small): expected_members(
            [(owner, "OWNER", BASE), (people[0], "VIEWER", BASE - minute)]
        ),
    }
    body = await world.owner.execute(
        f"""{{ projects(orderBy: {{field: NAME, direction: ASC}}, first: 2) {{ nodes {{
          id members(first: 3) {{ {MEMBER_CONNECTION} }} }} }} }}"""
    )
    assert "errors" not in body, body
    for node in body["data"]["projects"]["nodes"]:
        want = expected[node["id"]]
        check_page(
            node["members"], want[:3], has_next=len(want) > 3, has_previous=False, total=len(want)
        )
    roles_by_user = {gid("User", pk): role for pk, role, _ in joined}
    roles_by_user[world.owner.id] = "OWNER"
    big_page = body["data"]["projects"]["nodes"][0]["members"]["edges"]
    assert [edge["role"] for edge in big_page] == [
        roles_by_user[edge["node"]["id"]] for edge in big_page
    ]
    assert big_page[0]["addedAt"] == "2030-01-01T00:00:00Z"

    for project_id, want in expected.items():

        async def fetch(paging: dict[str, Any], project_id: str = project_id) -> dict[str, Any]:
            body = await world.owner.execute(
                f"""query($id: ID!, $first: Int, $after: String) {{ project(id: $id) {{
                  members(first: $first, after: $after) {{ {MEMBER_CONNECTION} }} }} }}""",
                {"id": project_id, **paging},
            )
            assert "errors" not in body, body
            connection: dict[str, Any] = body["data"]["project"]["members"]
            return connection

        await walk_forward(fetch, want, 2)
        await walk_forward(fetch, want, 3)


async def test_a_failing_field_beside_running_reads_gets_a_normal_answer(
    world: World, engine: AsyncEngine
) -> None:
    """graphql-core cancels the siblings of a failed field; the request's session must
    still close cleanly (regression: PostgreSQL answered "another operation is in
    progress" and the request failed as a whole)."""
    project = pk_of(world.project, "Project")
    ids = await insert_spread(engine, project, world.owner.pk, 6)
    (tag,) = await insert_tags(engine, project, ["t"])
    await tag_tasks(engine, [(pk, tag) for pk in ids])
    root = """query($after: String) {
      a: projects { nodes { owner { name } tasks { nodes { tags { name } assignee { name } } } } }
      b: tasks(after: $after) { totalCount }
      c: projects { nodes { tags { totalCount nodes { tasks { totalCount } } } } }
    }"""
    nested = """query($id: ID!, $after: String) { project(id: $id) {
      owner { name } tags { nodes { name } } members { totalCount }
      tasks(after: $after) { totalCount }
    } }"""
    for _ in range(10):
        body = await world.owner.execute(root, {"after": "garbage"})
        assert_error(body, "BAD_USER_INPUT", field="after")
        assert body["data"] is None
        body = await world.owner.execute(nested, {"id": world.project, "after": "garbage"})
        assert_error(body, "BAD_USER_INPUT", field="after")
        assert body["data"] == {"project": None}


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


# ------------------------------------------------- Unicode-aware order (API.md "Limits")

# Inserted in this order (ids ascending).
UNICODE_TITLES = [
    "Zeta",
    "ÉCOLE",
    "alpha",
    "Äpfel",
    "straße",
    "Яблоко",
    "apple",
    "école",
    "STRASSE",
    "ωμέγα",
    "Apfel",
    "яблоко",
    "zèbre",
    "9 items",
    "10 items",
]
# Ascending, as a person sorting by hand: case ignored in every script, an accented letter
# right after its base letter, digits before letters, Latin before Greek before Cyrillic.
# Titles equal ignoring case ("ÉCOLE"/"école", "straße"/"STRASSE") tie, broken by id.
TITLE_ORDER = [
    "10 items",
    "9 items",
    "alpha",
    "Apfel",
    "Äpfel",
    "apple",
    "ÉCOLE",
    "école",
    "straße",
    "STRASSE",
    "zèbre",
    "Zeta",
    "ωμέγα",
    "Яблоко",
    "яблоко",
]


async def _unicode_tasks(world: World, engine: AsyncEngine) -> dict[str, str]:
    """The tasks of `UNICODE_TITLES` in the shared project: title -> global id."""
    project = pk_of(world.project, "Project")
    ids = await insert_tasks(
        engine, [task_row(project, world.owner.pk, title=title) for title in UNICODE_TITLES]
    )
    return {title: gid("Task", pk) for title, pk in zip(UNICODE_TITLES, ids, strict=True)}


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_title_order_ignores_case_in_every_script_and_pages_with_cursors(
    world: World, engine: AsyncEngine, direction: str
) -> None:
    ids = await _unicode_tasks(world, engine)
    titles = TITLE_ORDER if direction == "ASC" else TITLE_ORDER[::-1]
    expected = [ids[title] for title in titles]
    order = order_of("TITLE", direction)

    root = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", order)
    await walk_forward(root, expected, 4)
    await walk_backward(root, expected, 4)

    async def nested(paging: dict[str, Any]) -> dict[str, Any]:
        body = await world.owner.execute(
            PROJECT_TASKS, {"id": world.project, "order": order, **paging}
        )
        assert "errors" not in body, body
        connection: dict[str, Any] = body["data"]["project"]["tasks"]
        return connection

    await walk_forward(nested, expected, 4)
    await walk_backward(nested, expected, 4)


async def test_a_renamed_task_moves_in_title_order(world: World, engine: AsyncEngine) -> None:
    """The order key follows `updateTask`, not only inserts."""
    ids = await _unicode_tasks(world, engine)
    body = await world.owner.execute(
        'mutation($id: ID!) { updateTask(id: $id, input: {title: "ÀB"}) { id } }',
        {"id": ids["Zeta"]},
    )
    assert "errors" not in body, body
    titles = [title for title in TITLE_ORDER if title != "Zeta"]
    expected = [ids[t] for t in titles[:2]] + [ids["Zeta"]] + [ids[t] for t in titles[2:]]
    fetch = root_fetcher(world.owner.execute, ROOT_TASKS, "tasks", order_of("TITLE", "ASC"))
    await walk_forward(fetch, expected, 5)


async def test_project_name_order_ignores_case_in_every_script(
    world: World, engine: AsyncEngine
) -> None:
    names = ["zoo", "Äpfel", "ÉCOLE", "apple", "ecole", "Ωmega", "Яблоко"]
    for name in names:
        await insert_project(engine, name=name, owner=world.owner.pk)
    expected = ["Äpfel", "apple", "ecole", "ÉCOLE", "Personal", "Shared", "zoo", "Ωmega", "Яблоко"]
    for direction, want in (("ASC", expected), ("DESC", expected[::-1])):
        body = await world.owner.execute(
            "query($order: ProjectOrder) { projects(orderBy: $order) { nodes { name } } }",
            {"order": order_of("NAME", direction)},
        )
        assert "errors" not in body, body
        assert [node["name"] for node in body["data"]["projects"]["nodes"]] == want

    # A rename moves the project: the key follows `updateProject`.
    body = await world.owner.execute(
        'mutation($id: ID!) { updateProject(id: $id, input: {name: "ÆON"}) { id } }',
        {"id": world.project},
    )
    assert "errors" not in body, body
    body = await world.owner.execute(
        "{ projects(orderBy: {field: NAME, direction: ASC}, first: 3) { nodes { name } } }"
    )
    assert [node["name"] for node in body["data"]["projects"]["nodes"]] == [
        "ÆON",
        "Äpfel",
        "apple",
    ]


async def test_tags_are_listed_by_name_ignoring_case_in_every_script(
    world: World, engine: AsyncEngine
) -> None:
    project = pk_of(world.project, "Project")
    names = ["zeta", "Émoji", "alpha", "Beta", "ébène", "Ωmega"]
    tag_pks = await insert_tags(engine, project, names)
    (task,) = await insert_tasks(engine, [task_row(project, world.owner.pk)])
    await tag_tasks(engine, [(task, tag) for tag in tag_pks])
    expected = ["alpha", "Beta", "ébène", "Émoji", "zeta", "Ωmega"]
    body = await world.owner.execute(
        """query($id: ID!, $task: ID!) {
          project(id: $id) { tags { nodes { name } } }
          task(id: $task) { tags { name } } }""",
        {"id": world.project, "task": gid("Task", task)},
    )
    assert "errors" not in body, body
    assert [tag["name"] for tag in body["data"]["project"]["tags"]["nodes"]] == expected
    assert [tag["name"] for tag in body["data"]["task"]["tags"]] == expected


# ---------------------------------------------- crafted cursors (API.md "Limits", cursors)

TASK_CREATED = "Task:CREATED_AT:DESC"
NOW_TEXT = "2030-01-01T00:00:00+00:00"
# (order the cursor claims, what it is for, the JSON list inside it); every one decodes as
# base64 and JSON, names the right order and is refused only for a value no row can have.
CRAFTED: list[tuple[dict[str, str] | None, str, Any]] = [
    (None, "id beyond BIGINT", [TASK_CREATED, NOW_TEXT, 10**30]),
    (None, "id just beyond BIGINT", [TASK_CREATED, NOW_TEXT, 2**63]),
    (None, "negative id", [TASK_CREATED, NOW_TEXT, -1]),
    (None, "id zero", [TASK_CREATED, NOW_TEXT, 0]),
    (None, "fractional id", [TASK_CREATED, NOW_TEXT, 1.5]),
    (None, "id as a string", [TASK_CREATED, NOW_TEXT, "1"]),
    (None, "id as a list", [TASK_CREATED, NOW_TEXT, [1]]),
    (None, "id as an object", [TASK_CREATED, NOW_TEXT, {"id": 1}]),
    (None, "id null", [TASK_CREATED, NOW_TEXT, None]),
    (None, "datetime without zone", [TASK_CREATED, "2030-01-01T00:00:00", 1]),
    (None, "datetime garbage", [TASK_CREATED, "yesterday", 1]),
    (None, "datetime month 13", [TASK_CREATED, "2030-13-01T00:00:00+00:00", 1]),
    (None, "datetime before year 1 in UTC", [TASK_CREATED, "0001-01-01T00:00:00+01:00", 1]),
    (None, "datetime after 9999 in UTC", [TASK_CREATED, "9999-12-31T23:59:59-01:00", 1]),
    (None, "datetime as a number", [TASK_CREATED, 1893456000, 1]),
    (None, "datetime nested", [TASK_CREATED, [[NOW_TEXT]], 1]),
    (None, "datetime null", [TASK_CREATED, None, 1]),
    (None, "datetime with NUL", [TASK_CREATED, "2030-01-01T00:00:00\u0000+00:00", 1]),
    (None, "datetime with a lone surrogate", [TASK_CREATED, "2030-01-01T00:00:00\ud800", 1]),
    (None, "too few parts", [TASK_CREATED, NOW_TEXT]),
    (None, "too many parts", [TASK_CREATED, NOW_TEXT, 1, 2]),
    (None, "not a list", {"order": TASK_CREATED}),
    (None, "a bare string", TASK_CREATED),
    (None, "order name with NUL", [TASK_CREATED + "\u0000", NOW_TEXT, 1]),
    ({"field": "PRIORITY", "direction": "ASC"}, "priority 5", ["Task:PRIORITY:ASC", 5, 1]),
    ({"field": "PRIORITY", "direction": "ASC"}, "priority 0", ["Task:PRIORITY:ASC", 0, 1]),
    ({"field": "PRIORITY", "direction": "ASC"}, "priority 2**40", ["Task:PRIORITY:ASC", 2**40, 1]),
    ({"field": "PRIORITY", "direction": "ASC"}, "priority true", ["Task:PRIORITY:ASC", True, 1]),
    (
        {"field": "DUE_DATE", "direction": "ASC"},
        "date 30 February",
        ["Task:DUE_DATE:ASC", "2030-02-30", 1],
    ),
    ({"field": "DUE_DATE", "direction": "ASC"}, "date garbage", ["Task:DUE_DATE:ASC", "soon", 1]),
    (
        {"field": "DUE_DATE", "direction": "ASC"},
        "date as a number",
        ["Task:DUE_DATE:ASC", 20300101, 1],
    ),
    ({"field": "TITLE", "direction": "ASC"}, "title key not hex", ["Task:TITLE:ASC", "zz", 1]),
    ({"field": "TITLE", "direction": "ASC"}, "title key odd length", ["Task:TITLE:ASC", "abc", 1]),
    (
        {"field": "TITLE", "direction": "ASC"},
        "title key too long",
        ["Task:TITLE:ASC", "00" * 513, 1],
    ),
    ({"field": "TITLE", "direction": "ASC"}, "title key as a number", ["Task:TITLE:ASC", 12, 1]),
    (
        {"field": "TITLE", "direction": "ASC"},
        "title key nested",
        ["Task:TITLE:ASC", {"a": ["00"]}, 1],
    ),
    ({"field": "TITLE", "direction": "ASC"}, "title key null", ["Task:TITLE:ASC", None, 1]),
    (
        {"field": "TITLE", "direction": "ASC"},
        "title key with NUL",
        ["Task:TITLE:ASC", "00\u0000", 1],
    ),
    (
        {"field": "TITLE", "direction": "ASC"},
        "title key lone surrogate",
        ["Task:TITLE:ASC", "\udc00", 1],
    ),
]


def _crafted_cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _raw_bytes_cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


VALID_CURSOR = _crafted_cursor([TASK_CREATED, NOW_TEXT, 1])
# Cursors that are not even base64 of JSON text.
CRAFTED_RAW: list[tuple[str, str]] = [
    ("JSON nested 100,000 deep", _raw_bytes_cursor(b"[" * 100_000 + b"]" * 100_000)),
    (
        "JSON with a 5,000-digit number",
        _raw_bytes_cursor(f'["{TASK_CREATED}", "{NOW_TEXT}", {"9" * 5000}]'.encode()),
    ),
    (
        "JSON of an encoded lone surrogate",
        _raw_bytes_cursor(b'["' + "\ud800".encode("utf-8", "surrogatepass") + b'", 1, 2]'),
    ),
    ("invalid UTF-8", _raw_bytes_cursor(b'["\xff\xfe", 1, 2]')),
    ("NUL before a valid cursor", "\u0000" + VALID_CURSOR),
    ("NUL inside a valid cursor", VALID_CURSOR[:4] + "\u0000" + VALID_CURSOR[4:]),
    ("non-ASCII in the cursor", "é" + VALID_CURSOR),
    ("padding in the middle", VALID_CURSOR[:4] + "==" + VALID_CURSOR[4:]),
]


async def test_crafted_cursors_are_bad_user_input_never_a_500(
    world: World, engine: AsyncEngine, http: httpx.AsyncClient
) -> None:
    """Every crafted cursor is refused on `after` and `before`, on the root list and a
    nested one (one statement per parent: LATERAL on PostgreSQL, a window on SQLite)."""
    await insert_spread(engine, pk_of(world.project, "Project"), world.owner.pk, 3)
    cases = [(what, order, _crafted_cursor(values)) for order, what, values in CRAFTED]
    cases += [(what, None, cursor) for what, cursor in CRAFTED_RAW]
    wrong: list[str] = []
    for what, order, cursor in cases:
        for paging, argument in (
            ({"first": 2, "after": cursor}, "after"),
            ({"last": 2, "before": cursor}, "before"),
        ):
            for query, variables in (
                (ROOT_TASKS, {**paging, "order": order}),
                (PROJECT_TASKS, {**paging, "order": order, "id": world.project}),
            ):
                body = await execute_escaped(http, query, variables, token=world.owner.token)
                errors = body.get("errors", [])
                codes = [(e["extensions"]["code"], e["extensions"].get("field")) for e in errors]
                if codes != [("BAD_USER_INPUT", argument)]:
                    wrong.append(f"{what} on {argument}: {codes}")
    assert wrong == []


@pytest.mark.parametrize(
    ("query", "values"),
    [
        (
            "query($c: String) { projects(first: 1, after: $c,"
            " orderBy: {field: NAME, direction: ASC}) { totalCount } }",
            ["Project:NAME:ASC", "zz", 1],
        ),
        (
            "query($c: String) { projects(last: 1, before: $c,"
            " orderBy: {field: NAME, direction: ASC}) { totalCount } }",
            ["Project:NAME:ASC", "00", 2**64],
        ),
        (
            "query($c: String) { projects(first: 1, after: $c) { totalCount } }",
            ["Project:CREATED_AT:DESC", "0000-01-01T00:00:00+00:00", 1],
        ),
    ],
)
async def test_crafted_project_cursors_are_bad_user_input(
    world: World, query: str, values: list[Any]
) -> None:
    body = await world.owner.execute(query, {"c": _crafted_cursor(values)})
    assert_error(body, "BAD_USER_INPUT", field="before" if "before" in query else "after")


@pytest.mark.parametrize(
    ("connection", "values"),
    [
        ("tags", ["Tag:NAME:ASC", "00", 10**30]),
        ("tags", ["Tag:NAME:ASC", "0g", 1]),
        ("members", ["ProjectMember:ADDED_AT:ASC", NOW_TEXT, -5]),
        ("members", ["ProjectMember:ADDED_AT:ASC", "2030-01-01", 1]),
    ],
)
async def test_crafted_nested_cursors_are_bad_user_input(
    world: World, connection: str, values: list[Any]
) -> None:
    body = await world.owner.execute(
        f"query($id: ID!, $c: String) {{ project(id: $id) {{ {connection}(after: $c)"
        " { totalCount } } }",
        {"id": world.project, "c": _crafted_cursor(values)},
    )
    assert_error(body, "BAD_USER_INPUT", field="after")
