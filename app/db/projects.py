"""Projects and their members: batch reads by id, lists, and writes (one transaction each).

Rules from API.md "Who sees what": only `OWNER`s change a project or its
members; a member may remove themself. Personal projects take no other members
and cannot be deleted (`Forbidden`); a project always keeps at least one owner
(`Conflict`). Ids are row ids; the caller decodes global ids and validates text
(`app.rules`). Writes return the project as the viewer now sees it.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from app import rules
from app.db import lists
from app.db.access import USER_COLUMNS, VIEWER, authorize_project, refuse, role_of, visible
from app.db.base import utcnow
from app.db.collation import contains_text
from app.db.database import Database
from app.db.id_lists import IDS, among
from app.db.lists import by_id, typed
from app.db.models import keyed, members, projects, tasks, users
from app.db.orderings import MEMBERS_BY_JOINING, roster
from app.db.pagination import Ordering, Page, PageArgs
from app.db.users import UserRow
from app.enums import ProjectRole
from app.errors import Conflict, NotFound

ALREADY_A_MEMBER = "That user is already a member"
LAST_OWNER = "A project must keep at least one owner"


class ProjectRow(NamedTuple):
    """A project with the viewer's `role` in it (a `ProjectRole` value)."""

    id: int
    name: str
    description: str | None
    is_personal: bool
    created_at: datetime
    updated_at: datetime
    role: str


class MemberRow(NamedTuple):
    """A member of a project: the user, their `role` (a `ProjectRole` value), since when."""

    user: UserRow
    role: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class ProjectFilter:
    """A `ProjectFilter`: `search` already checked (`app.rules.search`); None: no condition."""

    search: str | None = None
    role: ProjectRole | None = None


# The columns of `ProjectRow`, then the sort key of the NAME order (for cursors).
PROJECT_COLUMNS = (
    projects.c.id,
    projects.c.name,
    projects.c.description,
    projects.c.is_personal,
    projects.c.created_at,
    projects.c.updated_at,
    members.c.role,
    projects.c.name_sort,
)
owners = aliased(members, name="owners")
PROJECTS_BY_ID = visible(select(*PROJECT_COLUMNS), projects.c.id, VIEWER).where(
    among(projects.c.id, IDS)
)
OWNERS_BY_PROJECT = (
    select(*USER_COLUMNS, owners.c.project_id.label("owned_project_id"))
    .select_from(owners)
    .join(users, users.c.id == owners.c.user_id)
    .where(among(owners.c.project_id, IDS), owners.c.role == ProjectRole.OWNER.value)
    .order_by(owners.c.added_at, owners.c.user_id)
)


def _project(row: Row[Any]) -> ProjectRow:
    return typed(ProjectRow, row)


def _member(row: Row[Any]) -> MemberRow:
    return MemberRow(typed(UserRow, row), row.member_role, row.added_at)


async def by_ids(db: Database, viewer_id: int, ids: list[int]) -> list[ProjectRow | None]:
    """Visible projects by id, with the viewer's role; None for the rest."""
    rows = await db.read(PROJECTS_BY_ID, {"viewer_id": viewer_id, IDS: ids})
    return by_id(rows, ids, _project)


async def owners_of(db: Database, project_ids: list[int]) -> list[UserRow | None]:
    """The owner shown for each project: its earliest-added `OWNER`.

    For ids read from rows that `visible()` let through, and not narrowed again, so a
    project the viewer has just left (`removeProjectMember`) keeps its owner.
    """
    first: dict[int, UserRow] = {}
    for row in await db.read(OWNERS_BY_PROJECT, {IDS: project_ids}):
        first.setdefault(row.owned_project_id, typed(UserRow, row))
    return [first.get(i) for i in project_ids]


def _visible_projects(viewer_id: int, spec: ProjectFilter | None) -> Select[Any]:
    statement = visible(select(*PROJECT_COLUMNS), projects.c.id, viewer_id)
    if spec is not None and spec.search:
        statement = statement.where(
            contains_text(spec.search, projects.c.name_key, projects.c.description_key)
        )
    if spec is not None and spec.role is not None:
        statement = statement.where(members.c.role == spec.role.value)
    return statement


async def page(
    db: Database, viewer_id: int, spec: ProjectFilter | None, ordering: Ordering, args: PageArgs
) -> Page[ProjectRow]:
    """`Query.projects`: a page of the projects the viewer is a member of."""
    return await lists.page(db, _visible_projects(viewer_id, spec), ordering, args, _project)


async def count(db: Database, viewer_id: int, spec: ProjectFilter | None) -> int:
    """How many projects `page` pages through."""
    return await lists.count(db, _visible_projects(viewer_id, spec))


def _visible_members(viewer_id: int) -> Select[Any]:
    return visible(
        select(
            *USER_COLUMNS,
            roster.c.role.label("member_role"),
            roster.c.added_at,
            roster.c.project_id,
            roster.c.user_id,
        )
        .select_from(roster)
        .join(users, users.c.id == roster.c.user_id),
        roster.c.project_id,
        viewer_id,
    )


async def member_pages(
    db: Database, viewer_id: int, project_ids: list[int], args: PageArgs
) -> list[Page[MemberRow]]:
    """`Project.members` of each project, in the order they joined, in one statement."""
    statement = _visible_members(viewer_id)
    return await lists.pages_per_parent(
        db, statement, roster.c.project_id, project_ids, MEMBERS_BY_JOINING, args, _member
    )


async def member_counts(db: Database, viewer_id: int, project_ids: list[int]) -> list[int]:
    """How many members each project has (for a viewer who sees it), in one statement."""
    return await lists.counts_per_parent(
        db, _visible_members(viewer_id), roster.c.project_id, project_ids
    )


async def _reload(connection: AsyncConnection, viewer_id: int, project_id: int) -> ProjectRow:
    statement = visible(select(*PROJECT_COLUMNS), projects.c.id, viewer_id)
    return _project((await connection.execute(statement.where(projects.c.id == project_id))).one())


async def create(db: Database, viewer_id: int, *, name: str, description: str | None) -> ProjectRow:
    """A new shared project owned by the viewer."""
    async with db.transaction() as connection:
        project_id = await connection.scalar(
            insert(projects)
            .values(name=name, description=description, is_personal=False)
            .returning(projects.c.id)
        )
        await connection.execute(
            insert(members).values(
                project_id=project_id, user_id=viewer_id, role=ProjectRole.OWNER.value
            )
        )
        assert project_id is not None
        return await _reload(connection, viewer_id, project_id)


async def update_project(
    db: Database, viewer_id: int, project_id: int | None, values: dict[str, Any]
) -> ProjectRow:
    """Set `values` (name and/or description, checked); `OWNER` only."""
    async with db.transaction() as connection:
        project = await authorize_project(connection, viewer_id, project_id)
        if values:
            await connection.execute(
                update(projects)
                .where(projects.c.id == project.id)
                .values(**keyed(projects, values))
            )
        return await _reload(connection, viewer_id, project.id)


def _unless_personal(project: Row[Any], viewer_id: int, reason: str) -> None:
    """`Forbidden(reason)`, logged, for a personal project: it is its owner's alone."""
    if project.is_personal:
        raise refuse(reason, viewer_id=viewer_id, kind="Project", object_id=project.id)


async def delete_project(db: Database, viewer_id: int, project_id: int | None) -> int:
    """Delete a project with everything in it; `OWNER` only, never a personal project."""
    async with db.transaction() as connection:
        row = await authorize_project(connection, viewer_id, project_id)
        _unless_personal(row, viewer_id, "A personal project cannot be deleted")
        await connection.execute(delete(projects).where(projects.c.id == row.id))
        return int(row.id)


async def _owner_count(connection: AsyncConnection, project_id: int) -> int:
    statement = select(func.count()).where(
        members.c.project_id == project_id, members.c.role == ProjectRole.OWNER.value
    )
    return int(await connection.scalar(statement) or 0)


async def add_member(
    db: Database, viewer_id: int, project_id: int | None, email: str, role: ProjectRole
) -> ProjectRow:
    """Add the user registered with `email` (as typed: it is normalised here) as `role`;
    `OWNER` only.

    `Forbidden` for a personal project, `BadUserInput` for an email holding NUL,
    `NotFound` for an unknown email, `Conflict` when
    they are already a member (also when a concurrent call added them first: the
    membership's unique key decides).
    """
    try:
        async with db.transaction() as connection:
            project = await authorize_project(connection, viewer_id, project_id, lock=True)
            _unless_personal(project, viewer_id, "A personal project takes no other members")
            address = rules.normalised_email(rules.text("email", email))
            user_id = await connection.scalar(select(users.c.id).where(users.c.email == address))
            if user_id is None:
                raise NotFound("No user with that email")
            if await role_of(connection, project.id, user_id) is not None:
                raise Conflict(ALREADY_A_MEMBER)
            await connection.execute(
                insert(members).values(project_id=project.id, user_id=user_id, role=role.value)
            )
            return await _reload(connection, viewer_id, project.id)
    except IntegrityError:
        raise Conflict(ALREADY_A_MEMBER) from None


async def _member_role(connection: AsyncConnection, project_id: int, user_id: int | None) -> str:
    """The role of member `user_id`; `NotFound` when they are not one."""
    role = None if user_id is None else await role_of(connection, project_id, user_id)
    if role is None:
        raise NotFound("No such member")
    return role


async def update_member(
    db: Database, viewer_id: int, project_id: int | None, user_id: int | None, role: ProjectRole
) -> ProjectRow:
    """Give a member another role; `OWNER` only. Demoting the last owner is `Conflict`."""
    async with db.transaction() as connection:
        project = await authorize_project(connection, viewer_id, project_id, lock=True)
        current = await _member_role(connection, project.id, user_id)
        if (
            current == ProjectRole.OWNER.value
            and role != ProjectRole.OWNER
            and await _owner_count(connection, project.id) == 1
        ):
            raise Conflict(LAST_OWNER)
        await connection.execute(
            update(members)
            .where(members.c.project_id == project.id, members.c.user_id == user_id)
            .values(role=role.value)
        )
        return await _reload(connection, viewer_id, project.id)


async def remove_member(
    db: Database, viewer_id: int, project_id: int | None, user_id: int | None
) -> ProjectRow:
    """Remove a member: an `OWNER` may remove anyone, any member themself.

    Removing the last owner is `Conflict`. Their tasks in the project are unassigned
    (a change to each: new version), since an assignee must be a member. Returns the
    project with the viewer's role; when they leave, the rest of the request reads the
    database as it stood just before (`Database.read_before_this_change`), so that the
    answer agrees with itself and shows nothing they could not see.
    """
    needed = ProjectRole.VIEWER if user_id == viewer_id else ProjectRole.OWNER
    async with db.transaction() as connection:
        project = await authorize_project(connection, viewer_id, project_id, needed, lock=True)
        current = await _member_role(connection, project.id, user_id)
        if current == ProjectRole.OWNER.value and await _owner_count(connection, project.id) == 1:
            raise Conflict(LAST_OWNER)
        if user_id == viewer_id:
            await db.read_before_this_change()
        await connection.execute(
            delete(members).where(members.c.project_id == project.id, members.c.user_id == user_id)
        )
        await connection.execute(
            update(tasks)
            .where(tasks.c.project_id == project.id, tasks.c.assignee_id == user_id)
            .values(assignee_id=None, version=tasks.c.version + 1, updated_at=utcnow())
        )
        return ProjectRow(*(project._mapping[name] for name in ProjectRow._fields))
