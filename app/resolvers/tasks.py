"""Task mutations: create, update (with optimistic concurrency), complete, delete.

Rules from API.md "Rules of the data": `MEMBER` or `OWNER` role; title 1-200
characters after trimming, description at most 10,000; the assignee must be a
member of the task's project and tags must belong to it. `version` starts at
1 and moves by one on every change, as does `updatedAt`; `completedAt` is set
when the status becomes `DONE` and cleared when it leaves it. Each function is
one transaction and returns the task row.
"""

from datetime import date
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from app import rules
from app.context import Context
from app.db.access import authorize, authorize_project
from app.db.base import utcnow
from app.db.models import keyed, members, projects, tags, task_tags, tasks
from app.enums import ProjectRole, TaskPriority, TaskStatus
from app.errors import BadUserInput, Conflict, NotFound

TITLE_MAX, DESCRIPTION_MAX = 200, 10_000


async def _project_for_tasks(ctx: Context, viewer_id: int, project_id: int | None) -> int:
    """Id of a project where the viewer may change tasks (`NotFound`/`Forbidden` otherwise)."""
    row = await authorize_project(ctx.session, viewer_id, project_id, ProjectRole.MEMBER)
    return int(row.id)


async def _personal_project(ctx: Context, viewer_id: int) -> int:
    statement = select(projects.c.id).join(
        members, (members.c.project_id == projects.c.id) & (members.c.user_id == viewer_id)
    )
    project_id = await ctx.session.scalar(statement.where(projects.c.is_personal))
    assert project_id is not None  # signup creates it and it cannot be deleted
    return int(project_id)


async def _is_member(ctx: Context, project_id: int, user_id: int) -> bool:
    statement = select(members.c.user_id).where(
        members.c.project_id == project_id, members.c.user_id == user_id
    )
    return await ctx.session.scalar(statement) is not None


async def _check_assignee(ctx: Context, project_id: int, assignee_id: int | None) -> None:
    if assignee_id is not None and not await _is_member(ctx, project_id, assignee_id):
        raise BadUserInput("assigneeId", "The assignee must be a member of the task's project")


async def _check_tags(ctx: Context, project_id: int, tag_ids: list[int]) -> list[int]:
    unique = sorted(set(tag_ids))
    statement = select(tags.c.id).where(tags.c.project_id == project_id, tags.c.id.in_(unique))
    if len((await ctx.session.execute(statement)).all()) != len(unique):
        raise BadUserInput("tagIds", "Every tag must belong to the task's project")
    return unique


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    """Column values for the plain fields in `changes` (GraphQL names already mapped)."""
    values: dict[str, Any] = {}
    if "title" in changes:
        values["title"] = rules.trimmed("title", changes["title"], max_length=TITLE_MAX)
    if "description" in changes:
        values["description"] = rules.optional_text(
            "description", changes["description"], max_length=DESCRIPTION_MAX
        )
    for name, kind in (("status", TaskStatus), ("priority", TaskPriority)):
        if name in changes:
            if changes[name] is None:
                raise BadUserInput(name, f"{name} cannot be null")
            values[name] = kind(changes[name]).value
    if "due_date" in changes:
        due: date | None = changes["due_date"]
        values["due_date"] = due
    return values


async def _set_tags(ctx: Context, task_id: int, tag_ids: list[int]) -> None:
    await ctx.session.execute(delete(task_tags).where(task_tags.c.task_id == task_id))
    if tag_ids:
        await ctx.session.execute(
            insert(task_tags), [{"task_id": task_id, "tag_id": t} for t in tag_ids]
        )


async def _reload(ctx: Context, task_id: int) -> Row[Any]:
    return (await ctx.session.execute(select(tasks).where(tasks.c.id == task_id))).one()


async def create_task(
    ctx: Context,
    *,
    project_id: int | None,
    use_personal: bool,
    fields: dict[str, Any],
    assignee_id: int | None,
    tag_ids: list[int],
) -> Row[Any]:
    """A new task; in the viewer's personal project when `use_personal`.

    `fields`: title (required), description, status, priority, due_date.
    """
    viewer = await ctx.require_viewer()
    values = _validated({"status": TaskStatus.TODO, "priority": TaskPriority.MEDIUM, **fields})
    async with ctx.transaction():
        target = (
            await _personal_project(ctx, viewer.id)
            if use_personal
            else await _project_for_tasks(ctx, viewer.id, project_id)
        )
        await _check_assignee(ctx, target, assignee_id)
        tag_ids = await _check_tags(ctx, target, tag_ids)
        now = utcnow()  # one instant: created, last updated and (if DONE) completed
        if values["status"] == TaskStatus.DONE.value:
            values["completed_at"] = now
        task_id = await ctx.session.scalar(
            insert(tasks)
            .values(
                **values,
                project_id=target,
                created_by_id=viewer.id,
                assignee_id=assignee_id,
                created_at=now,
                updated_at=now,
            )
            .returning(tasks.c.id)
        )
        assert task_id is not None
        await _set_tags(ctx, task_id, tag_ids)
        return await _reload(ctx, task_id)


async def _task_for_change(ctx: Context, viewer_id: int, task_id: int | None) -> Row[Any]:
    return await authorize(
        ctx.session,
        viewer_id=viewer_id,
        table=tasks,
        object_id=task_id,
        needed=ProjectRole.MEMBER,
        kind="Task",
        lock=True,
    )


async def _apply(ctx: Context, task: Row[Any], values: dict[str, Any]) -> None:
    """Write `values`, bump `version`, and keep `completedAt` in step with the status.

    The update is conditional on the version read, so a concurrent change is `Conflict`.
    A task that becomes `DONE` is completed at the instant it is updated.
    """
    now = utcnow()
    status = values.get("status", task.status)
    if status != task.status:
        values["completed_at"] = now if status == TaskStatus.DONE.value else None
    result = await ctx.session.execute(
        update(tasks)
        .where(tasks.c.id == task.id, tasks.c.version == task.version)
        .values(**keyed(tasks, values), version=tasks.c.version + 1, updated_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("The task was changed concurrently; reload it and try again")


async def update_task(
    ctx: Context,
    *,
    task_id: int | None,
    fields: dict[str, Any],
    expected_version: int | None,
) -> Row[Any]:
    """Apply the fields present in `fields` (absent: unchanged; None clears a nullable one).

    Keys: title, description, status, priority, due_date, assignee_id, tag_ids,
    project_id (moves the task: the viewer needs `MEMBER` there too; tags of the
    old project and an assignee who is not a member there are dropped). A stale
    `expected_version` is `Conflict` and changes nothing.
    """
    viewer = await ctx.require_viewer()
    values = _validated(fields)
    async with ctx.transaction():
        task = await _task_for_change(ctx, viewer.id, task_id)
        if expected_version is not None and expected_version != task.version:
            raise Conflict(f"Version {expected_version} is stale; the task is at {task.version}")
        target = task.project_id
        if "project_id" in fields:
            if fields["project_id"] is None:
                raise NotFound("Project not found")
            target = await _project_for_tasks(ctx, viewer.id, fields["project_id"])
            values["project_id"] = target
        if "assignee_id" in fields:
            await _check_assignee(ctx, target, fields["assignee_id"])
            values["assignee_id"] = fields["assignee_id"]
        elif task.assignee_id is not None and not await _is_member(ctx, target, task.assignee_id):
            values["assignee_id"] = None  # moved to a project the assignee is not in
        current_tags = list(
            (
                await ctx.session.scalars(
                    select(task_tags.c.tag_id)
                    .join(tags, tags.c.id == task_tags.c.tag_id)
                    .where(task_tags.c.task_id == task.id, tags.c.project_id == target)
                    .order_by(task_tags.c.tag_id)
                )
            ).all()
        )
        wanted_tags = (
            await _check_tags(ctx, target, fields["tag_ids"])
            if "tag_ids" in fields
            else current_tags
        )
        changed = {k: v for k, v in values.items() if getattr(task, k) != v}
        tags_changed = wanted_tags != sorted(current_tags) or target != task.project_id
        if changed or tags_changed:
            await _apply(ctx, task, changed)
            await _set_tags(ctx, task.id, wanted_tags)
        return await _reload(ctx, task.id)


async def set_completed(ctx: Context, *, task_id: int | None, completed: bool) -> Row[Any]:
    """Mark the task `DONE` (with `completedAt`) or back to `TODO`; nothing changes when it
    already is in that state (idempotent: no new version)."""
    viewer = await ctx.require_viewer()
    async with ctx.transaction():
        task = await _task_for_change(ctx, viewer.id, task_id)
        done = task.status == TaskStatus.DONE.value
        if completed != done:
            status = TaskStatus.DONE if completed else TaskStatus.TODO
            await _apply(ctx, task, {"status": status.value})
        return await _reload(ctx, task.id)


async def delete_task(ctx: Context, *, task_id: int | None) -> int:
    """Delete the task (and its tag links)."""
    viewer = await ctx.require_viewer()
    async with ctx.transaction():
        task = await _task_for_change(ctx, viewer.id, task_id)
        await ctx.session.execute(delete(tasks).where(tasks.c.id == task.id))
        return int(task.id)
