"""N+1 guard: a query costs the same number of SQL statements whatever its page sizes.

Statements are counted with a `before_cursor_execute` listener on the `Engine`
class (the app builds its own engine in `create_app`; a class-level listener
sees every engine's statements for as long as it is attached). Each query runs
once before it is counted, so connection set-up is not counted; the numbers
include the one statement that looks up the viewer's session.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import Actor, World
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

PROJECTS = 21
TASKS_PER_PROJECT = 11
TAGS_PER_PROJECT = 3
PEOPLE = 11
TAGGED_TAGS = 21
TAGGED_TASKS = 11


@contextmanager
def counted() -> Iterator[list[str]]:
    """The SQL statements every engine runs while the block runs."""
    seen: list[str] = []

    def record(
        connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


async def cost(actor: Actor, query: str, variables: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Statements one request for `query` runs (after a warm-up run), and its data."""
    await actor.execute(query, variables)
    with counted() as seen:
        body = await actor.execute(query, variables)
    assert "errors" not in body, body
    assert seen, "the listener saw nothing"
    return len(seen), body["data"]


@pytest.fixture
async def big(world: World, engine: AsyncEngine) -> dict[str, Any]:
    """Enough rows to fill every page asked for below: `PROJECTS` projects (newest of the
    owner's), each with `TASKS_PER_PROJECT` tasks carrying two tags, `PEOPLE` members,
    assignees among them; and one project with `TAGGED_TAGS` tags on `TAGGED_TASKS` tasks each.
    """
    owner = world.owner.pk
    people = await insert_users(engine, [f"Person {i}" for i in range(PEOPLE)])
    project_pks = []
    for p in range(PROJECTS):
        project = await insert_project(
            engine, name=f"Project {p}", owner=owner, created_at=BASE + timedelta(minutes=p)
        )
        project_pks.append(project)
        await add_members(engine, project, [(pk, "MEMBER", BASE) for pk in people])
        tag_pks = await insert_tags(engine, project, [f"tag {i}" for i in range(TAGS_PER_PROJECT)])
        task_pks = await insert_tasks(
            engine,
            [
                task_row(
                    project,
                    people[i % PEOPLE],
                    title=f"task {i}",
                    assignee_id=None if i % 4 == 0 else people[(i + p) % PEOPLE],
                    created_at=BASE + timedelta(seconds=i),
                )
                for i in range(TASKS_PER_PROJECT)
            ],
        )
        await tag_tasks(
            engine,
            [(t, tag_pks[i % TAGS_PER_PROJECT]) for i, t in enumerate(task_pks)]
            + [(t, tag_pks[(i + 1) % TAGS_PER_PROJECT]) for i, t in enumerate(task_pks)],
        )
    tagged = pk_of(world.project, "Project")
    tag_pks = await insert_tags(engine, tagged, [f"label {i}" for i in range(TAGGED_TAGS)])
    task_pks = await insert_tasks(
        engine,
        [
            task_row(tagged, owner, assignee_id=world.member.pk if i % 2 else None)
            for i in range(TAGGED_TASKS)
        ],
    )
    await tag_tasks(engine, [(t, g) for t in task_pks for g in tag_pks])
    return {"projects": project_pks, "tagged_tasks": task_pks, "tags": tag_pks}


PROJECT_TREE = """query($n: Int, $m: Int) {
  projects(first: $n) { nodes {
    name owner { name }
    tasks(first: $m) { totalCount nodes { title assignee { name } tags { name } } }
  } }
}"""


async def test_projects_with_their_tasks(world: World, big: dict[str, Any]) -> None:
    small, small_data = await cost(world.owner, PROJECT_TREE, {"n": 2, "m": 2})
    large, large_data = await cost(world.owner, PROJECT_TREE, {"n": 20, "m": 10})
    nodes = large_data["projects"]["nodes"]
    assert len(nodes) == 20
    assert all(len(node["tasks"]["nodes"]) == 10 for node in nodes)
    assert all(node["tasks"]["totalCount"] == TASKS_PER_PROJECT for node in nodes)
    assert all(node["owner"] == {"name": "Owner"} for node in nodes)
    assert len(small_data["projects"]["nodes"]) == 2
    # viewer, projects, owners, tasks pages, tasks counts, assignees, tags
    assert (small, large) == (7, 7)


TASK_LIST = """query($n: Int) {
  tasks(first: $n) { nodes {
    title project { name } assignee { name } tags { name } createdBy { name }
  } }
}"""


async def test_tasks_with_their_relations(world: World, big: dict[str, Any]) -> None:
    small, _ = await cost(world.owner, TASK_LIST, {"n": 5})
    large, data = await cost(world.owner, TASK_LIST, {"n": 50})
    assert len(data["tasks"]["nodes"]) == 50
    assert len({node["project"]["name"] for node in data["tasks"]["nodes"]}) > 1
    # viewer, tasks, projects, users (assignees and creators together), tags
    assert (small, large) == (5, 5)


ONE_TASK = """query($id: ID!) {
  task(id: $id) {
    title
    project { name owner { name } }
    assignee { name } createdBy { name }
    tags { name project { name } }
  }
}"""


async def test_one_task_with_its_relations(world: World, big: dict[str, Any]) -> None:
    few_tags = gid("Task", big["tagged_tasks"][0])
    few, _ = await cost(world.owner, ONE_TASK, {"id": gid("Task", big["tagged_tasks"][1])})
    many, data = await cost(world.owner, ONE_TASK, {"id": few_tags})
    assert len(data["task"]["tags"]) == TAGGED_TAGS
    # viewer, task, project, users, tags, owner
    assert (few, many) == (6, 6)


TAG_TREE = """query($id: ID!, $n: Int, $m: Int) {
  project(id: $id) {
    tags(first: $n) { totalCount nodes {
      name
      tasks(first: $m) { totalCount nodes { title assignee { name } tags { name } } }
    } }
  }
}"""


async def test_tags_with_their_tasks(world: World, big: dict[str, Any]) -> None:
    small, _ = await cost(world.owner, TAG_TREE, {"id": world.project, "n": 2, "m": 2})
    large, data = await cost(world.owner, TAG_TREE, {"id": world.project, "n": 20, "m": 10})
    nodes = data["project"]["tags"]["nodes"]
    assert len(nodes) == 20
    assert all(len(node["tasks"]["nodes"]) == 10 for node in nodes)
    assert all(node["tasks"]["totalCount"] == TAGGED_TASKS for node in nodes)
    assert all(len(task["tags"]) == TAGGED_TAGS for task in nodes[0]["tasks"]["nodes"])
    # viewer, project, tags page, tags count, tasks pages, tasks counts, assignees, task tags
    assert (small, large) == (8, 8)


MEMBER_TREE = """query($n: Int, $m: Int) {
  projects(first: $n) { nodes {
    members(first: $m) { totalCount edges { role addedAt node { name email } } }
  } }
}"""


async def test_projects_with_their_members(world: World, big: dict[str, Any]) -> None:
    small, _ = await cost(world.owner, MEMBER_TREE, {"n": 2, "m": 2})
    large, data = await cost(world.owner, MEMBER_TREE, {"n": 20, "m": 10})
    nodes = data["projects"]["nodes"]
    assert len(nodes) == 20
    assert all(len(node["members"]["edges"]) == 10 for node in nodes)
    assert all(node["members"]["totalCount"] == PEOPLE + 1 for node in nodes)
    # viewer, projects, members pages, members counts
    assert (small, large) == (4, 4)


PROJECT_TAG_TREE = """query($n: Int, $m: Int) {
  projects(first: $n) { nodes {
    tags(first: $m) {
      totalCount nodes { name project { name } tasks(first: 2) { nodes { title } } }
    }
  } }
}"""


async def test_projects_with_their_tags_and_their_tasks(world: World, big: dict[str, Any]) -> None:
    small, _ = await cost(world.owner, PROJECT_TAG_TREE, {"n": 2, "m": 1})
    large, data = await cost(world.owner, PROJECT_TAG_TREE, {"n": 20, "m": 3})
    nodes = data["projects"]["nodes"]
    assert all(len(node["tags"]["nodes"]) == TAGS_PER_PROJECT for node in nodes)
    # viewer, projects, tags pages, tags counts, tags' projects, tag tasks pages
    assert (small, large) == (6, 6)


NODES = """query($ids: [ID!]!) { nodes(ids: $ids) {
  __typename id
  ... on Project { name } ... on Task { title } ... on Tag { name } ... on User { name }
} }"""


async def test_nodes_of_every_type(world: World, big: dict[str, Any]) -> None:
    def ids(n: int) -> list[str]:
        return (
            [gid("Project", pk) for pk in big["projects"][:n]]
            + [gid("Task", pk) for pk in big["tagged_tasks"][:n]]
            + [gid("Tag", pk) for pk in big["tags"][:n]]
            + [world.member.id, world.viewer.id][: min(n, 2)]
            + ["garbage"] * n
        )

    small, _ = await cost(world.owner, NODES, {"ids": ids(1)})
    large, data = await cost(world.owner, NODES, {"ids": ids(10)})
    assert sum(node is not None for node in data["nodes"]) == 32
    # viewer, projects, tasks, tags, users
    assert (small, large) == (5, 5)


async def test_root_lookups_side_by_side(world: World, big: dict[str, Any]) -> None:
    """Root fields resolve together: their loads fall into one batch per type, even while
    the viewer is still being looked up (regression: one statement per field)."""

    def query(n: int) -> str:
        fields = [
            f'p{i}: project(id: "{gid("Project", pk)}") {{ name owner {{ name }} }}'
            f' t{i}: task(id: "{gid("Task", big["tagged_tasks"][i])}") {{ title }}'
            for i, pk in enumerate(big["projects"][:n])
        ]
        return "{ " + " ".join(fields) + " }"

    small, _ = await cost(world.owner, query(1), {})
    large, data = await cost(world.owner, query(10), {})
    assert all(value is not None for value in data.values())
    assert len(data) == 20
    # viewer, projects, tasks, owners
    assert (small, large) == (4, 4)


async def test_the_token_is_authenticated_once_per_request(world: World) -> None:
    """Authentication at the edge: one statement (the session look-up) per request with a
    token, however many fields need the viewer; none without a token."""
    query = "{ me { name } projects(first: 1) { totalCount } tasks(first: 1) { totalCount } }"
    statements, _ = await cost(world.owner, query, {})
    assert statements == 5  # the session; a page and a count of projects, and of tasks
    with counted() as seen:
        body = await world.anonymous.execute("{ me { name } }")
    assert body["data"] == {"me": None}
    assert seen == []


async def test_a_request_refused_by_the_transport_runs_no_statement(world: World) -> None:
    """The request's context (and the token's session look-up) is made only once the body
    is parsed: a malformed request with a valid token costs the database nothing."""
    headers = {"authorization": f"Bearer {world.owner.token}", "content-type": "application/json"}
    with counted() as seen:
        response = await world.owner.api.http.post(
            "/graphql", content=b"{not json", headers=headers
        )
    assert response.status_code == 400
    assert seen == []
