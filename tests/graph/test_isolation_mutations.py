"""Isolation matrix for mutations: every mutation that names an object, as each role.

Project and membership mutations need `OWNER`, task and tag mutations
`MEMBER`: a visible object with too low a role is `FORBIDDEN`, a hidden one
`NOT_FOUND` (byte for byte what an id that never existed, a malformed id or
an id of another type gets), no token `UNAUTHENTICATED`. A denied mutation
changes nothing (the owner re-reads the project, and every row is compared)
and a denial on an existing object is logged at INFO with both ids.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from tests.graph.conftest import World
from tests.graph.scene import (
    ALLOWED,
    NEEDS_MEMBER,
    NEEDS_OWNER,
    NOT_FOUND,
    ROLES,
    UNAUTHENTICATED,
    Scene,
    absent_ids,
    build_scene,
    data,
    denials,
    mentions,
    pk_of,
    run,
    same_bytes,
    snapshot,
)
from tests.helpers import assert_error


@pytest.fixture
async def scene(world: World, engine: AsyncEngine, settings: Settings) -> Scene:
    return await build_scene(world, engine, settings)


@dataclass(frozen=True)
class Mutation:
    """A mutation naming one object (`$id`, of GraphQL type `kind`) and who may run it."""

    name: str
    document: str
    kind: str
    target: Callable[[Scene], str]
    audience: dict[str, str]
    extra_variables: Callable[[Scene], dict[str, Any]] = lambda scene: {}

    def variables(self, scene: Scene, object_id: str) -> dict[str, Any]:
        return {"id": object_id, **self.extra_variables(scene)}


def _project(scene: Scene) -> str:
    return scene.project


def _task(scene: Scene) -> str:
    return scene.task


def _tag(scene: Scene) -> str:
    return scene.tag


def _extra(scene: Scene) -> dict[str, Any]:
    return {"u": scene.extra.id}


MUTATIONS = [
    Mutation(
        "updateProject",
        'mutation($id: ID!) { updateProject(id: $id, input: {name: "Renamed"}) { id name } }',
        "Project",
        _project,
        NEEDS_OWNER,
    ),
    Mutation(
        "deleteProject",
        "mutation($id: ID!) { deleteProject(id: $id) }",
        "Project",
        _project,
        NEEDS_OWNER,
    ),
    Mutation(
        "addProjectMember",
        "mutation($id: ID!) {"
        ' addProjectMember(projectId: $id, email: "stranger@example.com", role: OWNER) { id } }',
        "Project",
        _project,
        NEEDS_OWNER,
    ),
    Mutation(
        "updateProjectMember",
        "mutation($id: ID!, $u: ID!) {"
        " updateProjectMember(projectId: $id, userId: $u, role: OWNER) { id } }",
        "Project",
        _project,
        NEEDS_OWNER,
        _extra,
    ),
    Mutation(
        "removeProjectMember",
        "mutation($id: ID!, $u: ID!) { removeProjectMember(projectId: $id, userId: $u) { id } }",
        "Project",
        _project,
        NEEDS_OWNER,
        _extra,
    ),
    Mutation(
        "createTask",
        'mutation($id: ID!) { createTask(input: {projectId: $id, title: "New"}) { id } }',
        "Project",
        _project,
        NEEDS_MEMBER,
    ),
    Mutation(
        "updateTask",
        'mutation($id: ID!) { updateTask(id: $id, input: {title: "Changed"}) { id version } }',
        "Task",
        _task,
        NEEDS_MEMBER,
    ),
    Mutation(
        "setTaskCompleted",
        "mutation($id: ID!) { setTaskCompleted(id: $id, completed: true) { id status } }",
        "Task",
        _task,
        NEEDS_MEMBER,
    ),
    Mutation(
        "deleteTask",
        "mutation($id: ID!) { deleteTask(id: $id) }",
        "Task",
        _task,
        NEEDS_MEMBER,
    ),
    Mutation(
        "createTag",
        'mutation($id: ID!) { createTag(input: {projectId: $id, name: "new"}) { id } }',
        "Project",
        _project,
        NEEDS_MEMBER,
    ),
    Mutation(
        "updateTag",
        'mutation($id: ID!) { updateTag(id: $id, input: {name: "renamed"}) { id name } }',
        "Tag",
        _tag,
        NEEDS_MEMBER,
    ),
    Mutation(
        "deleteTag",
        "mutation($id: ID!) { deleteTag(id: $id) }",
        "Tag",
        _tag,
        NEEDS_MEMBER,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", MUTATIONS, ids=lambda case: case.name)
async def test_mutation_matrix(
    scene: Scene, case: Mutation, role: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.db.access")
    before = await snapshot(scene)
    caplog.clear()
    target = case.target(scene)
    body = await run(scene.world, role, case.document, case.variables(scene, target))
    logged = denials(caplog)
    after = await snapshot(scene)
    outcome = case.audience[role]
    if outcome == ALLOWED:
        assert data(body)
        assert after != before
        assert logged == []
        return
    assert_error(body, outcome)
    assert after == before, "a denied mutation changed something"
    actor = scene.world.actor(role)
    if actor is None:
        assert logged == []
    else:
        assert len(logged) == 1, logged
        assert mentions(logged[0], user=actor.pk, kind=case.kind, object_pk=pk_of(target))


@pytest.mark.parametrize("case", MUTATIONS, ids=lambda case: case.name)
async def test_hidden_object_answers_like_a_missing_one(
    scene: Scene, case: Mutation, caplog: pytest.LogCaptureFixture
) -> None:
    """The stranger's `NOT_FOUND` is the very answer to ids that never named anything
    they may see: never existed, malformed, of another type (also for the owner)."""
    w = scene.world
    before = await snapshot(scene)
    hidden = await w.stranger.execute(case.document, case.variables(scene, case.target(scene)))
    assert_error(hidden, NOT_FOUND)
    caplog.set_level(logging.INFO, logger="app.db.access")
    caplog.clear()
    for absent in absent_ids(scene, case.kind):
        for actor in (w.stranger, w.owner, w.viewer):
            body = await actor.execute(case.document, case.variables(scene, absent))
            assert same_bytes(body, hidden), (actor.name, absent, body, hidden)
    assert denials(caplog) == []  # nothing existed to be denied
    assert await snapshot(scene) == before


@pytest.mark.parametrize("case", MUTATIONS, ids=lambda case: case.name)
async def test_anonymous_is_unauthenticated_whatever_the_id(scene: Scene, case: Mutation) -> None:
    for object_id in [case.target(scene), *absent_ids(scene, case.kind)]:
        body = await scene.world.anonymous.execute(case.document, case.variables(scene, object_id))
        assert_error(body, UNAUTHENTICATED)
