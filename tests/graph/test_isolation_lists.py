"""Isolation matrix for lists: root lists, nested connections and filters naming ids.

Owner, member and viewer of the shared project find exactly its rows (plus
their own personal project), never the stranger's; the stranger finds only
their own; anonymous clients get `UNAUTHENTICATED`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from tests.graph.conftest import World
from tests.graph.scene import READ, ROLES, SEES, UNAUTHENTICATED, Scene, build_scene, data, run
from tests.helpers import assert_error


@pytest.fixture
async def scene(world: World, engine: AsyncEngine, settings: Settings) -> Scene:
    return await build_scene(world, engine, settings)


@dataclass(frozen=True)
class Listing:
    """A list query and the ids each signed-in role must find in it, nothing more."""

    name: str
    query: str
    extract: Callable[[dict[str, Any]], Any]
    shared: Callable[[Scene, str], Any]
    strangers: Callable[[Scene], Any]
    variables: Callable[[Scene], dict[str, Any]] = lambda scene: {}


def _ids(connection: dict[str, Any]) -> set[str]:
    """Ids of a connection's nodes, checked against its `totalCount`."""
    ids = {node["id"] for node in connection["nodes"]}
    assert connection["totalCount"] == len(connection["nodes"]) == len(ids), connection
    return ids


def _nested(field: str) -> Callable[[dict[str, Any]], Any]:
    """Ids in `field` of every project in `projects`."""

    def extract(found: dict[str, Any]) -> Any:
        return set().union(*(_ids(p[field]) for p in found["projects"]["nodes"]))

    return extract


def _tag_tasks(found: dict[str, Any]) -> Any:
    return {
        tag["id"]: _ids(tag["tasks"])
        for project in found["projects"]["nodes"]
        for tag in project["tags"]["nodes"]
    }


def _task_tags(found: dict[str, Any]) -> Any:
    return {task["id"]: [t["id"] for t in task["tags"]] for task in found["tasks"]["nodes"]}


def _members(found: dict[str, Any]) -> Any:
    return {
        edge["node"]["id"]
        for project in found["projects"]["nodes"]
        for edge in project["members"]["edges"]
    }


def _personal(scene: Scene, role: str) -> str:
    actor = scene.world.actor(role)
    assert actor is not None
    return actor.personal_project


def _everyone_shared(scene: Scene, role: str) -> set[str]:
    w = scene.world
    return {w.owner.id, w.member.id, w.viewer.id, scene.extra.id}


LISTINGS = [
    Listing(
        "projects",
        "{ projects { totalCount nodes { id } } }",
        lambda found: _ids(found["projects"]),
        lambda scene, role: {scene.project, _personal(scene, role)},
        lambda scene: {scene.world.stranger.personal_project},
    ),
    Listing(
        "tasks",
        "{ tasks { totalCount nodes { id } } }",
        lambda found: _ids(found["tasks"]),
        lambda scene, role: {scene.task},
        lambda scene: {scene.stranger_task},
    ),
    Listing(
        "tasks(filter: projectId shared)",
        "query($p: ID!) { tasks(filter: {projectId: $p}) { totalCount nodes { id } } }",
        lambda found: _ids(found["tasks"]),
        lambda scene, role: {scene.task},
        lambda scene: set(),
        lambda scene: {"p": scene.project},
    ),
    Listing(
        "tasks(filter: projectId stranger's)",
        "query($p: ID!) { tasks(filter: {projectId: $p}) { totalCount nodes { id } } }",
        lambda found: _ids(found["tasks"]),
        lambda scene, role: set(),
        lambda scene: {scene.stranger_task},
        lambda scene: {"p": scene.world.stranger.personal_project},
    ),
    Listing(
        "tasks(filter: tagIds shared)",
        "query($t: ID!) { tasks(filter: {tagIds: [$t]}) { totalCount nodes { id } } }",
        lambda found: _ids(found["tasks"]),
        lambda scene, role: {scene.task},
        lambda scene: set(),
        lambda scene: {"t": scene.tag},
    ),
    Listing(
        "tasks(filter: tagIds stranger's)",
        "query($t: ID!) { tasks(filter: {tagIds: [$t]}) { totalCount nodes { id } } }",
        lambda found: _ids(found["tasks"]),
        lambda scene, role: set(),
        lambda scene: {scene.stranger_task},
        lambda scene: {"t": scene.stranger_tag},
    ),
    Listing(
        "tasks(filter: assigneeId member)",
        "query($u: ID!) { tasks(filter: {assigneeId: $u}) { totalCount nodes { id } } }",
        lambda found: _ids(found["tasks"]),
        lambda scene, role: {scene.task},
        lambda scene: set(),
        lambda scene: {"u": scene.world.member.id},
    ),
    Listing(
        "Project.tasks",
        "{ projects { nodes { tasks { totalCount nodes { id } } } } }",
        _nested("tasks"),
        lambda scene, role: {scene.task},
        lambda scene: {scene.stranger_task},
    ),
    Listing(
        "Project.tasks(filter: tagIds shared)",
        "query($t: ID!) { projects { nodes { tasks(filter: {tagIds: [$t]}) {"
        " totalCount nodes { id } } } } }",
        _nested("tasks"),
        lambda scene, role: {scene.task},
        lambda scene: set(),
        lambda scene: {"t": scene.tag},
    ),
    Listing(
        "Tag.tasks(filter: projectId shared)",
        "query($p: ID!) { projects { nodes { tags { nodes { id tasks(filter: {projectId: $p}) {"
        " totalCount nodes { id } } } } } } }",
        _tag_tasks,
        lambda scene, role: {scene.tag: {scene.task}},
        lambda scene: {scene.stranger_tag: set()},
        lambda scene: {"p": scene.project},
    ),
    Listing(
        "Project.tags",
        "{ projects { nodes { tags { totalCount nodes { id } } } } }",
        _nested("tags"),
        lambda scene, role: {scene.tag},
        lambda scene: {scene.stranger_tag},
    ),
    Listing(
        "Tag.tasks",
        "{ projects { nodes { tags { nodes { id tasks { totalCount nodes { id } } } } } } }",
        _tag_tasks,
        lambda scene, role: {scene.tag: {scene.task}},
        lambda scene: {scene.stranger_tag: {scene.stranger_task}},
    ),
    Listing(
        "Task.tags",
        "{ tasks { nodes { id tags { id } } } }",
        _task_tags,
        lambda scene, role: {scene.task: [scene.tag]},
        lambda scene: {scene.stranger_task: [scene.stranger_tag]},
    ),
    Listing(
        "Project.members",
        "{ projects { nodes { members { edges { node { id } } } } } }",
        _members,
        _everyone_shared,
        lambda scene: {scene.world.stranger.id},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", LISTINGS, ids=lambda case: case.name)
async def test_lists_hold_only_visible_rows(scene: Scene, case: Listing, role: str) -> None:
    body = await run(scene.world, role, case.query, case.variables(scene))
    outcome = READ[role]
    if outcome == UNAUTHENTICATED:
        assert_error(body, UNAUTHENTICATED)
    elif outcome == SEES:
        assert case.extract(data(body)) == case.shared(scene, role)
    else:
        assert case.extract(data(body)) == case.strangers(scene)
