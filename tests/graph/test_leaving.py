"""`removeProjectMember` on oneself answers with the project as it stood just before the
caller left: `viewerRole`, `members` and `totalCount` agree (an Apollo cache that stores the
answer is not told "OWNER of a project with no members"), and nothing in it is something the
caller could not see before. Removing someone else answers with the project after it.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.models import members
from tests.graph.conftest import Actor, World
from tests.graph.rows import insert_tasks, pk_of, task_row
from tests.helpers import fetch_all

REMOVE = """mutation($p: ID!, $u: ID!) {
  removeProjectMember(projectId: $p, userId: $u) {
    id viewerRole
    owner { id }
    members { totalCount edges { role node { id email } } }
    tasks { totalCount nodes { title assignee { id } project { id viewerRole } } }
  }
}"""
PROJECT = "query($p: ID!) { project(id: $p) { id } }"


async def leave(actor: Actor, world: World, user: Actor | None = None) -> dict[str, Any]:
    body = await actor.execute(REMOVE, {"p": world.project, "u": (user or actor).id})
    assert "errors" not in body, body
    answer: dict[str, Any] = body["data"]["removeProjectMember"]
    return answer


async def memberships(engine: AsyncEngine, world: World) -> list[int]:
    statement = select(members.c.user_id).where(
        members.c.project_id == pk_of(world.project, "Project")
    )
    return sorted(row.user_id for row in await fetch_all(engine, statement))


async def test_a_member_who_leaves_gets_the_project_as_it_stood_before(
    world: World, engine: AsyncEngine
) -> None:
    project = pk_of(world.project, "Project")
    await insert_tasks(engine, [task_row(project, world.owner.pk, assignee_id=world.member.pk)])

    answer = await leave(world.member, world)

    assert answer["viewerRole"] == "MEMBER"
    edges = answer["members"]["edges"]
    assert answer["members"]["totalCount"] == len(edges) == 3
    assert {edge["node"]["id"]: edge["role"] for edge in edges} == {
        world.owner.id: "OWNER",
        world.member.id: "MEMBER",
        world.viewer.id: "VIEWER",
    }
    emails = {edge["node"]["id"]: edge["node"]["email"] for edge in edges}
    assert emails == {
        world.owner.id: None,
        world.member.id: "member@example.com",
        world.viewer.id: None,
    }
    assert answer["owner"] == {"id": world.owner.id}
    (task,) = answer["tasks"]["nodes"]
    assert answer["tasks"]["totalCount"] == 1
    assert task["assignee"] == {"id": world.member.id}  # as before: unassigned by the removal
    assert task["project"] == {"id": world.project, "viewerRole": "MEMBER"}

    assert world.member.pk not in await memberships(engine, world)
    assert (await world.member.execute(PROJECT, {"p": world.project}))["data"]["project"] is None


async def test_an_owner_removing_someone_gets_the_project_after(
    world: World, engine: AsyncEngine
) -> None:
    answer = await leave(world.owner, world, world.member)

    assert answer["viewerRole"] == "OWNER"
    ids = [edge["node"]["id"] for edge in answer["members"]["edges"]]
    assert answer["members"]["totalCount"] == len(ids) == 2
    assert sorted(ids) == sorted([world.owner.id, world.viewer.id])
    assert await memberships(engine, world) == sorted([world.owner.pk, world.viewer.pk])
