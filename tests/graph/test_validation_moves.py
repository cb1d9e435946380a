"""Moving a task between projects with updateTask: what comes along must be valid in the
target, and both projects are checked.

Every refused mutation is checked to have written nothing (a snapshot of every row).
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import Actor, World
from tests.graph.mutations import GET_TASK, UPDATE_TASK, new_tag, new_task, ok, refused
from tests.graph.rows import BASE, add_members, gid, insert_project, insert_tags, pk_of

# ---------------------------------------------------------------- moving a task


async def _target(world: World, engine: AsyncEngine) -> str:
    """A project owned by the owner where the member is a MEMBER and the viewer is not."""
    target = await insert_project(engine, name="Target", owner=world.owner.pk)
    await add_members(engine, target, [(world.member.pk, "MEMBER", BASE)])
    return gid("Project", target)


async def test_moving_a_task_keeps_only_what_is_valid_there(
    world: World, engine: AsyncEngine
) -> None:
    target = await _target(world, engine)
    (target_tag,) = await insert_tags(engine, pk_of(target, "Project"), ["there"])
    here = await new_tag(world.owner, world.project, "here")
    by_viewer = await new_task(world, assigneeId=world.viewer.id, tagIds=[here["id"]])
    by_member = await new_task(world, assigneeId=world.member.id, tagIds=[here["id"]])

    moved = await ok(
        world.member, UPDATE_TASK, {"id": by_viewer["id"], "input": {"projectId": target}}
    )
    assert (moved["project"], moved["tags"], moved["assignee"]) == ({"id": target}, [], None)
    assert moved["version"] == 2

    moved = await ok(
        world.member,
        UPDATE_TASK,
        {"id": by_member["id"], "input": {"projectId": target, "tagIds": [gid("Tag", target_tag)]}},
    )
    assert moved["project"] == {"id": target}
    assert moved["tags"] == [{"id": gid("Tag", target_tag)}]
    assert moved["assignee"] == {"id": world.member.id}

    body = await world.owner.execute(
        "query($id: ID!) { tag(id: $id) { tasks { totalCount } } }", {"id": here["id"]}
    )
    assert body["data"]["tag"]["tasks"]["totalCount"] == 0


async def test_moving_a_task_checks_both_projects(world: World, engine: AsyncEngine) -> None:
    target = await _target(world, engine)
    here = await new_tag(world.owner, world.project, "here")
    task = await new_task(world, tagIds=[here["id"]])

    def move(**fields: Any) -> dict[str, Any]:
        return {"id": task["id"], "input": fields}

    cases: list[tuple[Actor, dict[str, Any], str, str | None]] = [
        # the target: hidden, missing, malformed or null is NOT_FOUND; too low a role FORBIDDEN
        (world.member, move(projectId=world.stranger.personal_project), "NOT_FOUND", None),
        (world.member, move(projectId=world.owner.personal_project), "NOT_FOUND", None),
        (world.member, move(projectId=gid("Project", 999_999)), "NOT_FOUND", None),
        (world.member, move(projectId="nope"), "NOT_FOUND", None),
        (world.member, move(projectId=None), "NOT_FOUND", None),
        # the source: the viewer may not change it, the stranger cannot see it
        (world.viewer, move(projectId=world.viewer.personal_project), "FORBIDDEN", None),
        (world.stranger, move(projectId=world.stranger.personal_project), "NOT_FOUND", None),
        # what comes along must be valid in the target
        (world.member, move(projectId=target, tagIds=[here["id"]]), "BAD_USER_INPUT", "tagIds"),
        (
            world.member,
            move(projectId=target, assigneeId=world.viewer.id),
            "BAD_USER_INPUT",
            "assigneeId",
        ),
    ]
    for actor, variables, code, field in cases:
        await refused(engine, actor, UPDATE_TASK, variables, code, field)

    # The member is only a VIEWER of the viewer-owned project: FORBIDDEN there.
    viewer_project = await insert_project(engine, name="Viewer's", owner=world.viewer.pk)
    await add_members(engine, viewer_project, [(world.member.pk, "VIEWER", BASE)])
    variables = move(projectId=gid("Project", viewer_project))
    await refused(engine, world.member, UPDATE_TASK, variables, "FORBIDDEN")
    assert (await ok(world.member, GET_TASK, {"id": task["id"]})) == task
