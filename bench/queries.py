"""The three benchmarked GraphQL operations and their request bodies."""

import json
from typing import Any

# Every scalar field of a task, plus the three relations each loader serves.
TASK_FIELDS = """
  id title description status priority dueDate completedAt createdAt updatedAt version
  project { name } assignee { name } tags { name }
"""

QUERIES: dict[str, str] = {
    "a": f"query Task($id: ID!) {{ task(id: $id) {{ {TASK_FIELDS} }} }}",
    "b": "query ProjectTasks($id: ID!) { project(id: $id) { tasks(first: 50) { nodes { "
    f"{TASK_FIELDS} }} }} }} }}",
    "c": "query Projects { projects(first: 20) { nodes { name tasks(first: 10) { nodes { "
    f"{TASK_FIELDS} }} }} }} }} }}",
}

DESCRIPTIONS = {
    "a": "task(id:) + project, assignee, tags",
    "b": "project(id:) { tasks(first: 50) }",
    "c": "projects(first: 20) { tasks(first: 10) }",
}


def compact(query: str) -> str:
    return " ".join(query.split())


def body(name: str, variables: dict[str, Any]) -> bytes:
    """The JSON request body of query `name` with `variables`."""
    return json.dumps({"query": compact(QUERIES[name]), "variables": variables}).encode()


def check_response(name: str, response: dict[str, Any]) -> int:
    """Raise unless `response` is a successful answer to query `name`; return its task count."""
    if response.get("errors") or not response.get("data"):
        msg = f"query ({name}) failed: {json.dumps(response)[:500]}"
        raise RuntimeError(msg)
    data = response["data"]
    if name == "a":
        if data["task"] is None:
            msg = "query (a): the task is not visible to the demo user"
            raise RuntimeError(msg)
        return 1
    if name == "b":
        if data["project"] is None:
            msg = "query (b): the project is not visible to the demo user"
            raise RuntimeError(msg)
        return len(data["project"]["tasks"]["nodes"])
    return sum(len(node["tasks"]["nodes"]) for node in data["projects"]["nodes"])
