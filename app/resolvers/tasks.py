"""The resolvers of tasks: `Query.tasks`, the fields of `Task`, and the task mutations.

They decode global ids and check values against `app.rules` (API.md "Rules of the
data"), then call `app.db.tasks` with row ids, and hand back `TaskNode`s.
"""

from collections.abc import Awaitable
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app import rules
from app.context import Info
from app.db import tasks
from app.db.orderings import NEWEST_TASKS, ordering
from app.db.pagination import Ordering, PageArgs
from app.ids import decode_id, encode_id, input_id
from app.resolvers.inputs import given
from app.resolvers.nodes import (
    ProjectNode,
    TagNode,
    TaskNode,
    UserNode,
    project_nodes,
    single,
    tag_node_lists,
    then,
    user_nodes,
)
from app.resolvers.relay import Connection, connection

if TYPE_CHECKING:
    from app.schema.task import CreateTaskInput, TaskFilterInput, TaskOrder, UpdateTaskInput

FilterArg = Annotated["TaskFilterInput", strawberry.lazy("app.schema.task")] | None
OrderArg = Annotated["TaskOrder", strawberry.lazy("app.schema.task")] | None


def task_filter(given_filter: "TaskFilterInput | None") -> tasks.TaskFilter | None:
    """The data layer's `TaskFilter` for a `filter` argument: ids decoded, `search` checked.

    A malformed `projectId` matches nothing, like an id that never existed;
    a malformed `assigneeId` or tag id is `BadUserInput` naming the field.
    """
    if given_filter is None:
        return None
    project_ids = None
    if given_filter.project_id is not None:
        project_pk = decode_id(given_filter.project_id, "Project")
        project_ids = () if project_pk is None else (project_pk,)
    return tasks.TaskFilter(
        project_ids=project_ids,
        status=None if given_filter.status is None else tuple(s.value for s in given_filter.status),
        priority=None
        if given_filter.priority is None
        else tuple(int(p) for p in given_filter.priority),
        assignee_id=input_id(given_filter.assignee_id, "User", "assigneeId"),
        assigned_to_me=given_filter.assigned_to_me,
        unassigned=given_filter.unassigned,
        tag_ids=None if given_filter.tag_ids is None else tuple(_tag_pks(given_filter.tag_ids)),
        search=None if given_filter.search is None else rules.search(given_filter.search),
        due_before=given_filter.due_before,
        due_after=given_filter.due_after,
    )


def task_ordering(order: "TaskOrder | None") -> Ordering:
    """The keyset order for an `orderBy` argument (default newest first)."""
    if order is None:
        return NEWEST_TASKS
    return ordering("Task", order.field.value, order.direction.value)


def _tag_pks(tag_ids: list[strawberry.ID] | None) -> list[int]:
    """Row ids of `tagIds` (null or omitted: none); a malformed one is `BadUserInput`."""
    return [pk for pk in (input_id(t, "Tag", "tagIds") for t in tag_ids or []) if pk is not None]


async def task_list(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    filter: FilterArg = None,
    order_by: OrderArg = None,
) -> Connection[TaskNode]:
    """`Query.tasks`: tasks of every project the viewer is a member of."""
    ctx = info.context
    args = PageArgs.parse(first, after, last, before)
    viewer = ctx.require_viewer()
    spec = task_filter(filter)
    page = await tasks.page(ctx.db, viewer.id, spec, task_ordering(order_by), args)
    return connection(page, TaskNode._make, partial(tasks.count, ctx.db, viewer.id, spec))


def project_batch(roots: list[TaskNode], info: Info) -> Awaitable[list[ProjectNode | None]]:
    """`Task.project` of the tasks of one level (never None: what the viewer sees is in a
    project they are in)."""
    loaders = info.context.loaders
    return then(loaders.projects.load_many([root.project_id for root in roots]), project_nodes)


def created_by_batch(roots: list[TaskNode], info: Info) -> Awaitable[list[UserNode | None]]:
    """`Task.createdBy` of the tasks of one level (never None: deleting a user deletes the
    tasks they created)."""
    loaders = info.context.loaders
    ids = [root.created_by_id for root in roots]
    return then(loaders.users_of_visible_rows.load_many(ids), user_nodes)


async def assignee_batch(roots: list[TaskNode], info: Info) -> list[UserNode | None]:
    """`Task.assignee` of the tasks of one level, None for a task without one."""
    loaders = info.context.loaders
    ids = [root.assignee_id for root in roots]
    found = iter(await loaders.users_of_visible_rows.load_many([i for i in ids if i is not None]))
    return user_nodes([None if i is None else next(found) for i in ids])


def tags_batch(roots: list[TaskNode], info: Info) -> Awaitable[list[list[TagNode]]]:
    """`Task.tags` of the tasks of one level, each by name."""
    loaders = info.context.loaders
    return then(loaders.task_tags.load_many([root.id for root in roots]), tag_node_lists)


def project(root: strawberry.Parent[TaskNode], info: Info) -> Awaitable[ProjectNode | None]:
    """`Task.project` of one task (`project_batch`)."""
    return then(project_batch([root], info), single)


def created_by(root: strawberry.Parent[TaskNode], info: Info) -> Awaitable[UserNode | None]:
    """`Task.createdBy` of one task (`created_by_batch`)."""
    return then(created_by_batch([root], info), single)


def assignee(root: strawberry.Parent[TaskNode], info: Info) -> Awaitable[UserNode | None]:
    """`Task.assignee` of one task (`assignee_batch`)."""
    return then(assignee_batch([root], info), single)


def tags(root: strawberry.Parent[TaskNode], info: Info) -> Awaitable[list[TagNode]]:
    """`Task.tags` of one task (`tags_batch`)."""
    return then(tags_batch([root], info), single)


async def create_task(
    info: Info, input: Annotated["CreateTaskInput", strawberry.lazy("app.schema.task")]
) -> TaskNode:
    """`Mutation.createTask` (`MEMBER`); in the viewer's personal project without `projectId`."""
    ctx = info.context
    assignee_id = input_id(input.assignee_id, "User", "assigneeId")
    tag_ids = _tag_pks(input.tag_ids)
    viewer = ctx.require_viewer()
    fields = {
        "title": input.title,
        "description": input.description,
        "status": input.status,
        "priority": input.priority,
        "due_date": input.due_date,
    }
    row = await tasks.create(
        ctx.db,
        viewer.id,
        project_id=None if input.project_id is None else decode_id(input.project_id, "Project"),
        use_personal=input.project_id is None,
        values=rules.checked(fields, rules.TASK),
        assignee_id=assignee_id,
        tag_ids=tag_ids,
    )
    return TaskNode._make(row)


async def update_task(
    info: Info,
    id: strawberry.ID,
    input: Annotated["UpdateTaskInput", strawberry.lazy("app.schema.task")],
    expected_version: int | None = None,
) -> TaskNode:
    """`Mutation.updateTask` (`MEMBER`): the fields given change, the rest stay."""
    ctx = info.context
    fields = given(input)
    relations: dict[str, Any] = {}
    if "project_id" in fields:
        project_id = fields["project_id"]
        relations["project_id"] = None if project_id is None else decode_id(project_id, "Project")
    if "assignee_id" in fields:
        relations["assignee_id"] = input_id(fields["assignee_id"], "User", "assigneeId")
    if "tag_ids" in fields:
        relations["tag_ids"] = _tag_pks(fields["tag_ids"])
    viewer = ctx.require_viewer()
    values = rules.checked(fields, rules.TASK)
    row = await tasks.update_task(
        ctx.db,
        viewer.id,
        decode_id(id, "Task"),
        values=values,
        relations=relations,
        expected_version=expected_version,
    )
    return TaskNode._make(row)


async def set_task_completed(info: Info, id: strawberry.ID, completed: bool) -> TaskNode:
    """`Mutation.setTaskCompleted` (`MEMBER`): `DONE` or back to `TODO`; idempotent."""
    ctx = info.context
    viewer = ctx.require_viewer()
    row = await tasks.set_completed(ctx.db, viewer.id, decode_id(id, "Task"), completed=completed)
    return TaskNode._make(row)


async def delete_task(info: Info, id: strawberry.ID) -> strawberry.ID:
    """`Mutation.deleteTask` (`MEMBER`): the deleted task's id."""
    ctx = info.context
    viewer = ctx.require_viewer()
    pk = await tasks.delete_task(ctx.db, viewer.id, decode_id(id, "Task"))
    return strawberry.ID(encode_id("Task", pk))
