"""Isolation through ids inside inputs (assignee, tags, moving a task) and through
`User.email`, which only its owner reads."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from tests.graph.conftest import World
from tests.graph.scene import (
    CREATE_TAG,
    FORBIDDEN,
    NOT_FOUND,
    Scene,
    build_scene,
    data,
    malformed_ids,
    never_existed,
    same_bytes,
    snapshot,
)
from tests.helpers import assert_error

CREATE = """
mutation($p: ID!, $a: ID, $t: [ID!]) {
  createTask(input: {projectId: $p, title: "New", assigneeId: $a, tagIds: $t}) {
    id assignee { id } tags { id }
  }
}
"""
ASSIGN = """
mutation($id: ID!, $a: ID) { updateTask(id: $id, input: {assigneeId: $a}) { id assignee { id } } }
"""
RETAG = """
mutation($id: ID!, $t: [ID!]) { updateTask(id: $id, input: {tagIds: $t}) { id tags { id } } }
"""
MOVE = """
mutation($id: ID!, $p: ID) { updateTask(id: $id, input: {projectId: $p}) { id project { id } } }
"""


@pytest.fixture
async def scene(world: World, engine: AsyncEngine, settings: Settings) -> Scene:
    return await build_scene(world, engine, settings)


async def _refused(
    scene: Scene, document: str, variables: dict[str, Any], field: str
) -> dict[str, Any]:
    """Run as the owner: `BAD_USER_INPUT` naming `field`, and nothing changed."""
    before = await snapshot(scene)
    body = await scene.world.owner.execute(document, variables)
    assert_error(body, "BAD_USER_INPUT", field=field)
    assert await snapshot(scene) == before
    return body


async def test_assignee_must_be_a_member_of_the_project(scene: Scene) -> None:
    w, p, task = scene.world, scene.project, scene.task
    hidden = await _refused(scene, CREATE, {"p": p, "a": w.stranger.id}, "assigneeId")
    assert same_bytes(
        hidden, await _refused(scene, CREATE, {"p": p, "a": never_existed("User")}, "assigneeId")
    )
    moved = await _refused(scene, ASSIGN, {"id": task, "a": w.stranger.id}, "assigneeId")
    assert same_bytes(
        moved, await _refused(scene, ASSIGN, {"id": task, "a": never_existed("User")}, "assigneeId")
    )
    for absent in [*malformed_ids("User"), p]:  # an id of another type too
        await _refused(scene, CREATE, {"p": p, "a": absent}, "assigneeId")
        await _refused(scene, ASSIGN, {"id": task, "a": absent}, "assigneeId")
    # Any member of the project qualifies, whatever their role.
    for actor in (w.viewer, scene.extra, w.owner):
        assigned = data(await w.member.execute(ASSIGN, {"id": task, "a": actor.id}))
        assert assigned["updateTask"]["assignee"] == {"id": actor.id}
    created = data(await w.member.execute(CREATE, {"p": p, "a": w.viewer.id}))
    assert created["createTask"]["assignee"] == {"id": w.viewer.id}


async def test_tags_must_belong_to_the_tasks_project(scene: Scene) -> None:
    w, p, task = scene.world, scene.project, scene.task
    own_other = data(
        await w.owner.execute(
            CREATE_TAG, {"input": {"projectId": w.owner.personal_project, "name": "mine"}}
        )
    )["createTag"]["id"]
    hidden = await _refused(scene, CREATE, {"p": p, "t": [scene.stranger_tag]}, "tagIds")
    missing = await _refused(scene, CREATE, {"p": p, "t": [never_existed("Tag")]}, "tagIds")
    assert same_bytes(hidden, missing)
    await _refused(scene, CREATE, {"p": p, "t": [scene.tag, own_other]}, "tagIds")
    retag_hidden = await _refused(scene, RETAG, {"id": task, "t": [scene.stranger_tag]}, "tagIds")
    retag_missing = await _refused(
        scene, RETAG, {"id": task, "t": [never_existed("Tag")]}, "tagIds"
    )
    assert same_bytes(retag_hidden, retag_missing)
    await _refused(scene, RETAG, {"id": task, "t": [own_other]}, "tagIds")
    for absent in [*malformed_ids("Tag"), task]:  # an id of another type too
        await _refused(scene, CREATE, {"p": p, "t": [absent]}, "tagIds")
        await _refused(scene, RETAG, {"id": task, "t": [scene.tag, absent]}, "tagIds")
    created = data(await w.member.execute(CREATE, {"p": p, "t": [scene.tag]}))
    assert created["createTask"]["tags"] == [{"id": scene.tag}]


async def test_a_task_moves_only_between_projects_where_the_viewer_is_a_member(
    scene: Scene,
) -> None:
    w = scene.world
    other = data(
        await w.owner.execute('mutation { createProject(input: {name: "Other"}) { id } }')
    )["createProject"]["id"]
    data(
        await w.owner.execute(
            "mutation($p: ID!) {"
            ' addProjectMember(projectId: $p, email: "member@example.com", role: VIEWER) { id } }',
            {"p": other},
        )
    )
    before = await snapshot(scene)
    # Into a project they only view: FORBIDDEN; into one they cannot see: NOT_FOUND.
    assert_error(await w.member.execute(MOVE, {"id": scene.task, "p": other}), FORBIDDEN)
    hidden = await w.member.execute(MOVE, {"id": scene.task, "p": w.stranger.personal_project})
    assert_error(hidden, NOT_FOUND)
    for absent in [never_existed("Project"), *malformed_ids("Project"), scene.tag, None]:
        body = await w.member.execute(MOVE, {"id": scene.task, "p": absent})
        assert same_bytes(body, hidden), (absent, body)
    # The stranger cannot push their own task into the shared project either.
    pushed = await w.stranger.execute(MOVE, {"id": scene.stranger_task, "p": scene.project})
    assert same_bytes(pushed, hidden)
    assert await snapshot(scene) == before
    moved = data(await w.owner.execute(MOVE, {"id": scene.task, "p": other}))
    assert moved["updateTask"]["project"] == {"id": other}
    gone = data(
        await w.member.execute(
            "query($p: ID!) { project(id: $p) { tasks { totalCount } } }", {"p": scene.project}
        )
    )
    assert gone["project"]["tasks"] == {"totalCount": 0}


EMAILS = """
query($p: ID!, $t: ID!, $o: ID!) {
  me { id email }
  project(id: $p) { owner { id email } members { edges { node { id email } } } }
  task(id: $t) { createdBy { id email } assignee { id email } }
  owner: node(id: $o) { ... on User { id email } }
}
"""


@pytest.mark.parametrize("role", ["owner", "member", "viewer", "stranger"])
async def test_email_is_visible_only_to_its_user(scene: Scene, role: str) -> None:
    w = scene.world
    actor = w.actor(role)
    assert actor is not None
    project = w.stranger.personal_project if role == "stranger" else scene.project
    task = scene.stranger_task if role == "stranger" else scene.task
    found = data(await actor.execute(EMAILS, {"p": project, "t": task, "o": w.owner.id}))
    users = [found["me"], found["project"]["owner"], found["task"]["createdBy"]]
    users += [edge["node"] for edge in found["project"]["members"]["edges"]]
    if found["task"]["assignee"] is not None:
        users.append(found["task"]["assignee"])
    if found["owner"] is not None:
        users.append(found["owner"])
    assert {u["id"] for u in users} >= {actor.id}
    for user in users:
        mine = user["id"] == actor.id
        assert user["email"] == (f"{actor.name.lower()}@example.com" if mine else None), user
    others = {u["id"] for u in users} - {actor.id}
    assert bool(others) == (role != "stranger")


PROBES = [
    (
        "mutation($id: ID!, $v: Int) {"
        ' updateTask(id: $id, input: {title: "x"}, expectedVersion: $v) { id } }',
        "Task",
        [{"v": 1}, {"v": 99}],
    ),
    (
        'mutation($id: ID!) { createTag(input: {projectId: $id, name: "BUG"}) { id } }',
        "Project",
        [{}],
    ),
    (
        "mutation($id: ID!) {"
        ' addProjectMember(projectId: $id, email: "nobody@example.com") { id } }',
        "Project",
        [{}],
    ),
]


@pytest.mark.parametrize(
    ("document", "kind", "extras"),
    PROBES,
    ids=["expectedVersion", "duplicate tag", "unknown email"],
)
async def test_no_other_rule_answers_before_visibility(
    scene: Scene, document: str, kind: str, extras: list[dict[str, Any]]
) -> None:
    """A version, a duplicate name or an unknown email is judged only after the object
    is known to be visible: the stranger learns nothing, the viewer is `FORBIDDEN`."""
    w = scene.world
    target = scene.task if kind == "Task" else scene.project
    before = await snapshot(scene)
    first = await w.stranger.execute(document, {"id": target, **extras[0]})
    assert_error(first, NOT_FOUND)
    for extra in extras:
        for object_id in (target, never_existed(kind)):
            body = await w.stranger.execute(document, {"id": object_id, **extra})
            assert same_bytes(body, first)
        assert_error(await w.viewer.execute(document, {"id": target, **extra}), FORBIDDEN)
    assert await snapshot(scene) == before
