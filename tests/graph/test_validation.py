"""API.md "Rules of the data" for every mutation input, and the mutations' semantics:
omitted versus null, optimistic concurrency, `version`/`updatedAt`/`completedAt`,
idempotent completion, and moving a task between projects.

Every refused mutation is checked to have written nothing (a snapshot of every row).
"""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import Actor, World
from tests.graph.rows import (
    BASE,
    add_members,
    gid,
    insert_project,
    insert_tags,
    pk_of,
    snapshot,
)
from tests.helpers import assert_error

TASK = """id title description status priority dueDate completedAt version createdAt updatedAt
  project { id } assignee { id } tags { id }"""
CREATE_TASK = f"""mutation($input: CreateTaskInput!) {{ createTask(input: $input) {{ {TASK} }} }}"""
UPDATE_TASK = f"""mutation($id: ID!, $input: UpdateTaskInput!, $version: Int) {{
  updateTask(id: $id, input: $input, expectedVersion: $version) {{ {TASK} }}
}}"""
SET_COMPLETED = f"""mutation($id: ID!, $completed: Boolean!) {{
  setTaskCompleted(id: $id, completed: $completed) {{ {TASK} }}
}}"""
PROJECT = "id name description createdAt updatedAt"
CREATE_PROJECT = f"""mutation($input: CreateProjectInput!) {{
  createProject(input: $input) {{ {PROJECT} }}
}}"""
UPDATE_PROJECT = f"""mutation($id: ID!, $input: UpdateProjectInput!) {{
  updateProject(id: $id, input: $input) {{ {PROJECT} }}
}}"""
CREATE_TAG = """mutation($input: CreateTagInput!) { createTag(input: $input) { id name color } }"""
UPDATE_TAG = """mutation($id: ID!, $input: UpdateTagInput!) {
  updateTag(id: $id, input: $input) { id name color }
}"""
GET_TASK = f"""query($id: ID!) {{ task(id: $id) {{ {TASK} }} }}"""


async def ok(actor: Actor, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The one root field's value; fails the test on any error."""
    body = await actor.execute(query, variables)
    assert "errors" not in body, body
    (value,) = body["data"].values()
    assert isinstance(value, dict)
    return value


async def refused(
    engine: AsyncEngine,
    actor: Actor,
    query: str,
    variables: dict[str, Any],
    code: str,
    field: str | None = None,
) -> None:
    """The mutation fails with `code` (naming `field`) and writes nothing."""
    before = await snapshot(engine)
    body = await actor.execute(query, variables)
    assert_error(body, code, field=field)
    assert body["data"] is None
    assert await snapshot(engine) == before


async def new_task(world: World, **fields: Any) -> dict[str, Any]:
    return await ok(
        world.owner, CREATE_TASK, {"input": {"projectId": world.project, "title": "T", **fields}}
    )


async def new_tag(actor: Actor, project: str, name: str) -> dict[str, Any]:
    return await ok(actor, CREATE_TAG, {"input": {"projectId": project, "name": name}})


# ---------------------------------------------------------------- rules of the data

BAD_TASK_FIELDS = [
    ({"title": ""}, "title"),
    ({"title": "   \t\n "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "  " + "x" * 201 + "  "}, "title"),
    ({"description": "d" * 10_001}, "description"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_TASK_FIELDS)
async def test_create_task_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    variables = {"input": {"projectId": world.project, "title": "T", **fields}}
    await refused(engine, world.member, CREATE_TASK, variables, "BAD_USER_INPUT", field)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        *BAD_TASK_FIELDS,
        ({"title": None}, "title"),
        ({"status": None}, "status"),
        ({"priority": None}, "priority"),
    ],
)
async def test_update_task_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    task = await new_task(world)
    variables = {"id": task["id"], "input": fields}
    await refused(engine, world.member, UPDATE_TASK, variables, "BAD_USER_INPUT", field)


async def test_task_limits_are_inclusive_and_titles_trimmed(world: World) -> None:
    task = await new_task(world, title="  " + "x" * 200 + "\t", description="d" * 10_000)
    assert task["title"] == "x" * 200
    assert len(task["description"]) == 10_000
    updated = await ok(
        world.member,
        UPDATE_TASK,
        {"id": task["id"], "input": {"title": " y ", "description": ""}},
    )
    assert (updated["title"], updated["description"]) == ("y", "")


BAD_PROJECT_FIELDS = [
    ({"name": ""}, "name"),
    ({"name": "  \t "}, "name"),
    ({"name": "n" * 101}, "name"),
    ({"description": "d" * 2001}, "description"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_PROJECT_FIELDS)
async def test_create_project_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    variables = {"input": {"name": "P", **fields}}
    await refused(engine, world.member, CREATE_PROJECT, variables, "BAD_USER_INPUT", field)


@pytest.mark.parametrize(("fields", "field"), [*BAD_PROJECT_FIELDS, ({"name": None}, "name")])
async def test_update_project_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    variables = {"id": world.project, "input": fields}
    await refused(engine, world.owner, UPDATE_PROJECT, variables, "BAD_USER_INPUT", field)


async def test_project_limits_are_inclusive_and_names_trimmed(world: World) -> None:
    created = await ok(
        world.member,
        CREATE_PROJECT,
        {"input": {"name": " " + "n" * 100 + " ", "description": "d" * 2000}},
    )
    assert (created["name"], len(created["description"])) == ("n" * 100, 2000)
    updated = await ok(
        world.member, UPDATE_PROJECT, {"id": created["id"], "input": {"name": "\tNew "}}
    )
    assert (updated["name"], updated["description"]) == ("New", "d" * 2000)
    cleared = await ok(
        world.member, UPDATE_PROJECT, {"id": created["id"], "input": {"description": None}}
    )
    assert (cleared["name"], cleared["description"]) == ("New", None)


BAD_TAG_FIELDS = [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "n" * 51}, "name"),
    ({"color": ""}, "color"),
    ({"color": "red"}, "color"),
    ({"color": "#12345"}, "color"),
    ({"color": "#1234567"}, "color"),
    ({"color": "#GGGGGG"}, "color"),
    ({"color": "123456"}, "color"),
    ({"color": " #123456"}, "color"),
    ({"color": "#12345\u0661"}, "color"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_TAG_FIELDS)
async def test_create_tag_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    variables = {"input": {"projectId": world.project, "name": "t", **fields}}
    await refused(engine, world.member, CREATE_TAG, variables, "BAD_USER_INPUT", field)


@pytest.mark.parametrize(("fields", "field"), [*BAD_TAG_FIELDS, ({"name": None}, "name")])
async def test_update_tag_refuses_bad_fields(
    world: World, engine: AsyncEngine, fields: dict[str, Any], field: str
) -> None:
    tag = await new_tag(world.member, world.project, "t")
    variables = {"id": tag["id"], "input": fields}
    await refused(engine, world.member, UPDATE_TAG, variables, "BAD_USER_INPUT", field)


async def test_tag_limits_colours_and_trimming(world: World) -> None:
    tag = await ok(
        world.member,
        CREATE_TAG,
        {"input": {"projectId": world.project, "name": " " + "n" * 50 + " ", "color": "#A1b2C3"}},
    )
    assert (tag["name"], tag["color"]) == ("n" * 50, "#A1b2C3")
    tag = await ok(world.member, UPDATE_TAG, {"id": tag["id"], "input": {"color": None}})
    assert (tag["name"], tag["color"]) == ("n" * 50, None)
    tag = await ok(world.member, UPDATE_TAG, {"id": tag["id"], "input": {"color": "#000000"}})
    assert (tag["name"], tag["color"]) == ("n" * 50, "#000000")


@pytest.mark.parametrize("duplicate", ["bug", "Bug", " BUG ", "bUg"])
async def test_tag_names_are_unique_per_project_ignoring_case(
    world: World, engine: AsyncEngine, duplicate: str
) -> None:
    await new_tag(world.member, world.project, "bug")
    other = await new_tag(world.member, world.project, "feature")
    create = {"input": {"projectId": world.project, "name": duplicate}}
    await refused(engine, world.member, CREATE_TAG, create, "CONFLICT")
    rename = {"id": other["id"], "input": {"name": duplicate}}
    await refused(engine, world.member, UPDATE_TAG, rename, "CONFLICT")
    # The same name elsewhere is fine, and so is re-casing a tag's own name.
    assert (await new_tag(world.owner, world.owner.personal_project, duplicate))["name"] == (
        duplicate.strip()
    )
    recased = await ok(world.member, UPDATE_TAG, {"id": other["id"], "input": {"name": "FEATURE"}})
    assert recased["name"] == "FEATURE"


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
