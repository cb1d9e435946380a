"""Isolation as membership changes: leaving, being removed or demoted, the last-owner
rule and personal projects (API.md "Who sees what")."""

import logging
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from tests.graph.conftest import Actor, World
from tests.graph.scene import (
    FORBIDDEN,
    NOT_FOUND,
    Scene,
    build_scene,
    data,
    denials,
    malformed_ids,
    mentions,
    never_existed,
    pk_of,
    same_bytes,
    snapshot,
)
from tests.helpers import assert_error

ADD = """
mutation($p: ID!, $e: String!) { addProjectMember(projectId: $p, email: $e) { id } }
"""
SET_ROLE = """
mutation($p: ID!, $u: ID!, $r: ProjectRole!) {
  updateProjectMember(projectId: $p, userId: $u, role: $r) { id viewerRole }
}
"""
REMOVE = """
mutation($p: ID!, $u: ID!) {
  removeProjectMember(projectId: $p, userId: $u) {
    id name viewerRole owner { id } members { totalCount } tasks { totalCount }
  }
}
"""
SEEN = """
query($p: ID!) { project(id: $p) { owner { id } members { totalCount } tasks { totalCount } } }
"""
DELETE = "mutation($p: ID!) { deleteProject(id: $p) }"
READ_ALL = """
query($p: ID!, $t: ID!, $g: ID!) {
  project(id: $p) { id } task(id: $t) { id } tag(id: $g) { id } node(id: $p) { id }
  projects { nodes { id } } tasks { nodes { id } }
}
"""
UPDATE_TASK = 'mutation($t: ID!) { updateTask(id: $t, input: {title: "Mine now"}) { id } }'
CREATE_TASK = """
mutation($p: ID!) { createTask(input: {projectId: $p, title: "Sneaky"}) { id } }
"""
CREATE_PERSONAL_TASK = """
mutation { createTask(input: {title: "Note to self"}) { id project { id isPersonal name } } }
"""


@pytest.fixture
async def scene(world: World, engine: AsyncEngine, settings: Settings) -> Scene:
    return await build_scene(world, engine, settings)


async def _set_role(by: Actor, project: str, user: Actor, role: str) -> dict[str, Any]:
    return await by.execute(SET_ROLE, {"p": project, "u": user.id, "r": role})


async def _assert_shut_out(scene: Scene, actor: Actor) -> None:
    """`actor` sees nothing of the shared project and may change nothing in it,
    answered exactly as for objects that never existed."""
    found = data(
        await actor.execute(READ_ALL, {"p": scene.project, "t": scene.task, "g": scene.tag})
    )
    assert found["project"] is found["task"] is found["tag"] is found["node"] is None
    assert scene.project not in {p["id"] for p in found["projects"]["nodes"]}
    assert scene.task not in {t["id"] for t in found["tasks"]["nodes"]}
    for document, variables, kind in (
        (UPDATE_TASK, {"t": scene.task}, "Task"),
        (CREATE_TASK, {"p": scene.project}, "Project"),
    ):
        denied = await actor.execute(document, variables)
        assert_error(denied, NOT_FOUND)
        name = next(iter(variables))
        missing = await actor.execute(document, {name: never_existed(kind)})
        assert same_bytes(denied, missing)


@pytest.mark.parametrize("role", ["owner", "member", "viewer"])
async def test_any_member_may_leave_and_then_sees_nothing(scene: Scene, role: str) -> None:
    w = scene.world
    actor = w.actor(role)
    assert actor is not None
    if role == "owner":  # the last owner may not leave: give the project another one
        data(await _set_role(w.owner, scene.project, scene.extra, "OWNER"))
    before = data(await actor.execute(READ_ALL, {"p": scene.project, "t": "", "g": ""}))
    assert before["project"] == {"id": scene.project}

    seen = data(await actor.execute(SEEN, {"p": scene.project}))["project"]

    left = data(await actor.execute(REMOVE, {"p": scene.project, "u": actor.id}))
    project = left["removeProjectMember"]
    assert project["id"] == scene.project
    assert project["viewerRole"] == role.upper()  # as they saw it before leaving
    # and the rest as it stood just before they left, so that it agrees with viewerRole
    assert {key: project[key] for key in ("owner", "members", "tasks")} == seen
    assert project["members"]["totalCount"] > 0
    remaining_owner = scene.extra if role == "owner" else w.owner

    await _assert_shut_out(scene, actor)
    roster = data(
        await remaining_owner.execute(
            "query($p: ID!) { project(id: $p) { members { edges { node { id } } } } }",
            {"p": scene.project},
        )
    )
    ids = {edge["node"]["id"] for edge in roster["project"]["members"]["edges"]}
    assert actor.id not in ids
    assert len(ids) == 3


@pytest.mark.parametrize("role", ["member", "viewer"])
async def test_removed_member_loses_access_at_once(scene: Scene, role: str) -> None:
    w = scene.world
    actor = w.actor(role)
    assert actor is not None
    assert data(await actor.execute(READ_ALL, {"p": scene.project, "t": scene.task, "g": ""}))[
        "task"
    ] == {"id": scene.task}
    data(await w.owner.execute(REMOVE, {"p": scene.project, "u": actor.id}))
    await _assert_shut_out(scene, actor)  # same token, the very next request


async def test_demotion_and_promotion_take_effect_at_once(scene: Scene) -> None:
    w = scene.world
    data(await _set_role(w.owner, scene.project, w.member, "VIEWER"))
    assert_error(await w.member.execute(UPDATE_TASK, {"t": scene.task}), FORBIDDEN)
    data(await _set_role(w.owner, scene.project, w.viewer, "MEMBER"))
    data(await w.viewer.execute(UPDATE_TASK, {"t": scene.task}))
    data(await _set_role(w.owner, scene.project, w.viewer, "OWNER"))
    assert data(await _set_role(w.viewer, scene.project, w.member, "MEMBER"))


@pytest.mark.parametrize("role", ["MEMBER", "VIEWER"])
async def test_last_owner_cannot_be_demoted(scene: Scene, role: str) -> None:
    w = scene.world
    before = await snapshot(scene)
    assert_error(await _set_role(w.owner, scene.project, w.owner, role), "CONFLICT")
    assert await snapshot(scene) == before


async def test_last_owner_cannot_leave(scene: Scene) -> None:
    w = scene.world
    before = await snapshot(scene)
    assert_error(await w.owner.execute(REMOVE, {"p": scene.project, "u": w.owner.id}), "CONFLICT")
    assert await snapshot(scene) == before


async def test_with_two_owners_either_may_step_down_but_not_both(scene: Scene) -> None:
    w, extra, project = scene.world, scene.extra, scene.project
    data(await _set_role(w.owner, project, extra, "OWNER"))
    demoted = data(await _set_role(w.owner, project, w.owner, "MEMBER"))
    assert demoted["updateProjectMember"]["viewerRole"] == "MEMBER"
    # `extra` is now the last owner.
    assert_error(await _set_role(extra, project, extra, "VIEWER"), "CONFLICT")
    assert_error(await extra.execute(REMOVE, {"p": project, "u": extra.id}), "CONFLICT")
    assert_error(await _set_role(w.owner, project, w.owner, "OWNER"), FORBIDDEN)
    data(await _set_role(extra, project, w.owner, "OWNER"))
    removed = data(await extra.execute(REMOVE, {"p": project, "u": w.owner.id}))
    assert removed["removeProjectMember"]["members"] == {"totalCount": 3}
    assert_error(await extra.execute(REMOVE, {"p": project, "u": extra.id}), "CONFLICT")


@pytest.mark.parametrize("role", ["owner", "member", "viewer", "stranger"])
async def test_personal_project_takes_no_members_and_stays(
    scene: Scene, role: str, caplog: pytest.LogCaptureFixture
) -> None:
    w = scene.world
    actor = w.actor(role)
    assert actor is not None
    personal = actor.personal_project
    roster = "query($p: ID!) { project(id: $p) { id isPersonal members { totalCount } } }"
    before = data(await actor.execute(roster, {"p": personal}))
    assert before["project"]["isPersonal"] is True
    caplog.set_level(logging.INFO, logger="app.db.access")
    for document, variables in (
        (ADD, {"p": personal, "e": "extra@example.com"}),
        (DELETE, {"p": personal}),
    ):
        caplog.clear()
        assert_error(await actor.execute(document, variables), FORBIDDEN)
        logged = denials(caplog)
        assert len(logged) == 1, logged
        assert mentions(logged[0], user=actor.pk, kind="Project", object_pk=pk_of(personal))
    assert_error(await _set_role(actor, personal, actor, "MEMBER"), "CONFLICT")
    assert_error(await actor.execute(REMOVE, {"p": personal, "u": actor.id}), "CONFLICT")
    assert data(await actor.execute(roster, {"p": personal})) == before


@pytest.mark.parametrize("role", ["owner", "member", "viewer", "stranger"])
async def test_someone_elses_personal_project_does_not_exist(scene: Scene, role: str) -> None:
    w = scene.world
    actor = w.actor(role)
    assert actor is not None
    others = scene.extra.personal_project
    missing = never_existed("Project")
    for document, variables in (
        (ADD, {"p": others, "e": f"{actor.name.lower()}@example.com"}),
        (DELETE, {"p": others}),
        (CREATE_TASK, {"p": others}),
    ):
        denied = await actor.execute(document, variables)
        assert_error(denied, NOT_FOUND)
        assert same_bytes(denied, await actor.execute(document, {**variables, "p": missing}))
    assert data(await actor.execute(READ_ALL, {"p": others, "t": "", "g": ""}))["project"] is None


@pytest.mark.parametrize("role", ["owner", "member", "viewer", "stranger"])
async def test_task_without_project_lands_in_the_personal_project(scene: Scene, role: str) -> None:
    actor = scene.world.actor(role)
    assert actor is not None
    created = data(await actor.execute(CREATE_PERSONAL_TASK))["createTask"]
    assert created["project"] == {
        "id": actor.personal_project,
        "isPersonal": True,
        "name": "Personal",
    }
    assert_error(await scene.world.anonymous.execute(CREATE_PERSONAL_TASK), "UNAUTHENTICATED")


@pytest.mark.parametrize("document", [SET_ROLE, REMOVE], ids=["updateProjectMember", "remove"])
async def test_a_non_member_user_id_is_like_a_missing_one(scene: Scene, document: str) -> None:
    """Naming a user who is not in the project (but exists) tells nothing about them."""
    w = scene.world
    variables = (
        {"p": scene.project, "r": "VIEWER"} if document == SET_ROLE else {"p": scene.project}
    )
    before = await snapshot(scene)
    denied = await w.owner.execute(document, {**variables, "u": w.stranger.id})
    assert_error(denied, NOT_FOUND)
    for absent in [never_existed("User"), *malformed_ids("User"), scene.task]:
        body = await w.owner.execute(document, {**variables, "u": absent})
        assert same_bytes(body, denied), (absent, body)
    assert await snapshot(scene) == before
