"""API.md invariants under concurrency: 20 requests at once through real HTTP against a
real uvicorn process, on each database, then the invariant is checked in the database.

- a project always keeps an owner (owners demoting each other, or leaving, at once);
- `setTaskCompleted` is idempotent (`completedAt` and `version` change once);
- re-adding a member is `CONFLICT`, never a 500 (exactly one add succeeds);
- plain `updateTask` calls without `expectedVersion` all apply (version +1 each).
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.db.models import members, tasks
from app.enums import ProjectRole
from tests.conftest import TEST_SECRET
from tests.graph.conftest import Actor, make_actor
from tests.graph.rows import pk_of
from tests.helpers import GraphQLClient, error_codes, fetch_all
from tests.servers import serve, uvicorn_command

AT_ONCE = 20
ROUNDS = 3  # races are probabilistic: several at once make a lost one likely to show

ADD = """mutation($p: ID!, $e: String!, $r: ProjectRole!) {
  addProjectMember(projectId: $p, email: $e, role: $r) { id } }"""
SET_ROLE = """mutation($p: ID!, $u: ID!, $r: ProjectRole!) {
  updateProjectMember(projectId: $p, userId: $u, role: $r) { id } }"""
REMOVE = """mutation($p: ID!, $u: ID!) {
  removeProjectMember(projectId: $p, userId: $u) { id } }"""
COMPLETE = """mutation($id: ID!) {
  setTaskCompleted(id: $id, completed: true) { version completedAt } }"""
UPDATE = """mutation($id: ID!, $title: String!) {
  updateTask(id: $id, input: {title: $title}) { version title } }"""


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real server process on the test database for the module."""
    env = {"DATABASE_URL": database_url, "JWT_SECRET": TEST_SECRET, "ENVIRONMENT": "test"}
    with serve(uvicorn_command, env=env, cwd=tmp_path_factory.mktemp("races")) as url:
        yield url


@pytest.fixture
async def api(server: str) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client for the real server, with room for every request at once."""
    limits = httpx.Limits(max_connections=AT_ONCE * 2)
    async with httpx.AsyncClient(base_url=server, timeout=30.0, limits=limits) as http:
        yield GraphQLClient(http)


async def people(
    engine: AsyncEngine, settings: Settings, api: GraphQLClient, *names: str
) -> list[Actor]:
    return [await make_actor(engine, settings, api, name) for name in names]


async def ok(actor: Actor, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = await actor.execute(query, variables)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def shared_project(owner: Actor, *others: tuple[Actor, ProjectRole]) -> str:
    data = await ok(owner, 'mutation { createProject(input: {name: "P"}) { id } }', {})
    project: str = data["createProject"]["id"]
    for actor, role in others:
        email = f"{actor.name.lower()}@example.com"
        await ok(owner, ADD, {"p": project, "e": email, "r": role.name})
    return project


async def at_once(*calls: Any) -> list[dict[str, Any]]:
    """Run the requests concurrently; every one must be answered with a GraphQL body."""
    return list(await asyncio.gather(*calls))


async def owner_counts(engine: AsyncEngine, projects: list[str]) -> list[int]:
    statement = (
        select(members.c.project_id, func.count().label("owners"))
        .where(members.c.role == ProjectRole.OWNER.value)
        .group_by(members.c.project_id)
    )
    counts = {row.project_id: row.owners for row in await fetch_all(engine, statement)}
    return [counts.get(pk_of(project, "Project"), 0) for project in projects]


async def test_owners_demoting_each_other_at_once_keep_an_owner(
    engine: AsyncEngine, settings: Settings, api: GraphQLClient
) -> None:
    actors = await people(engine, settings, api, *(f"Owner{i}" for i in range(AT_ONCE)))
    pairs = [(actors[i], actors[i + 1]) for i in range(0, AT_ONCE, 2)]
    projects = [await shared_project(a, (b, ProjectRole.OWNER)) for a, b in pairs]

    bodies = await at_once(
        *(
            actor.execute(SET_ROLE, {"p": project, "u": other.id, "r": "MEMBER"})
            for project, (a, b) in zip(projects, pairs, strict=True)
            for actor, other in ((a, b), (b, a))
        )
    )

    assert await owner_counts(engine, projects) == [1] * len(projects)
    codes = [error_codes(body) for body in bodies]
    # One demotion per project goes through; the other owner, demoted while waiting, is
    # refused for the role they have after the wait.
    assert sorted(map(tuple, codes)) == [()] * len(projects) + [("FORBIDDEN",)] * len(projects)


async def test_owners_leaving_at_once_keep_an_owner(
    engine: AsyncEngine, settings: Settings, api: GraphQLClient
) -> None:
    actors = await people(engine, settings, api, *(f"Leaver{i}" for i in range(AT_ONCE)))
    pairs = [(actors[i], actors[i + 1]) for i in range(0, AT_ONCE, 2)]
    projects = [await shared_project(a, (b, ProjectRole.OWNER)) for a, b in pairs]

    bodies = await at_once(
        *(
            actor.execute(REMOVE, {"p": project, "u": actor.id})
            for project, pair in zip(projects, pairs, strict=True)
            for actor in pair
        )
    )

    assert await owner_counts(engine, projects) == [1] * len(projects)
    codes = [error_codes(body) for body in bodies]
    assert sorted(map(tuple, codes)) == [()] * len(projects) + [("CONFLICT",)] * len(projects)


async def test_set_task_completed_at_once_completes_it_once(
    engine: AsyncEngine, settings: Settings, api: GraphQLClient
) -> None:
    (owner,) = await people(engine, settings, api, "Finisher")
    create = 'mutation { createTask(input: {title: "t"}) { id } }'
    task_ids = [(await ok(owner, create, {}))["createTask"]["id"] for _ in range(ROUNDS)]

    bodies = await at_once(
        *(owner.execute(COMPLETE, {"id": task}) for task in task_ids for _ in range(AT_ONCE))
    )

    assert all("errors" not in body for body in bodies), bodies
    for round_ in range(ROUNDS):
        answers = [b["data"]["setTaskCompleted"] for b in bodies[round_ * AT_ONCE :][:AT_ONCE]]
        assert {answer["version"] for answer in answers} == {2}
        assert len({answer["completedAt"] for answer in answers}) == 1
    pks = [pk_of(task, "Task") for task in task_ids]
    rows = await fetch_all(engine, select(tasks).where(tasks.c.id.in_(pks)))
    assert [(row.version, row.completed_at is not None) for row in rows] == [(2, True)] * ROUNDS


async def test_adding_the_same_member_at_once_adds_them_once(
    engine: AsyncEngine, settings: Settings, api: GraphQLClient
) -> None:
    owner, *guests = await people(engine, settings, api, "Host", "Guest0", "Guest1", "Guest2")
    project = await shared_project(owner)

    bodies = await at_once(
        *(
            owner.execute(
                ADD, {"p": project, "e": f"{guest.name.lower()}@example.com", "r": "VIEWER"}
            )
            for guest in guests
            for _ in range(AT_ONCE)
        )
    )

    for round_ in range(len(guests)):
        codes = sorted(tuple(error_codes(b)) for b in bodies[round_ * AT_ONCE :][:AT_ONCE])
        assert codes == [()] + [("CONFLICT",)] * (AT_ONCE - 1), bodies
    statement = select(members.c.user_id, members.c.role).where(
        members.c.project_id == pk_of(project, "Project"), members.c.role == "VIEWER"
    )
    rows = await fetch_all(engine, statement.order_by(members.c.user_id))
    assert [tuple(row) for row in rows] == [(guest.pk, "VIEWER") for guest in guests]


async def test_plain_updates_at_once_all_apply(
    engine: AsyncEngine, settings: Settings, api: GraphQLClient
) -> None:
    (owner,) = await people(engine, settings, api, "Editor")
    data = await ok(owner, 'mutation { createTask(input: {title: "t"}) { id } }', {})
    task = data["createTask"]["id"]

    bodies = await at_once(
        *(owner.execute(UPDATE, {"id": task, "title": f"title {i}"}) for i in range(AT_ONCE))
    )

    assert all("errors" not in body for body in bodies), bodies
    versions = sorted(body["data"]["updateTask"]["version"] for body in bodies)
    assert versions == list(range(2, AT_ONCE + 2))
    row = (await fetch_all(engine, select(tasks).where(tasks.c.id == pk_of(task, "Task"))))[0]
    assert row.version == 1 + AT_ONCE
