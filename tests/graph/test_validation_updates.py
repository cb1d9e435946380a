"""The mutations' semantics: omitted versus null in updateTask, optimistic concurrency
(`expectedVersion`), `version`/`updatedAt`/`completedAt`, and idempotent completion.

Every refused mutation is checked to have written nothing (a snapshot of every row).
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import World
from tests.graph.mutations import (
    CREATE_PROJECT,
    GET_TASK,
    SET_COMPLETED,
    UPDATE_PROJECT,
    UPDATE_TASK,
    new_tag,
    new_task,
    ok,
    refused,
)

# ---------------------------------------------------------------- updateTask semantics


async def test_update_task_omitted_fields_stay_and_null_clears(world: World) -> None:
    tag = await new_tag(world.owner, world.project, "t")
    task = await new_task(
        world,
        description="words",
        dueDate="2030-01-05",
        assigneeId=world.member.id,
        tagIds=[tag["id"]],
        priority="HIGH",
    )
    assert task["version"] == 1

    async def update(**fields: Any) -> dict[str, Any]:
        return await ok(world.member, UPDATE_TASK, {"id": task["id"], "input": fields})

    kept = {
        "description": "words",
        "dueDate": "2030-01-05",
        "assignee": {"id": world.member.id},
        "tags": [{"id": tag["id"]}],
        "priority": "HIGH",
        "status": "TODO",
    }
    after = await update(title="renamed")
    assert {k: after[k] for k in kept} == kept
    assert (after["title"], after["version"]) == ("renamed", 2)

    steps: list[tuple[dict[str, Any], str, Any]] = [
        ({"description": None}, "description", None),
        ({"dueDate": None}, "dueDate", None),
        ({"assigneeId": None}, "assignee", None),
        ({"tagIds": []}, "tags", []),
    ]
    for version, (fields, key, value) in enumerate(steps, start=3):
        after = await update(**fields)
        kept[key] = value
        assert {k: after[k] for k in kept} == kept, fields
        assert (after["title"], after["version"]) == ("renamed", version)
    assert (await update())["version"] == 6  # nothing given, nothing changed


async def test_stale_expected_version_is_conflict_and_changes_nothing(
    world: World, engine: AsyncEngine
) -> None:
    task = await new_task(world)
    v2 = await ok(
        world.member, UPDATE_TASK, {"id": task["id"], "input": {"title": "A"}, "version": 1}
    )
    assert v2["version"] == 2
    for stale in (1, 3, 0):
        variables = {"id": task["id"], "input": {"title": "B"}, "version": stale}
        await refused(engine, world.member, UPDATE_TASK, variables, "CONFLICT")
        # Even when the change would have been a no-op.
        variables = {"id": task["id"], "input": {"title": "A"}, "version": stale}
        await refused(engine, world.member, UPDATE_TASK, variables, "CONFLICT")
    v3 = await ok(
        world.member, UPDATE_TASK, {"id": task["id"], "input": {"title": "B"}, "version": 2}
    )
    assert (v3["title"], v3["version"]) == ("B", 3)


async def test_version_and_updated_at_move_on_every_change_only(world: World) -> None:
    tags = [await new_tag(world.owner, world.project, name) for name in ("a", "b")]
    task = await new_task(
        world,
        title="T",
        description="D",
        dueDate="2030-02-01",
        assigneeId=world.member.id,
        tagIds=[t["id"] for t in tags],
        status="IN_PROGRESS",
        priority="LOW",
    )
    same = {
        "title": "  T  ",
        "description": "D",
        "dueDate": "2030-02-01",
        "assigneeId": world.member.id,
        "tagIds": [t["id"] for t in reversed(tags)],
        "status": "IN_PROGRESS",
        "priority": "LOW",
        "projectId": world.project,
    }
    no_ops: list[dict[str, Any]] = [{}, same, *({k: v} for k, v in same.items())]
    for fields in no_ops:
        after = await ok(world.member, UPDATE_TASK, {"id": task["id"], "input": fields})
        assert after == task, fields

    changes: list[dict[str, Any]] = [
        {"title": "T2"},
        {"description": "D2"},
        {"dueDate": "2030-02-02"},
        {"assigneeId": world.owner.id},
        {"tagIds": [tags[0]["id"]]},
        {"status": "TODO"},
        {"priority": "URGENT"},
    ]
    previous = task
    for fields in changes:
        after = await ok(world.member, UPDATE_TASK, {"id": task["id"], "input": fields})
        assert after["version"] == previous["version"] + 1, fields
        assert after["updatedAt"] > previous["updatedAt"], fields
        assert after["createdAt"] == task["createdAt"]
        previous = after
    assert await ok(world.viewer, GET_TASK, {"id": task["id"]}) == previous


async def test_project_updated_at_moves_on_change(world: World) -> None:
    project = await ok(world.member, CREATE_PROJECT, {"input": {"name": "P"}})
    renamed = await ok(world.member, UPDATE_PROJECT, {"id": project["id"], "input": {"name": "Q"}})
    assert renamed["updatedAt"] > project["updatedAt"]
    described = await ok(
        world.member, UPDATE_PROJECT, {"id": project["id"], "input": {"description": "d"}}
    )
    assert described["updatedAt"] > renamed["updatedAt"]
    assert described["createdAt"] == project["createdAt"]


async def test_completed_at_follows_done(world: World) -> None:
    done = await new_task(world, status="DONE")
    assert done["completedAt"] == done["createdAt"] == done["updatedAt"]
    todo = await new_task(world)
    assert todo["completedAt"] is None
    assert todo["createdAt"] == todo["updatedAt"]

    async def update(**fields: Any) -> dict[str, Any]:
        return await ok(world.member, UPDATE_TASK, {"id": todo["id"], "input": fields})

    started = await update(status="IN_PROGRESS")
    assert started["completedAt"] is None
    finished = await update(status="DONE")
    assert finished["completedAt"] is not None
    assert finished["completedAt"] == finished["updatedAt"]
    renamed = await update(title="still done")
    assert renamed["completedAt"] == finished["completedAt"]
    reopened = await update(status="IN_PROGRESS")
    assert reopened["completedAt"] is None
    again = await update(status="DONE")
    assert again["completedAt"] > finished["completedAt"]
    back = await update(status="TODO")
    assert back["completedAt"] is None


async def test_set_task_completed_is_idempotent(world: World) -> None:
    task = await new_task(world)

    async def complete(value: bool) -> dict[str, Any]:
        return await ok(world.member, SET_COMPLETED, {"id": task["id"], "completed": value})

    done = await complete(True)
    assert (done["status"], done["version"]) == ("DONE", 2)
    assert done["completedAt"] is not None
    assert done["updatedAt"] > task["updatedAt"]
    assert await complete(True) == done  # same version, same timestamps
    undone = await complete(False)
    assert (undone["status"], undone["completedAt"], undone["version"]) == ("TODO", None, 3)
    assert await complete(False) == undone


async def test_set_task_completed_needs_a_member(world: World, engine: AsyncEngine) -> None:
    task = await new_task(world)
    variables = {"id": task["id"], "completed": True}
    await refused(engine, world.viewer, SET_COMPLETED, variables, "FORBIDDEN")
    await refused(engine, world.stranger, SET_COMPLETED, variables, "NOT_FOUND")
    await refused(engine, world.member, SET_COMPLETED, {**variables, "id": "nope"}, "NOT_FOUND")
