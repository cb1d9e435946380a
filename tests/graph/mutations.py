"""The mutations the validation tests send (tests/graph/test_validation_*.py), and
helpers to run them: `ok` for a success, `refused` for a refusal, which is checked to
have written nothing (a snapshot of every row).
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graph.conftest import Actor, World
from tests.graph.rows import snapshot
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
