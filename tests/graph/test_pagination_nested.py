"""Nested connections page per parent (API.md "Rules of the data"): a project's
tasks, a tag's tasks, a project's tags and a project's members, each parent's page
exact within a list of parents and walked on its own, and `after` applied to every
parent's list at once.
"""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import World
from tests.graph.page_queries import (
    PROJECT_TASKS,
    expected_tasks,
    insert_spread,
    order_of,
    spread_task,
    task_dicts,
)
from tests.graph.paging import (
    CONNECTION,
    MEMBER_CONNECTION,
    check_page,
    walk_backward,
    walk_forward,
)
from tests.graph.rows import (
    BASE,
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
