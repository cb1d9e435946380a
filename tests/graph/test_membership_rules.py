"""Membership side effects: an assignee must stay a member of the task's project."""

from tests.graph.conftest import World

CREATE = """
mutation($p: ID!, $a: ID!) {
  createTask(input: {projectId: $p, title: "Review", assigneeId: $a}) { id version }
}
"""
REMOVE = "mutation($p: ID!, $u: ID!) { removeProjectMember(projectId: $p, userId: $u) { id } }"
READ = "query($id: ID!) { task(id: $id) { version assignee { id } } }"


async def test_removing_a_member_unassigns_their_tasks_there(world: World) -> None:
    created = await world.owner.execute(CREATE, {"p": world.project, "a": world.member.id})
    task = created["data"]["createTask"]
    mine = await world.member.execute('mutation { createTask(input: {title: "Own"}) { id } }')
    own_task = mine["data"]["createTask"]["id"]
    await world.member.execute(
        "mutation($id: ID!, $a: ID!) { updateTask(id: $id, input: {assigneeId: $a}) { id } }",
        {"id": own_task, "a": world.member.id},
    )

    body = await world.owner.execute(REMOVE, {"p": world.project, "u": world.member.id})
    assert "errors" not in body, body

    after = await world.owner.execute(READ, {"id": task["id"]})
    assert after["data"]["task"] == {"version": task["version"] + 1, "assignee": None}
    untouched = await world.member.execute(READ, {"id": own_task})
    assert untouched["data"]["task"]["assignee"] == {"id": world.member.id}
