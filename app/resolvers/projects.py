"""The resolvers of projects: `Query.projects`, the fields of `Project`, and the project
and membership mutations. Global ids are decoded here; `app.db.projects` takes row ids."""

from collections.abc import Awaitable
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry

from app import rules
from app.context import Info
from app.db import projects, tags, tasks
from app.db.orderings import NEWEST_PROJECTS, ordering
from app.db.pagination import PageArgs
from app.enums import ProjectRole
from app.ids import decode_id, encode_id
from app.resolvers.inputs import given
from app.resolvers.nodes import (
    MemberEdge,
    ProjectNode,
    TagNode,
    TaskNode,
    UserNode,
    single,
    then,
    user_nodes,
)
from app.resolvers.relay import Connection, connection, nested_pages
from app.resolvers.tasks import FilterArg, OrderArg, task_filter, task_ordering

if TYPE_CHECKING:
    from app.schema.project import (
        CreateProjectInput,
        ProjectFilterInput,
        ProjectOrder,
        UpdateProjectInput,
    )


async def project_list(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    filter: Annotated["ProjectFilterInput", strawberry.lazy("app.schema.project")] | None = None,
    order_by: Annotated["ProjectOrder", strawberry.lazy("app.schema.project")] | None = None,
) -> Connection[ProjectNode]:
    """`Query.projects`: projects the viewer is a member of, with their role."""
    ctx = info.context
    args = PageArgs.parse(first, after, last, before)
    viewer = ctx.require_viewer()
    spec = None
    if filter is not None:
        search = None if filter.search is None else rules.search(filter.search)
        spec = projects.ProjectFilter(search=search, role=filter.role)
    order = (
        NEWEST_PROJECTS
        if order_by is None
        else ordering("Project", order_by.field.value, order_by.direction.value)
    )
    page = await projects.page(ctx.db, viewer.id, spec, order, args)
    return connection(page, ProjectNode._make, partial(projects.count, ctx.db, viewer.id, spec))


def member_edge(cursor: str, node: UserNode, row: projects.MemberRow) -> MemberEdge:
    """The `ProjectMemberEdge` of a member row (an `EdgeOf`)."""
    return MemberEdge(cursor, node, row.role, row.added_at)


def owner_batch(roots: list[ProjectNode], info: Info) -> Awaitable[list[UserNode | None]]:
    """`Project.owner` of the projects of one level: each one's first owner (never None: a
    project always keeps one)."""
    loaders = info.context.loaders
    return then(loaders.project_owners.load_many([root.id for root in roots]), user_nodes)


async def members_batch(
    roots: list[ProjectNode], info: Info, first: int | None = None, after: str | None = None
) -> list[Connection[UserNode]]:
    """`Project.members` of the projects of one level, in the order they joined; one
    statement for all of them."""
    ctx = info.context
    args = PageArgs.parse(first=first, after=after)
    viewer = ctx.require_viewer()
    found = await nested_pages(
        ctx.loaders,
        ("Project.members", args),
        [root.id for root in roots],
        partial(projects.member_pages, ctx.db, viewer.id, args=args),
        partial(projects.member_counts, ctx.db, viewer.id),
    )
    return [
        Connection([UserNode._make(row.user) for row in page.items], page, count, member_edge)
        for page, count in found
    ]


async def tasks_batch(
    roots: list[ProjectNode],
    info: Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    filter: FilterArg = None,
    order_by: OrderArg = None,
) -> list[Connection[TaskNode]]:
    """`Project.tasks` of the projects of one level; one statement for all of them."""
    ctx = info.context
    args = PageArgs.parse(first, after, last, before)
    viewer = ctx.require_viewer()
    spec, order = task_filter(filter), task_ordering(order_by)
    found = await nested_pages(
        ctx.loaders,
        ("Project.tasks", args, spec, order.name),
        [root.id for root in roots],
        partial(tasks.pages_per_project, ctx.db, viewer.id, spec, order, args),
        partial(tasks.counts_per_project, ctx.db, viewer.id, spec),
    )
    return [connection(page, TaskNode._make, count) for page, count in found]


async def tags_batch(
    roots: list[ProjectNode], info: Info, first: int | None = None, after: str | None = None
) -> list[Connection[TagNode]]:
    """`Project.tags` of the projects of one level, by name; one statement for all."""
    ctx = info.context
    args = PageArgs.parse(first=first, after=after)
    viewer = ctx.require_viewer()
    found = await nested_pages(
        ctx.loaders,
        ("Project.tags", args),
        [root.id for root in roots],
        partial(tags.pages_per_project, ctx.db, viewer.id, args),
        partial(tags.counts_per_project, ctx.db, viewer.id),
    )
    return [connection(page, TagNode._make, count) for page, count in found]


def owner(root: strawberry.Parent[ProjectNode], info: Info) -> Awaitable[UserNode | None]:
    """`Project.owner` of one project (`owner_batch`)."""
    return then(owner_batch([root], info), single)


async def members(
    root: strawberry.Parent[ProjectNode],
    info: Info,
    first: int | None = None,
    after: str | None = None,
) -> Connection[UserNode]:
    """`Project.members` of one project (`members_batch`)."""
    return (await members_batch([root], info, first, after))[0]


async def project_tasks(
    root: strawberry.Parent[ProjectNode],
    info: Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    filter: FilterArg = None,
    order_by: OrderArg = None,
) -> Connection[TaskNode]:
    """`Project.tasks` of one project (`tasks_batch`)."""
    return (await tasks_batch([root], info, first, after, last, before, filter, order_by))[0]


async def project_tags(
    root: strawberry.Parent[ProjectNode],
    info: Info,
    first: int | None = None,
    after: str | None = None,
) -> Connection[TagNode]:
    """`Project.tags` of one project (`tags_batch`)."""
    return (await tags_batch([root], info, first, after))[0]


def _project_pk(project_id: str) -> int | None:
    return decode_id(project_id, "Project")


async def create_project(
    info: Info, input: Annotated["CreateProjectInput", strawberry.lazy("app.schema.project")]
) -> ProjectNode:
    """`Mutation.createProject`: a shared project owned by the viewer."""
    ctx = info.context
    viewer = ctx.require_viewer()
    values = rules.checked({"name": input.name, "description": input.description}, rules.PROJECT)
    return ProjectNode._make(await projects.create(ctx.db, viewer.id, **values))


async def update_project(
    info: Info,
    id: strawberry.ID,
    input: Annotated["UpdateProjectInput", strawberry.lazy("app.schema.project")],
) -> ProjectNode:
    """`Mutation.updateProject` (`OWNER`): the fields given change."""
    ctx = info.context
    viewer = ctx.require_viewer()
    values = rules.checked(given(input), rules.PROJECT)
    return ProjectNode._make(
        await projects.update_project(ctx.db, viewer.id, _project_pk(id), values)
    )


async def delete_project(info: Info, id: strawberry.ID) -> strawberry.ID:
    """`Mutation.deleteProject` (`OWNER`, not a personal project): its id."""
    ctx = info.context
    viewer = ctx.require_viewer()
    pk = await projects.delete_project(ctx.db, viewer.id, _project_pk(id))
    return strawberry.ID(encode_id("Project", pk))


async def add_project_member(
    info: Info, project_id: strawberry.ID, email: str, role: ProjectRole = ProjectRole.MEMBER
) -> ProjectNode:
    """`Mutation.addProjectMember` (`OWNER`): add the user registered with `email`."""
    ctx = info.context
    viewer = ctx.require_viewer()
    row = await projects.add_member(ctx.db, viewer.id, _project_pk(project_id), email, role)
    return ProjectNode._make(row)


async def update_project_member(
    info: Info, project_id: strawberry.ID, user_id: strawberry.ID, role: ProjectRole
) -> ProjectNode:
    """`Mutation.updateProjectMember` (`OWNER`): give a member another role."""
    ctx = info.context
    viewer = ctx.require_viewer()
    row = await projects.update_member(
        ctx.db, viewer.id, _project_pk(project_id), decode_id(user_id, "User"), role
    )
    return ProjectNode._make(row)


async def remove_project_member(
    info: Info, project_id: strawberry.ID, user_id: strawberry.ID
) -> ProjectNode:
    """`Mutation.removeProjectMember`: an `OWNER` removes anyone, a member themself."""
    ctx = info.context
    viewer = ctx.require_viewer()
    row = await projects.remove_member(
        ctx.db, viewer.id, _project_pk(project_id), decode_id(user_id, "User")
    )
    return ProjectNode._make(row)
