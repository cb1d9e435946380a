"""Global object identification: `node(id:)`, `nodes(ids:)`, and what a normalising
client cache (Apollo, urql) needs: every object it can cache has `id` and `__typename`,
and one id always means the same object, wherever in a response it appears.
"""

import base64
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import World
from tests.graph.rows import (
    gid,
    insert_project,
    insert_tags,
    insert_tasks,
    pk_of,
    tag_tasks,
    task_row,
)
from tests.helpers import assert_error

NODE = """query($id: ID!) { node(id: $id) {
  __typename id
  ... on User { name email }
  ... on Project { name }
  ... on Task { title }
  ... on Tag { name }
} }"""
NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"""
ONE_OBJECT = {"cost": 1}
"""`extensions` of NODE, and of NODES with no ids: at most one object (API.md "Limits")."""


def raw_id(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


async def _objects(world: World, engine: AsyncEngine) -> dict[str, str]:
    """One visible object of each type, and hidden ones (`hidden_*`), by name."""
    shared = pk_of(world.project, "Project")
    (task,) = await insert_tasks(engine, [task_row(shared, world.owner.pk, title="visible")])
    (tag,) = await insert_tags(engine, shared, ["visible"])
    stranger_project = pk_of(world.stranger.personal_project, "Project")
    (hidden_task,) = await insert_tasks(
        engine, [task_row(stranger_project, world.stranger.pk, title="hidden")]
    )
    (hidden_tag,) = await insert_tags(engine, stranger_project, ["hidden"])
    return {
        "task": gid("Task", task),
        "tag": gid("Tag", tag),
        "project": world.project,
        "me": world.owner.id,
        "member": world.member.id,
        "hidden_task": gid("Task", hidden_task),
        "hidden_tag": gid("Tag", hidden_tag),
        "hidden_project": world.stranger.personal_project,
        "hidden_user": world.stranger.id,
    }


async def test_node_returns_each_type(world: World, engine: AsyncEngine) -> None:
    objects = await _objects(world, engine)
    expected = {
        "task": {"__typename": "Task", "id": objects["task"], "title": "visible"},
        "tag": {"__typename": "Tag", "id": objects["tag"], "name": "visible"},
        "project": {"__typename": "Project", "id": world.project, "name": "Shared"},
        "me": {
            "__typename": "User",
            "id": world.owner.id,
            "name": "Owner",
            "email": "owner@example.com",
        },
        "member": {"__typename": "User", "id": world.member.id, "name": "Member", "email": None},
    }
    for name, node in expected.items():
        body = await world.owner.execute(NODE, {"id": objects[name]})
        assert body == {"data": {"node": node}, "extensions": ONE_OBJECT}, name


INVALID_IDS = [
    "",
    "garbage",
    "!!!",
    raw_id("Task"),
    raw_id("Task:"),
    raw_id("Task:abc"),
    raw_id("Task:-1"),
    raw_id("Task:1.0"),
    raw_id("Task:\u0661"),  # a non-ASCII digit
    raw_id("Task:" + "9" * 19),
    raw_id("Session:1"),
    raw_id("task:1"),
    gid("Task", 999_999),
    gid("User", 999_999),
]


@pytest.mark.parametrize("node_id", INVALID_IDS)
async def test_node_is_null_for_malformed_and_missing_ids(world: World, node_id: str) -> None:
    body = await world.owner.execute(NODE, {"id": node_id})
    assert body == {"data": {"node": None}, "extensions": ONE_OBJECT}


@pytest.mark.parametrize("name", ["hidden_task", "hidden_tag", "hidden_project", "hidden_user"])
async def test_node_is_null_for_hidden_objects(
    world: World, engine: AsyncEngine, name: str
) -> None:
    objects = await _objects(world, engine)
    body = await world.owner.execute(NODE, {"id": objects[name]})
    assert body == {"data": {"node": None}, "extensions": ONE_OBJECT}
    body = await world.stranger.execute(NODE, {"id": objects[name]})
    assert body["data"]["node"]["id"] == objects[name]  # visible to the stranger


async def test_typed_lookups_refuse_ids_of_other_types(world: World, engine: AsyncEngine) -> None:
    objects = await _objects(world, engine)
    body = await world.owner.execute(
        """query($task: ID!, $tag: ID!, $project: ID!) {
          asTask: task(id: $project) { id } asTag: tag(id: $task) { id }
          asProject: project(id: $tag) { id }
          task(id: $task) { id } tag(id: $tag) { id } project(id: $project) { id }
        }""",
        {"task": objects["task"], "tag": objects["tag"], "project": objects["project"]},
    )
    assert body == {
        "data": {
            "asTask": None,
            "asTag": None,
            "asProject": None,
            "task": {"id": objects["task"]},
            "tag": {"id": objects["tag"]},
            "project": {"id": objects["project"]},
        },
        "extensions": {"cost": 6},
    }


async def test_nodes_keeps_order_with_null_for_missing_hidden_and_malformed(
    world: World, engine: AsyncEngine
) -> None:
    objects = await _objects(world, engine)
    ids = [
        objects["task"],
        "garbage",
        objects["project"],
        objects["hidden_project"],
        objects["tag"],
        objects["member"],
        gid("Task", 999_999),
        objects["hidden_task"],
        objects["task"],  # again
        objects["hidden_user"],
        objects["me"],
        objects["hidden_tag"],
    ]
    body = await world.owner.execute(NODES, {"ids": ids})
    assert "errors" not in body, body
    typed = {
        objects["task"]: "Task",
        objects["project"]: "Project",
        objects["tag"]: "Tag",
        objects["member"]: "User",
        objects["me"]: "User",
    }
    assert body["data"]["nodes"] == [
        {"__typename": typed[i], "id": i} if i in typed else None for i in ids
    ]
    body = await world.owner.execute(NODES, {"ids": []})
    assert body == {"data": {"nodes": []}, "extensions": ONE_OBJECT}


async def test_nodes_takes_at_most_100_ids(world: World) -> None:
    body = await world.owner.execute(NODES, {"ids": [world.project] * 100})
    assert body["data"]["nodes"] == [{"__typename": "Project", "id": world.project}] * 100
    body = await world.owner.execute(NODES, {"ids": [world.project] * 101})
    assert_error(body, "BAD_USER_INPUT", field="ids")


async def test_lookups_need_a_viewer(world: World) -> None:
    for query, variables in (
        (NODE, {"id": world.project}),
        (NODES, {"ids": [world.project]}),
    ):
        body = await world.anonymous.execute(query, variables)
        assert_error(body, "UNAUTHENTICATED")


async def test_same_field_name_on_different_types_in_one_list(
    world: World, engine: AsyncEngine
) -> None:
    """`tasks` of a Project and of a Tag at the same response path are different lists
    (regression: they shared one batched loader, so one got the other's rows)."""
    shared = pk_of(world.project, "Project")
    other = await insert_project(engine, name="Other", owner=world.owner.pk)
    task_pks = await insert_tasks(engine, [task_row(shared, world.owner.pk) for _ in range(3)])
    other_pks = await insert_tasks(engine, [task_row(other, world.owner.pk) for _ in range(2)])
    tag, tag_in_other = await insert_tags(engine, shared, ["t"]) + await insert_tags(
        engine, other, ["u"]
    )
    await tag_tasks(engine, [(task_pks[0], tag), (other_pks[0], tag_in_other)])
    query = """query($ids: [ID!]!) { nodes(ids: $ids) {
      __typename id
      ... on Project { tasks(first: 10) { totalCount nodes { id } } }
      ... on Tag { tasks(first: 10) { totalCount nodes { id } } }
    } }"""
    ids = [world.project, gid("Tag", tag), gid("Project", other), gid("Tag", tag_in_other)]
    for order in (ids, list(reversed(ids))):
        body = await world.owner.execute(query, {"ids": order})
        assert "errors" not in body, body
        lists = {node["id"]: node["tasks"] for node in body["data"]["nodes"]}
        expected = {
            world.project: task_pks,
            gid("Tag", tag): task_pks[:1],
            gid("Project", other): other_pks,
            gid("Tag", tag_in_other): other_pks[:1],
        }
        for node_id, pks in expected.items():
            want = [{"id": gid("Task", pk)} for pk in reversed(pks)]  # newest first, ties by id
            assert lists[node_id] == {"totalCount": len(pks), "nodes": want}, node_id


INTROSPECT = """{ __schema { types {
  name kind interfaces { name }
  fields { name type { kind name ofType { kind name } } }
} } }"""


async def test_every_object_type_with_identity_is_a_node(world: World) -> None:
    body = await world.owner.execute(INTROSPECT)
    types = {t["name"]: t for t in body["data"]["__schema"]["types"]}
    nodes = {
        name
        for name, t in types.items()
        if t["kind"] == "OBJECT" and {"name": "Node"} in (t["interfaces"] or [])
    }
    assert nodes == {"User", "Project", "Task", "Tag"}
    non_null_id = {"kind": "NON_NULL", "name": None, "ofType": {"kind": "SCALAR", "name": "ID"}}
    for name in nodes:
        fields = {f["name"]: f["type"] for f in types[name]["fields"]}
        assert fields["id"] == non_null_id, name
    with_id = {
        name
        for name, t in types.items()
        if t["kind"] == "OBJECT"
        and not name.startswith("__")
        and any(f["name"] == "id" for f in t["fields"] or [])
    }
    assert with_id == nodes  # nothing else claims an `id` a cache would key on


def _entities(value: Any, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            _entities(item, found)
    elif isinstance(value, dict):
        if value.get("__typename") in {"User", "Project", "Task", "Tag"}:
            found.append(value)
        for item in value.values():
            _entities(item, found)
    return found


async def test_one_id_is_one_object_everywhere_in_a_response(
    world: World, engine: AsyncEngine
) -> None:
    shared = pk_of(world.project, "Project")
    task_pks = await insert_tasks(
        engine,
        [
            task_row(shared, world.owner.pk, title="a", assignee_id=world.member.pk),
            task_row(shared, world.member.pk, title="b"),
        ],
    )
    tag_pks = await insert_tags(engine, shared, ["x", "y"])
    await tag_tasks(engine, [(task_pks[0], tag_pks[0]), (task_pks[0], tag_pks[1])])
    user = "__typename id name email createdAt"
    body = await world.owner.execute(
        f"""{{
          me {{ {user} }}
          projects {{ nodes {{ __typename id name isPersonal viewerRole
            owner {{ {user} }}
            members {{ edges {{ role node {{ {user} }} }} }}
            tags {{ nodes {{ __typename id name color project {{ __typename id name }} }} }}
            tasks {{ nodes {{ __typename id title version
              project {{ __typename id name viewerRole }}
              createdBy {{ {user} }} assignee {{ {user} }}
              tags {{ __typename id name color project {{ __typename id }} }} }} }}
          }} }}
          tasks {{ nodes {{ __typename id title version tags {{ __typename id name color }}
            project {{ __typename id name isPersonal }} }} }}
        }}"""
    )
    assert "errors" not in body, body
    seen: dict[str, dict[str, Any]] = {}
    for entity in _entities(body["data"], []):
        assert "id" in entity, entity
        merged = seen.setdefault(entity["id"], {})
        for key, value in entity.items():
            if isinstance(value, dict | list):
                continue
            assert merged.setdefault(key, value) == value, (entity["id"], key)
    assert {key for key, value in seen.items() if value["__typename"] == "Task"} == {
        gid("Task", pk) for pk in task_pks
    }
    assert seen[world.member.id]["email"] is None
    assert seen[world.owner.id]["email"] == "owner@example.com"


async def test_nested_lists_below_different_types_keep_their_own_arguments(
    world: World, engine: AsyncEngine
) -> None:
    shared = pk_of(world.project, "Project")
    task_pks = await insert_tasks(engine, [task_row(shared, world.owner.pk) for _ in range(3)])
    (tag,) = await insert_tags(engine, shared, ["t"])
    await tag_tasks(engine, [(task_pks[0], tag)])
    body = await world.owner.execute(
        """query($ids: [ID!]!) { nodes(ids: $ids) {
          ... on Project {
            tasks(first: 1) { nodes { project { tasks(first: 3) { nodes { id } } } } }
          }
          ... on Tag { tasks(first: 1) { nodes { project { tasks(first: 2) { nodes { id } } } } } }
        } }""",
        {"ids": [world.project, gid("Tag", tag)]},
    )
    assert "errors" not in body, body
    inner = [
        node["tasks"]["nodes"][0]["project"]["tasks"]["nodes"] for node in body["data"]["nodes"]
    ]
    newest = [{"id": gid("Task", pk)} for pk in reversed(task_pks)]
    assert inner == [newest[:3], newest[:2]]
