"""Task: its GraphQL type, enums, filter and order inputs, connection and inputs."""

from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app import enums
from app.resolvers import tasks
from app.resolvers.nodes import TaskNode
from app.schema.common import Connection, Node, OrderDirection
from app.schema.execution import batched
from app.schema.user import User

if TYPE_CHECKING:
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


@strawberry.input(
    name="TaskFilter", description="Conditions a task must all meet; every field is optional."
)
class TaskFilterInput:
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


@strawberry.type(description="A piece of work in a project.")
class Task(Node):
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
    project = strawberry.field(
        graphql_type=Annotated["Project", strawberry.lazy("app.schema.project")],
        resolver=tasks.project,
        metadata=batched(tasks.project_batch),
        description="The project the task belongs to.",
    )
    created_by = strawberry.field(
        graphql_type=User,
        resolver=tasks.created_by,
        metadata=batched(tasks.created_by_batch),
        description="Who created the task.",
    )
    assignee = strawberry.field(
        graphql_type=User | None,
        resolver=tasks.assignee,
        metadata=batched(tasks.assignee_batch),
        description="Who the task is assigned to, if anyone.",
    )
    tags = strawberry.field(
        graphql_type=list[Annotated["Tag", strawberry.lazy("app.schema.tag")]],
        resolver=tasks.tags,
        metadata=batched(tasks.tags_batch),
        description="The task's tags, by name.",
    )

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, TaskNode)


TaskConnection = Connection[Task]


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
