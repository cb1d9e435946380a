"""Isolation matrix for reads by id: `project`, `task`, `tag`, `node`, `nodes` and the
fields nested in them, as each role.

Owner, member and viewer of the shared project see its objects; the stranger
gets `null`, byte for byte what an id that never existed, a malformed id or
an id of another type gets; anonymous clients get `UNAUTHENTICATED`. The
stranger's own objects are hidden the other way round.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from tests.graph.conftest import World
from tests.graph.scene import (
    HIDDEN,
    READ,
    ROLE_NAMES,
    ROLES,
    SEES,
    UNAUTHENTICATED,
    Scene,
    absent_ids,
    build_scene,
    data,
    malformed_ids,
    never_existed,
    run,
    same_bytes,
)
from tests.helpers import assert_error, error_codes, without_cost

# The stranger's own objects: the other way round.
STRANGERS_OWN = {
    "owner": HIDDEN,
    "member": HIDDEN,
    "viewer": HIDDEN,
    "stranger": SEES,
    "anonymous": UNAUTHENTICATED,
}


@pytest.fixture
async def scene(world: World, engine: AsyncEngine, settings: Settings) -> Scene:
    return await build_scene(world, engine, settings)


@dataclass(frozen=True)
class Lookup:
    """A query taking `$id`, the id it is tried with, and what each role must read."""

    name: str
    query: str
    kind: str
    target: Callable[[Scene], str]
    shown: Callable[[Scene, str], Any]
    audience: dict[str, str]
    hidden: Any  # the data for an object that is not there
    any_type: bool = False  # `node`: an id of another type names another object

    def absent(self, scene: Scene) -> list[str]:
        if self.any_type:
            return [never_existed(self.kind), *malformed_ids(self.kind)]
        return absent_ids(scene, self.kind)


PROJECT = """
query($id: ID!) {
  project(id: $id) {
    id name isPersonal viewerRole owner { id }
    tasks { totalCount nodes { id } }
    tags { totalCount nodes { id } }
    members { totalCount edges { role node { id } } }
  }
}
"""
TASK = """
query($id: ID!) {
  task(id: $id) { id title project { id } createdBy { id } assignee { id } tags { id } }
}
"""
TAG = """
query($id: ID!) {
  tag(id: $id) { id name project { id } tasks { totalCount nodes { id } } }
}
"""
NODE = "query($id: ID!) { node(id: $id) { __typename id } nodes(ids: [$id]) { __typename id } }"


def _project(scene: Scene, role: str) -> Any:
    w = scene.world
    roster = [("OWNER", w.owner), ("MEMBER", w.member), ("VIEWER", w.viewer)]
    roster.append(("VIEWER", scene.extra))
    return {
        "project": {
            "id": scene.project,
            "name": "Shared",
            "isPersonal": False,
            "viewerRole": ROLE_NAMES[role],
            "owner": {"id": w.owner.id},
            "tasks": {"totalCount": 1, "nodes": [{"id": scene.task}]},
            "tags": {"totalCount": 1, "nodes": [{"id": scene.tag}]},
            "members": {
                "totalCount": 4,
                "edges": [{"role": r, "node": {"id": a.id}} for r, a in roster],
            },
        }
    }


def _task(scene: Scene, role: str) -> Any:
    return {
        "task": {
            "id": scene.task,
            "title": "Shared task",
            "project": {"id": scene.project},
            "createdBy": {"id": scene.world.owner.id},
            "assignee": {"id": scene.world.member.id},
            "tags": [{"id": scene.tag}],
        }
    }


def _tag(scene: Scene, role: str) -> Any:
    return {
        "tag": {
            "id": scene.tag,
            "name": "bug",
            "project": {"id": scene.project},
            "tasks": {"totalCount": 1, "nodes": [{"id": scene.task}]},
        }
    }


def _node(kind: str, target: Callable[[Scene], str]) -> Any:
    def shown(scene: Scene, role: str) -> Any:
        found = {"__typename": kind, "id": target(scene)}
        return {"node": found, "nodes": [found]}

    return shown


def _strangers_project(scene: Scene, role: str) -> Any:
    stranger = scene.world.stranger
    return {
        "project": {
            "id": stranger.personal_project,
            "name": "Personal",
            "isPersonal": True,
            "viewerRole": "OWNER",
            "owner": {"id": stranger.id},
            "tasks": {"totalCount": 1, "nodes": [{"id": scene.stranger_task}]},
            "tags": {"totalCount": 1, "nodes": [{"id": scene.stranger_tag}]},
            "members": {"totalCount": 1, "edges": [{"role": "OWNER", "node": {"id": stranger.id}}]},
        }
    }


def _strangers_task(scene: Scene, role: str) -> Any:
    stranger = scene.world.stranger
    return {
        "task": {
            "id": scene.stranger_task,
            "title": "Stranger task",
            "project": {"id": stranger.personal_project},
            "createdBy": {"id": stranger.id},
            "assignee": None,
            "tags": [{"id": scene.stranger_tag}],
        }
    }


def _strangers_tag(scene: Scene, role: str) -> Any:
    return {
        "tag": {
            "id": scene.stranger_tag,
            "name": "secret",
            "project": {"id": scene.world.stranger.personal_project},
            "tasks": {"totalCount": 1, "nodes": [{"id": scene.stranger_task}]},
        }
    }


def _project_id(s: Scene) -> str:
    return s.project


def _task_id(s: Scene) -> str:
    return s.task


def _tag_id(s: Scene) -> str:
    return s.tag


def _owner_id(s: Scene) -> str:
    return s.world.owner.id


def _strangers_project_id(s: Scene) -> str:
    return s.world.stranger.personal_project


def _strangers_task_id(s: Scene) -> str:
    return s.stranger_task


def _strangers_tag_id(s: Scene) -> str:
    return s.stranger_tag


def _stranger_id(s: Scene) -> str:
    return s.world.stranger.id


NO_PROJECT, NO_TASK, NO_TAG = {"project": None}, {"task": None}, {"tag": None}
NO_NODE = {"node": None, "nodes": [None]}
SHARED = [
    Lookup("project(id)", PROJECT, "Project", _project_id, _project, READ, NO_PROJECT),
    Lookup("task(id)", TASK, "Task", _task_id, _task, READ, NO_TASK),
    Lookup("tag(id)", TAG, "Tag", _tag_id, _tag, READ, NO_TAG),
]
STRANGERS = [
    Lookup(
        "project(id)",
        PROJECT,
        "Project",
        _strangers_project_id,
        _strangers_project,
        STRANGERS_OWN,
        NO_PROJECT,
    ),
    Lookup("task(id)", TASK, "Task", _strangers_task_id, _strangers_task, STRANGERS_OWN, NO_TASK),
    Lookup("tag(id)", TAG, "Tag", _strangers_tag_id, _strangers_tag, STRANGERS_OWN, NO_TAG),
]
for kind, shared, strangers in (
    ("Project", _project_id, _strangers_project_id),
    ("Task", _task_id, _strangers_task_id),
    ("Tag", _tag_id, _strangers_tag_id),
    ("User", _owner_id, _stranger_id),
):
    name = f"node/nodes({kind})"
    SHARED.append(Lookup(name, NODE, kind, shared, _node(kind, shared), READ, NO_NODE, True))
    STRANGERS.append(
        Lookup(name, NODE, kind, strangers, _node(kind, strangers), STRANGERS_OWN, NO_NODE, True)
    )


async def _check_lookup(scene: Scene, case: Lookup, role: str) -> None:
    body = await run(scene.world, role, case.query, {"id": case.target(scene)})
    outcome = case.audience[role]
    if outcome == UNAUTHENTICATED:
        # One error per root field, even for an id that does not exist: the token comes first.
        missing = await run(scene.world, role, case.query, {"id": never_existed(case.kind)})
        for answer in (body, missing):
            assert error_codes(answer) == [UNAUTHENTICATED] * len(case.hidden), answer
            assert not any((answer["data"] or {}).values()), answer
        return
    expected = {"data": case.shown(scene, role) if outcome == SEES else case.hidden}
    assert without_cost(body) == expected
    # Hidden: byte for byte what every kind of absent id gets. Seen: absent ids still null.
    absent = case.absent(scene) if outcome == HIDDEN else case.absent(scene)[:1]
    if outcome == SEES and not case.any_type:
        absent.append(absent_ids(scene, case.kind)[-1])  # an existing object of another type
    for other_id in absent:
        other = await run(scene.world, role, case.query, {"id": other_id})
        if outcome == HIDDEN:
            assert same_bytes(other, body), (other_id, other, body)
        else:
            expected_other = {"data": case.hidden, "extensions": body["extensions"]}  # same cost
            assert other == expected_other, (other_id, other)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", SHARED, ids=lambda case: case.name)
async def test_shared_objects_by_id(scene: Scene, case: Lookup, role: str) -> None:
    await _check_lookup(scene, case, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", STRANGERS, ids=lambda case: case.name)
async def test_strangers_objects_by_id(scene: Scene, case: Lookup, role: str) -> None:
    await _check_lookup(scene, case, role)


MIXED_NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"


@pytest.mark.parametrize("role", ROLES)
async def test_nodes_mixed_keeps_order_and_nulls_what_is_hidden(scene: Scene, role: str) -> None:
    w = scene.world
    ids = [
        scene.project,
        scene.stranger_task,
        scene.task,
        never_existed("Task"),
        scene.tag,
        "not-an-id",
        w.owner.id,
        scene.stranger_tag,
    ]
    body = await run(w, role, MIXED_NODES, {"ids": ids})
    if READ[role] == UNAUTHENTICATED:
        assert_error(body, UNAUTHENTICATED)
        return
    typenames = ["Project", "Task", "Task", None, "Tag", None, "User", "Tag"]
    if role == "stranger":
        visible = {scene.stranger_task, scene.stranger_tag}
    else:
        visible = {scene.project, scene.task, scene.tag, w.owner.id}
    expected = [
        {"__typename": t, "id": i} if i in visible else None
        for i, t in zip(ids, typenames, strict=True)
    ]
    assert data(body) == {"nodes": expected}
