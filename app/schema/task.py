"""Task: its GraphQL type, enums, filter and order inputs, and connection."""

from collections.abc import Awaitable
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from sqlalchemy import Row

from app import enums
from app.db.pagination import PageArgs
from app.ids import decode_id, encode_id, input_id
from app.resolvers import connections
from app.resolvers import tasks as task_mutations
from app.resolvers.task_queries import TaskFilter as TaskFilterSpec
from app.resolvers.task_queries import task_ordering
from app.schema.common import Connection, Info, Node, OrderDirection, given, then
from app.schema.user import User

if TYPE_CHECKING:
    from app.db.pagination import Ordering
    from app.schema.project import Project
    from app.schema.tag import Tag

# Registers the domain enums as GraphQL enums (same classes, so they annotate fields).
strawberry.enum(enums.TaskStatus, description="Where a task stands.")
strawberry.enum(enums.TaskPriority, description="How urgent a task is.")
TaskStatus = enums.TaskStatus
TaskPriority = enums.TaskPriority


@strawberry.enum(description="Fields tasks can be ordered by; the id breaks ties.")
class TaskOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    DUE_DATE = "DUE_DATE"
    PRIORITY = "PRIORITY"
    TITLE = "TITLE"


@strawberry.input(description="Order of a task list; default CREATED_AT DESC.")
class TaskOrder:
    field: TaskOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(description="Ascending or descending.")


def ordering(order: TaskOrder | None) -> "Ordering":
    """The keyset ordering for an `orderBy` argument (default newest first)."""
    if order is None:
        return task_ordering()
    return task_ordering(order.field.value, order.direction.value)


@strawberry.input(description="Conditions a task must all meet; every field is optional.")
class TaskFilter:
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Tasks of this project."
    )
    status: list[TaskStatus] | None = strawberry.field(
        default=None, description="Tasks with any of these statuses."
    )
    priority: list[TaskPriority] | None = strawberry.field(
        default=None, description="Tasks with any of these priorities."
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Tasks assigned to this user."
    )
    assigned_to_me: bool | None = strawberry.field(
        default=None, description="Tasks assigned to the viewer."
    )
    unassigned: bool | None = strawberry.field(
        default=None, description="true: tasks without assignee; false: tasks with one."
    )
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Tasks carrying any of these tags."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Substring of title or description, ignoring case in every script; "
        "at most 200 characters.",
    )
    due_before: date | None = strawberry.field(
        default=None, description="Tasks due on or before this day."
    )
    due_after: date | None = strawberry.field(
        default=None, description="Tasks due on or after this day."
    )

    def spec(self) -> TaskFilterSpec:
        return TaskFilterSpec(
            project_id=self.project_id,
            status=None if self.status is None else tuple(self.status),
            priority=None if self.priority is None else tuple(self.priority),
            assignee_id=self.assignee_id,
            assigned_to_me=self.assigned_to_me,
            unassigned=self.unassigned,
            tag_ids=None if self.tag_ids is None else tuple(self.tag_ids),
            search=self.search,
            due_before=self.due_before,
            due_after=self.due_after,
        )


def filter_spec(task_filter: TaskFilter | None) -> TaskFilterSpec | None:
    return None if task_filter is None else task_filter.spec()


@strawberry.type(description="A piece of work in a project.")
class Task(Node):
    pk: strawberry.Private[int]
    project_pk: strawberry.Private[int]
    created_by_pk: strawberry.Private[int]
    assignee_pk: strawberry.Private[int | None]
    title: str = strawberry.field(description="1-200 characters.")
    description: str | None = strawberry.field(description="At most 10,000 characters.")
    status: TaskStatus = strawberry.field(description="TODO, IN_PROGRESS or DONE.")
    priority: TaskPriority = strawberry.field(description="LOW, MEDIUM, HIGH or URGENT.")
    due_date: date | None = strawberry.field(description="Day the task is due.")
    completed_at: datetime | None = strawberry.field(
        description="When the task became DONE; null unless DONE."
    )
    created_at: datetime = strawberry.field(description="When the task was created.")
    updated_at: datetime = strawberry.field(description="When the task last changed.")
    version: int = strawberry.field(
        description="1 at creation, +1 on every change (for `expectedVersion`)."
    )

    @classmethod
    def from_row(cls, row: Row[Any]) -> Self:
        return cls(
            id=strawberry.ID(encode_id("Task", row.id)),
            pk=row.id,
            project_pk=row.project_id,
            created_by_pk=row.created_by_id,
            assignee_pk=row.assignee_id,
            title=row.title,
            description=row.description,
            status=enums.TaskStatus(row.status),
            priority=enums.TaskPriority(row.priority),
            due_date=row.due_date,
            completed_at=row.completed_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
        )

    @strawberry.field(
        description="The project the task belongs to.",
        graphql_type=Annotated["Project", strawberry.lazy("app.schema.project")],
    )
    def project(self, info: Info) -> Awaitable["Project | None"]:
        from app.schema.project import project_of

        return project_of(info, self.project_pk)

    @strawberry.field(description="Who created the task.", graphql_type=User)
    def created_by(self, info: Info) -> Awaitable[User | None]:
        # Never None: deleting a user deletes the tasks they created (CASCADE).
        user = info.context.known_loaders().users.load(self.created_by_pk)
        return then(user, User.from_optional_row)

    @strawberry.field(
        description="Who the task is assigned to, if anyone.", graphql_type=User | None
    )
    def assignee(self, info: Info) -> Awaitable[User | None] | None:
        if self.assignee_pk is None:
            return None
        user = info.context.known_loaders().users.load(self.assignee_pk)
        return then(user, User.from_optional_row)

    @strawberry.field(
        description="The task's tags, by name.",
        graphql_type=list[Annotated["Tag", strawberry.lazy("app.schema.tag")]],
    )
    def tags(self, info: Info) -> Awaitable[list["Tag"]]:
        from app.schema.tag import Tag

        return then(info.context.known_loaders().task_tags.load(self.pk), Tag.from_rows)


TaskConnection = Connection[Task]


async def tasks(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    filter: TaskFilter | None = None,
    order_by: TaskOrder | None = None,
) -> TaskConnection:
    page, count = await connections.task_list(
        info.context,
        args=PageArgs.parse(first, after, last, before),
        spec=filter_spec(filter),
        ordering=ordering(order_by),
        build=Task.from_row,
    )
    return Connection.of(page, count)


@strawberry.input(description="A new task.")
class CreateTaskInput:
    project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Its project; the viewer's personal project when omitted."
    )
    title: str = strawberry.field(description="1-200 characters after trimming.")
    description: str | None = strawberry.field(
        default=None, description="At most 10,000 characters."
    )
    status: TaskStatus = strawberry.field(default=TaskStatus.TODO, description="Default TODO.")
    priority: TaskPriority = strawberry.field(
        default=TaskPriority.MEDIUM, description="Default MEDIUM."
    )
    due_date: date | None = strawberry.field(default=None, description="Day it is due.")
    assignee_id: strawberry.ID | None = strawberry.field(
        default=None, description="A member of the project."
    )
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Tags of the same project."
    )


@strawberry.input(
    description="Changes to a task; omitted fields stay as they are, null clears "
    "description, dueDate or assigneeId, and tagIds replaces the whole set."
)
class UpdateTaskInput:
    project_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Move the task; tags and an assignee not valid there are dropped.",
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="1-200 characters after trimming; not null."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="At most 10,000 characters; null clears it."
    )
    status: TaskStatus | None = strawberry.field(
        default=strawberry.UNSET, description="New status; completedAt follows it. Not null."
    )
    priority: TaskPriority | None = strawberry.field(
        default=strawberry.UNSET, description="New priority; not null."
    )
    due_date: date | None = strawberry.field(
        default=strawberry.UNSET, description="Day it is due; null clears it."
    )
    assignee_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A member of the project; null unassigns."
    )
    tag_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="The whole new set of tags; null or [] removes all."
    )


def _task_pk(task_id: str) -> int | None:
    return decode_id(task_id, "Task")


def _tag_pks(tag_ids: list[strawberry.ID] | None) -> list[int]:
    """Row ids of `tagIds` (null or omitted: none); a malformed one is `BadUserInput`."""
    pks = [input_id(tag_id, "Tag", "tagIds") for tag_id in tag_ids or []]
    return [pk for pk in pks if pk is not None]


async def create_task(info: Info, input: CreateTaskInput) -> Task:
    row = await task_mutations.create_task(
        info.context,
        project_id=None if input.project_id is None else decode_id(input.project_id, "Project"),
        use_personal=input.project_id is None,
        fields={
            "title": input.title,
            "description": input.description,
            "status": input.status,
            "priority": input.priority,
            "due_date": input.due_date,
        },
        assignee_id=input_id(input.assignee_id, "User", "assigneeId"),
        tag_ids=_tag_pks(input.tag_ids),
    )
    return Task.from_row(row)


async def update_task(
    info: Info,
    id: strawberry.ID,
    input: UpdateTaskInput,
    expected_version: int | None = None,
) -> Task:
    fields = given(input)
    if "project_id" in fields:
        project_id = fields["project_id"]
        fields["project_id"] = None if project_id is None else decode_id(project_id, "Project")
    if "assignee_id" in fields:
        fields["assignee_id"] = input_id(fields["assignee_id"], "User", "assigneeId")
    if "tag_ids" in fields:
        fields["tag_ids"] = _tag_pks(fields["tag_ids"])
    row = await task_mutations.update_task(
        info.context, task_id=_task_pk(id), fields=fields, expected_version=expected_version
    )
    return Task.from_row(row)


async def set_task_completed(info: Info, id: strawberry.ID, completed: bool) -> Task:
    row = await task_mutations.set_completed(
        info.context, task_id=_task_pk(id), completed=completed
    )
    return Task.from_row(row)


async def delete_task(info: Info, id: strawberry.ID) -> strawberry.ID:
    pk = await task_mutations.delete_task(info.context, task_id=_task_pk(id))
    return strawberry.ID(encode_id("Task", pk))
