"""Tasks: batch reads by id, lists with filters, and writes (one transaction each).

Rules from API.md "Rules of the data": `MEMBER` or `OWNER` role to change a task;
the assignee must be a member of the task's project and tags must belong to it.
`version` starts at 1 and moves by one on every change, as does `updatedAt`;
`completedAt` is set when the status becomes `DONE` and cleared when it leaves it.
Ids are row ids (the caller decodes global ids); values are already checked
(`app.rules`). Writes return the task row.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Row, delete, insert, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from app.db import lists
from app.db.access import VIEWER, authorize, authorize_project, role_of, visible
from app.db.base import utcnow
from app.db.collation import contains_text
from app.db.database import Database
from app.db.id_lists import IDS, among
from app.db.lists import by_id, typed
from app.db.models import keyed, members, projects, tags, task_tags, tasks
from app.db.pagination import Ordering, Page, PageArgs
from app.enums import ProjectRole, TaskStatus
from app.errors import BadUserInput, Conflict, NotFound


class TaskRow(NamedTuple):
    """A task; `status` is a `TaskStatus` value, `priority` a `TaskPriority` value."""

    id: int
    project_id: int
    created_by_id: int
    assignee_id: int | None
    title: str
    description: str | None
    status: str
    priority: int
    due_date: date | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """Conditions a task must all meet (API.md `TaskFilter`), with row ids; None: no
    condition. `project_ids`: any of them (empty: none); `search` already checked."""

    project_ids: tuple[int, ...] | None = None
    status: tuple[str, ...] | None = None
    priority: tuple[int, ...] | None = None
    assignee_id: int | None = None
    assigned_to_me: bool | None = None
    unassigned: bool | None = None
    tag_ids: tuple[int, ...] | None = None
    search: str | None = None
    due_before: date | None = None
    due_after: date | None = None


# The columns of `TaskRow`, then the sort key of the TITLE order (for cursors).
TASK_COLUMNS = (*(tasks.c[name] for name in TaskRow._fields), tasks.c.title_sort)
TASKS_BY_ID = visible(select(*TASK_COLUMNS), tasks.c.project_id, VIEWER).where(
    among(tasks.c.id, IDS)
)


def _task(row: Row[Any]) -> TaskRow:
    return typed(TaskRow, row)


def _conditions(spec: TaskFilter | None, viewer_id: int) -> list[ColumnElement[bool]]:
    if spec is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if spec.project_ids is not None:
        conditions.append(tasks.c.project_id.in_(spec.project_ids))
    if spec.status is not None:
        conditions.append(tasks.c.status.in_(spec.status))
    if spec.priority is not None:
        conditions.append(tasks.c.priority.in_(spec.priority))
    if spec.assignee_id is not None:
        conditions.append(tasks.c.assignee_id == spec.assignee_id)
    if spec.assigned_to_me:
        conditions.append(tasks.c.assignee_id == viewer_id)
    if spec.unassigned is not None:
        is_null = tasks.c.assignee_id.is_(None)
        conditions.append(is_null if spec.unassigned else ~is_null)
    if spec.tag_ids is not None:
        tagged = select(task_tags.c.task_id).where(task_tags.c.tag_id.in_(spec.tag_ids))
        conditions.append(tasks.c.id.in_(tagged))
    if spec.search:
        conditions.append(contains_text(spec.search, tasks.c.title_key, tasks.c.description_key))
    if spec.due_before is not None:
        conditions.append(tasks.c.due_date <= spec.due_before)
    if spec.due_after is not None:
        conditions.append(tasks.c.due_date >= spec.due_after)
    return conditions or [true()]


def _visible_tasks(viewer_id: int, spec: TaskFilter | None) -> Select[Any]:
    """All tasks the viewer can see that match `spec`."""
    statement = visible(select(*TASK_COLUMNS), tasks.c.project_id, viewer_id)
    return statement.where(*_conditions(spec, viewer_id))


def _tagged_tasks(viewer_id: int, spec: TaskFilter | None) -> Select[Any]:
    """`_visible_tasks` once per tag they carry, with the tag's id (`tag_id`)."""
    return (
        _visible_tasks(viewer_id, spec)
        .add_columns(task_tags.c.tag_id)
        .join(task_tags, task_tags.c.task_id == tasks.c.id)
    )


async def by_ids(db: Database, viewer_id: int, ids: list[int]) -> list[TaskRow | None]:
    """Visible tasks by id; None for the rest."""
    rows = await db.read(TASKS_BY_ID, {"viewer_id": viewer_id, IDS: ids})
    return by_id(rows, ids, _task)


async def page(
    db: Database, viewer_id: int, spec: TaskFilter | None, ordering: Ordering, args: PageArgs
) -> Page[TaskRow]:
    """`Query.tasks`: a page of the visible tasks matching `spec`."""
    return await lists.page(db, _visible_tasks(viewer_id, spec), ordering, args, _task)


async def count(db: Database, viewer_id: int, spec: TaskFilter | None) -> int:
    """How many tasks `page` pages through."""
    return await lists.count(db, _visible_tasks(viewer_id, spec))


async def pages_per_project(
    db: Database,
    viewer_id: int,
    spec: TaskFilter | None,
    ordering: Ordering,
    args: PageArgs,
    project_ids: list[int],
) -> list[Page[TaskRow]]:
    """`Project.tasks` of each project, in one statement."""
    statement = _visible_tasks(viewer_id, spec)
    return await lists.pages_per_parent(
        db, statement, tasks.c.project_id, project_ids, ordering, args, _task
    )


async def counts_per_project(
    db: Database, viewer_id: int, spec: TaskFilter | None, project_ids: list[int]
) -> list[int]:
    """How many tasks `pages_per_project` pages through for each project."""
    statement = _visible_tasks(viewer_id, spec)
    return await lists.counts_per_parent(db, statement, tasks.c.project_id, project_ids)


async def pages_per_tag(
    db: Database,
    viewer_id: int,
    spec: TaskFilter | None,
    ordering: Ordering,
    args: PageArgs,
    tag_ids: list[int],
) -> list[Page[TaskRow]]:
    """`Tag.tasks` of each tag, in one statement."""
    statement = _tagged_tasks(viewer_id, spec)
    return await lists.pages_per_parent(
        db, statement, task_tags.c.tag_id, tag_ids, ordering, args, _task
    )


async def counts_per_tag(
    db: Database, viewer_id: int, spec: TaskFilter | None, tag_ids: list[int]
) -> list[int]:
    """How many tasks `pages_per_tag` pages through for each tag."""
    statement = _tagged_tasks(viewer_id, spec)
    return await lists.counts_per_parent(db, statement, task_tags.c.tag_id, tag_ids)


async def _project_for_tasks(
    connection: AsyncConnection, viewer_id: int, project_id: int | None
) -> int:
    """Id of a project where the viewer may change tasks (`NotFound`/`Forbidden` otherwise)."""
    row = await authorize_project(connection, viewer_id, project_id, ProjectRole.MEMBER)
    return int(row.id)


async def _personal_project(connection: AsyncConnection, viewer_id: int) -> int:
    statement = select(projects.c.id).join(
        members, (members.c.project_id == projects.c.id) & (members.c.user_id == viewer_id)
    )
    project_id = await connection.scalar(statement.where(projects.c.is_personal))
    assert project_id is not None  # signup creates it and it cannot be deleted
    return int(project_id)


async def _check_assignee(
    connection: AsyncConnection, project_id: int, assignee_id: int | None
) -> None:
    if assignee_id is not None and await role_of(connection, project_id, assignee_id) is None:
        raise BadUserInput("assigneeId", "The assignee must be a member of the task's project")


async def _check_tags(
    connection: AsyncConnection, project_id: int, tag_ids: list[int]
) -> list[int]:
    unique = sorted(set(tag_ids))
    statement = select(tags.c.id).where(tags.c.project_id == project_id, tags.c.id.in_(unique))
    if len((await connection.execute(statement)).all()) != len(unique):
        raise BadUserInput("tagIds", "Every tag must belong to the task's project")
    return unique


async def _set_tags(connection: AsyncConnection, task_id: int, tag_ids: list[int]) -> None:
    await connection.execute(delete(task_tags).where(task_tags.c.task_id == task_id))
    if tag_ids:
        await connection.execute(
            insert(task_tags), [{"task_id": task_id, "tag_id": t} for t in tag_ids]
        )


async def _reload(connection: AsyncConnection, task_id: int) -> TaskRow:
    statement = select(*TASK_COLUMNS).where(tasks.c.id == task_id)
    return _task((await connection.execute(statement)).one())


async def create(
    db: Database,
    viewer_id: int,
    *,
    project_id: int | None,
    use_personal: bool,
    values: dict[str, Any],
    assignee_id: int | None,
    tag_ids: list[int],
) -> TaskRow:
    """A new task with column `values` (title, description, status, priority, due_date);
    in the viewer's personal project when `use_personal`."""
    async with db.transaction() as connection:
        target = (
            await _personal_project(connection, viewer_id)
            if use_personal
            else await _project_for_tasks(connection, viewer_id, project_id)
        )
        await _check_assignee(connection, target, assignee_id)
        tag_ids = await _check_tags(connection, target, tag_ids)
        now = utcnow()  # one instant: created, last updated and (if DONE) completed
        if values["status"] == TaskStatus.DONE.value:
            values = {**values, "completed_at": now}
        task_id = await connection.scalar(
            insert(tasks)
            .values(
                **values,
                project_id=target,
                created_by_id=viewer_id,
                assignee_id=assignee_id,
                created_at=now,
                updated_at=now,
            )
            .returning(tasks.c.id)
        )
        assert task_id is not None
        await _set_tags(connection, task_id, tag_ids)
        return await _reload(connection, task_id)


async def _task_for_change(
    connection: AsyncConnection, viewer_id: int, task_id: int | None
) -> Row[Any]:
    return await authorize(
        connection,
        viewer_id=viewer_id,
        table=tasks,
        object_id=task_id,
        needed=ProjectRole.MEMBER,
        kind="Task",
        lock=True,
    )


async def _apply(connection: AsyncConnection, task: Row[Any], values: dict[str, Any]) -> None:
    """Write `values`, bump `version`, and keep `completedAt` in step with the status.

    The update is conditional on the version read, so a concurrent change is `Conflict`.
    A task that becomes `DONE` is completed at the instant it is updated.
    """
    now = utcnow()
    status = values.get("status", task.status)
    if status != task.status:
        values["completed_at"] = now if status == TaskStatus.DONE.value else None
    result = await connection.execute(
        update(tasks)
        .where(tasks.c.id == task.id, tasks.c.version == task.version)
        .values(**keyed(tasks, values), version=tasks.c.version + 1, updated_at=now)
    )
    if result.rowcount != 1:
        raise Conflict("The task was changed concurrently; reload it and try again")


async def update_task(
    db: Database,
    viewer_id: int,
    task_id: int | None,
    *,
    values: dict[str, Any],
    relations: dict[str, Any],
    expected_version: int | None,
) -> TaskRow:
    """Set column `values` (absent: unchanged) and `relations` (keys present: project_id,
    assignee_id, tag_ids; None clears the assignee, None/[] the tags).

    Moving the task (`project_id`) needs `MEMBER` there too and drops tags of the old
    project and an assignee who is not a member there; a None `project_id` is
    `NotFound`. A stale `expected_version` is `Conflict` and changes nothing.
    """
    values = dict(values)
    async with db.transaction() as connection:
        task = await _task_for_change(connection, viewer_id, task_id)
        if expected_version is not None and expected_version != task.version:
            raise Conflict(f"Version {expected_version} is stale; the task is at {task.version}")
        target = task.project_id
        if "project_id" in relations:
            if relations["project_id"] is None:
                raise NotFound("Project not found")
            target = await _project_for_tasks(connection, viewer_id, relations["project_id"])
            values["project_id"] = target
        if "assignee_id" in relations:
            await _check_assignee(connection, target, relations["assignee_id"])
            values["assignee_id"] = relations["assignee_id"]
        elif task.assignee_id is not None and (
            await role_of(connection, target, task.assignee_id) is None
        ):
            values["assignee_id"] = None  # moved to a project the assignee is not in
        current_tags = list(
            (
                await connection.scalars(
                    select(task_tags.c.tag_id)
                    .join(tags, tags.c.id == task_tags.c.tag_id)
                    .where(task_tags.c.task_id == task.id, tags.c.project_id == target)
                    .order_by(task_tags.c.tag_id)
                )
            ).all()
        )
        wanted_tags = (
            await _check_tags(connection, target, relations["tag_ids"] or [])
            if "tag_ids" in relations
            else current_tags
        )
        changed = {k: v for k, v in values.items() if getattr(task, k) != v}
        tags_changed = wanted_tags != sorted(current_tags) or target != task.project_id
        if changed or tags_changed:
            await _apply(connection, task, changed)
            await _set_tags(connection, task.id, wanted_tags)
        return await _reload(connection, task.id)


async def set_completed(
    db: Database, viewer_id: int, task_id: int | None, *, completed: bool
) -> TaskRow:
    """Mark the task `DONE` (with `completedAt`) or back to `TODO`; nothing changes when it
    already is in that state (idempotent: no new version)."""
    async with db.transaction() as connection:
        task = await _task_for_change(connection, viewer_id, task_id)
        done = task.status == TaskStatus.DONE.value
        if completed != done:
            status = TaskStatus.DONE if completed else TaskStatus.TODO
            await _apply(connection, task, {"status": status.value})
        return await _reload(connection, task.id)


async def delete_task(db: Database, viewer_id: int, task_id: int | None) -> int:
    """Delete the task (and its tag links); its row id."""
    async with db.transaction() as connection:
        task = await _task_for_change(connection, viewer_id, task_id)
        await connection.execute(delete(tasks).where(tasks.c.id == task.id))
        return int(task.id)
