"""API.md "Rules of the data" for every mutation input, and the mutations' semantics:
omitted versus null, optimistic concurrency, `version`/`updatedAt`/`completedAt`,
idempotent completion, and moving a task between projects.

Every refused mutation is checked to have written nothing (a snapshot of every row).
"""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from graphql import GraphQLInputObjectType, GraphQLObjectType, GraphQLString, get_named_type
from sqlalchemy.ext.asyncio import AsyncEngine

from app.schema import schema
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
from tests.helpers import assert_bad_request, assert_error, execute_escaped

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


@pytest.mark.parametrize(
    ("first", "duplicate"),
    [("Émoji", "émoji"), ("émoji", "E\u0301MOJI"), ("straße", "STRASSE"), ("Ёлка", "ёЛКА")],
)
async def test_tag_names_are_unique_ignoring_case_in_every_script(
    world: World, engine: AsyncEngine, first: str, duplicate: str
) -> None:
    """API.md "Limits": uniqueness ignores case for every script, not only ASCII."""
    await new_tag(world.member, world.project, first)
    other = await new_tag(world.member, world.project, "other")
    create = {"input": {"projectId": world.project, "name": duplicate}}
    await refused(engine, world.member, CREATE_TAG, create, "CONFLICT")
    rename = {"id": other["id"], "input": {"name": duplicate}}
    await refused(engine, world.member, UPDATE_TAG, rename, "CONFLICT")
    # The key follows a rename: the old name is free again, the new one taken.
    renamed = await ok(world.member, UPDATE_TAG, {"id": other["id"], "input": {"name": "Ωmega"}})
    assert renamed["name"] == "Ωmega"
    await new_tag(world.member, world.project, "other")
    await refused(
        engine,
        world.member,
        CREATE_TAG,
        {"input": {"projectId": world.project, "name": "ΩMEGA"}},
        "CONFLICT",
    )


# ------------------------------------------- text inputs refuse NUL (API.md "Limits", text)

NUL = "a\u0000b"
SURROGATE = "a\ud800b"
SIGNUP = """mutation($input: SignupInput!) { signup(input: $input) { accessToken } }"""
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { accessToken } }"""
REFRESH = """mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }"""
ADD_MEMBER = """mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e) {
  id } }"""
ACCOUNT = {"email": "new@example.com", "password": "correct horse battery", "name": "New"}
CREDENTIALS = {"email": "owner@example.com", "password": "correct horse battery"}

Variables = Callable[[dict[str, str], str], dict[str, Any]]
# Every text input of every mutation: (schema coordinate, actor or None for anonymous,
# mutation, variables given the ids {"project", "task", "tag"} and the bad text).
TEXT_INPUTS: list[tuple[str, str | None, str, Variables]] = [
    ("SignupInput.email", None, SIGNUP, lambda i, v: {"input": {**ACCOUNT, "email": v + "@x.io"}}),
    ("SignupInput.password", None, SIGNUP, lambda i, v: {"input": {**ACCOUNT, "password": v * 4}}),
    ("SignupInput.name", None, SIGNUP, lambda i, v: {"input": {**ACCOUNT, "name": v}}),
    ("LoginInput.email", None, LOGIN, lambda i, v: {"input": {**CREDENTIALS, "email": v}}),
    ("LoginInput.password", None, LOGIN, lambda i, v: {"input": {**CREDENTIALS, "password": v}}),
    ("Mutation.refreshToken(refreshToken)", None, REFRESH, lambda i, v: {"t": v}),
    ("CreateProjectInput.name", "owner", CREATE_PROJECT, lambda i, v: {"input": {"name": v}}),
    (
        "CreateProjectInput.description",
        "owner",
        CREATE_PROJECT,
        lambda i, v: {"input": {"name": "P", "description": v}},
    ),
    (
        "UpdateProjectInput.name",
        "owner",
        UPDATE_PROJECT,
        lambda i, v: {"id": i["project"], "input": {"name": v}},
    ),
    (
        "UpdateProjectInput.description",
        "owner",
        UPDATE_PROJECT,
        lambda i, v: {"id": i["project"], "input": {"description": v}},
    ),
    (
        "Mutation.addProjectMember(email)",
        "owner",
        ADD_MEMBER,
        lambda i, v: {"p": i["project"], "e": "stranger" + v + "@example.com"},
    ),
    (
        "CreateTaskInput.title",
        "member",
        CREATE_TASK,
        lambda i, v: {"input": {"projectId": i["project"], "title": v}},
    ),
    (
        "CreateTaskInput.description",
        "member",
        CREATE_TASK,
        lambda i, v: {"input": {"projectId": i["project"], "title": "T", "description": v}},
    ),
    (
        "UpdateTaskInput.title",
        "member",
        UPDATE_TASK,
        lambda i, v: {"id": i["task"], "input": {"title": v}},
    ),
    (
        "UpdateTaskInput.description",
        "member",
        UPDATE_TASK,
        lambda i, v: {"id": i["task"], "input": {"description": v}},
    ),
    (
        "CreateTagInput.name",
        "member",
        CREATE_TAG,
        lambda i, v: {"input": {"projectId": i["project"], "name": v}},
    ),
    (
        "CreateTagInput.color",
        "member",
        CREATE_TAG,
        lambda i, v: {"input": {"projectId": i["project"], "name": "c", "color": "#12345" + v}},
    ),
    (
        "UpdateTagInput.name",
        "member",
        UPDATE_TAG,
        lambda i, v: {"id": i["tag"], "input": {"name": v}},
    ),
    (
        "UpdateTagInput.color",
        "member",
        UPDATE_TAG,
        lambda i, v: {"id": i["tag"], "input": {"color": "#" + v * 2}},
    ),
]
TASKS_SEARCH = "query($f: TaskFilter) { tasks(filter: $f) { totalCount } }"
PROJECT_TASKS_SEARCH = """query($p: ID!, $f: TaskFilter) {
  project(id: $p) { tasks(filter: $f) { totalCount } } }"""
TAG_TASKS_SEARCH = """query($t: ID!, $f: TaskFilter) { tag(id: $t) { tasks(filter: $f) {
  totalCount } } }"""
PROJECTS_SEARCH = "query($f: ProjectFilter) { projects(filter: $f) { totalCount } }"
# Every `search`: (schema coordinate, a query using it, its variables given ids and the text).
SEARCHES: list[tuple[str, str, Variables]] = [
    ("TaskFilter.search", TASKS_SEARCH, lambda i, v: {"f": {"search": v}}),
    (
        "TaskFilter.search",
        PROJECT_TASKS_SEARCH,
        lambda i, v: {"p": i["project"], "f": {"search": v}},
    ),
    ("TaskFilter.search", TAG_TASKS_SEARCH, lambda i, v: {"t": i["tag"], "f": {"search": v}}),
    ("ProjectFilter.search", PROJECTS_SEARCH, lambda i, v: {"f": {"search": v}}),
]
# Every cursor argument: (schema coordinate, a query passing `$c` there, its variables).
CURSORS: list[tuple[str, str, Variables]] = [
    (
        "Query.tasks(after)",
        "query($c: String) { tasks(after: $c) { totalCount } }",
        lambda i, v: {"c": v},
    ),
    (
        "Query.tasks(before)",
        "query($c: String) { tasks(before: $c) { totalCount } }",
        lambda i, v: {"c": v},
    ),
    (
        "Query.projects(after)",
        "query($c: String) { projects(after: $c) { totalCount } }",
        lambda i, v: {"c": v},
    ),
    (
        "Query.projects(before)",
        "query($c: String) { projects(before: $c) { totalCount } }",
        lambda i, v: {"c": v},
    ),
    *(
        (
            f"Project.{field}({argument})",
            "query($p: ID!, $c: String) { project(id: $p) {"
            f" {field}({argument}: $c) {{ totalCount }} }} }}",
            lambda i, v: {"p": i["project"], "c": v},
        )
        for field, argument in (
            ("tasks", "after"),
            ("tasks", "before"),
            ("members", "after"),
            ("tags", "after"),
        )
    ),
    (
        "Tag.tasks(after)",
        "query($t: ID!, $c: String) { tag(id: $t) { tasks(after: $c) { totalCount } } }",
        lambda i, v: {"t": i["tag"], "c": v},
    ),
]


def text_coordinates() -> set[str]:
    """Every String argument and input field of the schema, as `Type.field(argument)` or
    `Input.field` (what a hostile client can put text into)."""
    found: set[str] = set()
    for named in schema._schema.type_map.values():
        if named.name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType):
            for name, field in named.fields.items():
                for argument_name, argument in field.args.items():
                    if get_named_type(argument.type) is GraphQLString:
                        found.add(f"{named.name}.{name}({argument_name})")
        if isinstance(named, GraphQLInputObjectType):
            for name, input_field in named.fields.items():
                if get_named_type(input_field.type) is GraphQLString:
                    found.add(f"{named.name}.{name}")
    return found


def test_every_text_input_of_the_schema_is_tried() -> None:
    tried = {c for c, *_ in TEXT_INPUTS} | {c for c, *_ in SEARCHES} | {c for c, *_ in CURSORS}
    assert tried == text_coordinates()


async def _ids(world: World) -> dict[str, str]:
    task = await new_task(world)
    tag = await new_tag(world.member, world.project, "t")
    return {"project": world.project, "task": task["id"], "tag": tag["id"]}


def _field(coordinate: str) -> str:
    """`SignupInput.email` -> `email`; `Mutation.refreshToken(refreshToken)` -> `refreshToken`."""
    return coordinate.rstrip(")").split("(")[-1].split(".")[-1]


@pytest.mark.parametrize(
    ("coordinate", "role", "mutation", "variables"),
    TEXT_INPUTS,
    ids=[coordinate for coordinate, *_ in TEXT_INPUTS],
)
async def test_text_inputs_refuse_nul_and_lone_surrogates(
    world: World,
    engine: AsyncEngine,
    http: httpx.AsyncClient,
    coordinate: str,
    role: str | None,
    mutation: str,
    variables: Variables,
) -> None:
    """NUL: BAD_USER_INPUT naming the field (PostgreSQL cannot store it). A lone surrogate,
    which no driver can encode: the transport's BAD_REQUEST. Nothing written, never a 500."""
    ids = await _ids(world)
    token = None if role is None else getattr(world, role).token
    before = await snapshot(engine)
    body = await execute_escaped(http, mutation, variables(ids, NUL), token=token)
    assert_error(body, "BAD_USER_INPUT", field=_field(coordinate))
    assert body["data"] is None
    await assert_bad_request(http, mutation, variables(ids, SURROGATE), token=token)
    assert await snapshot(engine) == before


@pytest.mark.parametrize(
    ("coordinate", "query", "variables"), SEARCHES, ids=[q.split("{")[1] for _, q, _ in SEARCHES]
)
async def test_search_refuses_nul_and_more_than_200_characters(
    world: World, http: httpx.AsyncClient, coordinate: str, query: str, variables: Variables
) -> None:
    """On SQLite, `"a\\u0000b"` used to match every task with an "a" (the pattern was cut
    at NUL); a 100,000-character pattern was a 500 ("LIKE pattern too complex")."""
    ids = await _ids(world)
    for bad in (NUL, "\u0000", "x" * 201, "a" * 100_000):
        body = await execute_escaped(http, query, variables(ids, bad), token=world.owner.token)
        assert_error(body, "BAD_USER_INPUT", field="search")
    await assert_bad_request(http, query, variables(ids, SURROGATE), token=world.owner.token)
    body = await execute_escaped(http, query, variables(ids, "é" * 200), token=world.owner.token)
    assert "errors" not in body, body


@pytest.mark.parametrize(
    ("coordinate", "query", "variables"), CURSORS, ids=[c for c, _, _ in CURSORS]
)
async def test_cursors_with_nul_are_bad_user_input(
    world: World, http: httpx.AsyncClient, coordinate: str, query: str, variables: Variables
) -> None:
    ids = await _ids(world)
    for bad in (NUL, "\u0000"):
        body = await execute_escaped(http, query, variables(ids, bad), token=world.owner.token)
        assert_error(body, "BAD_USER_INPUT", field=_field(coordinate))
    await assert_bad_request(http, query, variables(ids, SURROGATE), token=world.owner.token)


@pytest.mark.parametrize("bad", ["\u0000", "VGFzazox\u0000", "\u0000VGFzazox"])
async def test_ids_with_nul_do_not_exist(
    world: World, engine: AsyncEngine, http: httpx.AsyncClient, bad: str
) -> None:
    """API.md "ids": malformed is "does not exist" (null, NOT_FOUND, or BAD_USER_INPUT on
    an id inside an input), never a 500. "VGFzazox" is "Task:1"."""
    ids = await _ids(world)
    token = world.owner.token

    async def run(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return await execute_escaped(http, query, variables, token=token)

    body = await run(
        "query($id: ID!) { task(id: $id) { id } node(id: $id) { id } nodes(ids: [$id]) { id }"
        " project(id: $id) { id } tag(id: $id) { id } }",
        {"id": bad},
    )
    assert body == {
        "data": {"task": None, "node": None, "nodes": [None], "project": None, "tag": None},
        "extensions": {"cost": 5},
    }
    before = await snapshot(engine)
    for mutation in (
        "mutation($id: ID!) { deleteTask(id: $id) }",
        "mutation($id: ID!) { deleteTag(id: $id) }",
        "mutation($id: ID!) { deleteProject(id: $id) }",
        'mutation($id: ID!) { createTask(input: {projectId: $id, title: "T"}) { id } }',
    ):
        assert_error(await run(mutation, {"id": bad}), "NOT_FOUND")
    for field, task_input in (
        ("assigneeId", {"assigneeId": bad}),
        ("tagIds", {"tagIds": [ids["tag"], bad]}),
    ):
        body = await run(
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
            {"i": {"projectId": world.project, "title": "T", **task_input}},
        )
        assert_error(body, "BAD_USER_INPUT", field=field)
    for task_filter in ({"assigneeId": bad}, {"tagIds": [bad]}):
        body = await run(
            "query($f: TaskFilter) { tasks(filter: $f) { totalCount } }", {"f": task_filter}
        )
        assert_error(body, "BAD_USER_INPUT", field=next(iter(task_filter)))
    body = await run(
        "query($f: TaskFilter) { tasks(filter: $f) { totalCount } }", {"f": {"projectId": bad}}
    )
    assert body == {"data": {"tasks": {"totalCount": 0}}, "extensions": {"cost": 1}}
    assert await snapshot(engine) == before
