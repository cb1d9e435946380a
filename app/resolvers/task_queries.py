"""Reading tasks: the visible-task statement, filters and orders (API.md `TaskFilter`)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.sql import Select

from app import rules
from app.db.access import visible
from app.db.collation import fold
from app.db.models import shown, task_tags, tasks
from app.db.pagination import Ordering, SortKey, id_key
from app.enums import TaskPriority, TaskStatus
from app.ids import decode_id, input_id

TASK_ORDER_KEYS: dict[str, SortKey] = {
    "CREATED_AT": SortKey(tasks.c.created_at, "datetime"),
    "UPDATED_AT": SortKey(tasks.c.updated_at, "datetime"),
    "DUE_DATE": SortKey(tasks.c.due_date, "date", nullable=True),
    "PRIORITY": SortKey(tasks.c.priority, "int", bounds=(1, 4)),
    "TITLE": SortKey(tasks.c.title_sort, "bytes"),
}


def task_ordering(field: str = "CREATED_AT", direction: str = "DESC") -> Ordering:
    """Order by `field` (a `TaskOrderField` name) then id, both in `direction`."""
    return Ordering(
        name=f"Task:{field}:{direction}",
        keys=(TASK_ORDER_KEYS[field], id_key(tasks.c.id)),
        descending=direction == "DESC",
    )


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """A `TaskFilter` input with its ids decoded; every field optional (None: no condition)."""

    project_id: str | None = None
    status: tuple[TaskStatus, ...] | None = None
    priority: tuple[TaskPriority, ...] | None = None
    assignee_id: str | None = None
    assigned_to_me: bool | None = None
    unassigned: bool | None = None
    tag_ids: tuple[str, ...] | None = None
    search: str | None = None
    due_before: date | None = None
    due_after: date | None = None


def contains_text(search: str, *keys: ColumnElement[str | None]) -> ColumnElement[bool]:
    """Any of the folded `keys` columns contains `search` ignoring case in every script
    (API.md `TaskFilter.search`); `%`, `_` and `\\` match literally.

    Raises `BadUserInput` on `search` for text the rules refuse (`rules.search`).
    """
    needle = fold(rules.search(search))
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(key.like(pattern, escape="\\") for key in keys))


def filter_conditions(spec: TaskFilter | None, viewer_id: int) -> list[ColumnElement[bool]]:
    """SQL conditions for a filter; raises `BadUserInput` for a malformed `assigneeId`/`tagIds`.

    A `projectId` that is malformed, missing or hidden matches nothing, like an
    id that never existed.
    """
    if spec is None:
        return []
    conditions: list[ColumnElement[bool]] = []
    if spec.project_id is not None:
        project_pk = decode_id(spec.project_id, "Project")
        conditions.append(false() if project_pk is None else tasks.c.project_id == project_pk)
    if spec.status is not None:
        conditions.append(tasks.c.status.in_([s.value for s in spec.status]))
    if spec.priority is not None:
        conditions.append(tasks.c.priority.in_([int(p) for p in spec.priority]))
    if spec.assignee_id is not None:
        conditions.append(tasks.c.assignee_id == input_id(spec.assignee_id, "User", "assigneeId"))
    if spec.assigned_to_me:
        conditions.append(tasks.c.assignee_id == viewer_id)
    if spec.unassigned is not None:
        is_null = tasks.c.assignee_id.is_(None)
        conditions.append(is_null if spec.unassigned else ~is_null)
    if spec.tag_ids is not None:
        tag_pks = [input_id(tag_id, "Tag", "tagIds") for tag_id in spec.tag_ids]
        tagged = select(task_tags.c.task_id).where(task_tags.c.tag_id.in_(tag_pks))
        conditions.append(tasks.c.id.in_(tagged))
    if spec.search:
        conditions.append(contains_text(spec.search, tasks.c.title_key, tasks.c.description_key))
    if spec.due_before is not None:
        conditions.append(tasks.c.due_date <= spec.due_before)
    if spec.due_after is not None:
        conditions.append(tasks.c.due_date >= spec.due_after)
    return conditions or [true()]


def visible_tasks(viewer_id: int, spec: TaskFilter | None) -> Select[Any]:
    """All tasks the viewer can see that match `spec` (`shown` columns of `tasks`)."""
    statement = visible(select(*shown(tasks)), tasks.c.project_id, viewer_id)
    return statement.where(*filter_conditions(spec, viewer_id))
