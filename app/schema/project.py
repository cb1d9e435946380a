"""Project: its GraphQL type, role and order enums, inputs, member edges and connections."""

from collections.abc import Awaitable
from datetime import datetime
from enum import Enum
from typing import Any, Self

import strawberry
from sqlalchemy import Row

from app import enums
from app.db.pagination import Ordering, PageArgs
from app.ids import decode_id, encode_id
from app.resolvers import connections
from app.resolvers import projects as project_mutations
from app.schema.common import (
    Connection,
    Info,
    Node,
    OrderDirection,
    PageInfo,
    field_key,
    given,
    then,
)
from app.schema.tag import Tag, TagConnection
from app.schema.task import Task, TaskConnection, TaskFilter, TaskOrder, filter_spec, ordering
from app.schema.user import User

# Registers the domain enum as a GraphQL enum (same class, so it annotates fields).
strawberry.enum(enums.ProjectRole, description="A member's role in a project.")
ProjectRole = enums.ProjectRole


@strawberry.enum(description="Fields projects can be ordered by; the id breaks ties.")
class ProjectOrderField(Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    NAME = "NAME"


@strawberry.input(description="Order of a project list; default CREATED_AT DESC.")
class ProjectOrder:
    field: ProjectOrderField = strawberry.field(description="What to order by.")
    direction: OrderDirection = strawberry.field(description="Ascending or descending.")


def project_ordering(order: ProjectOrder | None) -> Ordering:
    """The keyset ordering for a `ProjectOrder` argument (default newest first)."""
    if order is None:
        return connections.project_ordering()
    return connections.project_ordering(order.field.value, order.direction.value)


@strawberry.input(description="Conditions a project must all meet.")
class ProjectFilter:
    search: str | None = strawberry.field(
        default=None,
        description="Substring of name or description, ignoring case in every script; "
        "at most 200 characters.",
    )
    role: ProjectRole | None = strawberry.field(
        default=None, description="Projects where the viewer has this role."
    )


@strawberry.type(description="A member of a project, with their role.")
class ProjectMemberEdge:
    cursor: str = strawberry.field(description="Opaque cursor for `after`.")
    node: User = strawberry.field(description="The member.")
    role: ProjectRole = strawberry.field(description="The member's role.")
    added_at: datetime = strawberry.field(description="When they joined the project.")


@strawberry.type(description="A page of a project's members, in the order they joined.")
class ProjectMemberConnection:
    edges: list[ProjectMemberEdge] = strawberry.field(description="Members with cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    count: strawberry.Private[connections.Count]

    @strawberry.field(description="Number of members (counted only when asked).")
    async def total_count(self) -> int:
        return await self.count()


def _member_edge(row: Row[Any]) -> tuple[Row[Any], User]:
    return row, User.from_row(row)


@strawberry.type(description="A set of tasks and tags shared by its members.")
class Project(Node):
    pk: strawberry.Private[int]
    name: str = strawberry.field(description="1-100 characters.")
    description: str | None = strawberry.field(description="At most 2,000 characters.")
    is_personal: bool = strawberry.field(
        description="The user's own project from signup: cannot be deleted or shared."
    )
    viewer_role: ProjectRole = strawberry.field(description="The viewer's role here.")
    created_at: datetime = strawberry.field(description="When the project was created.")
    updated_at: datetime = strawberry.field(description="When the project last changed.")

    @classmethod
    def from_row(cls, row: Row[Any]) -> Self:
        """From a `projects` row that carries the viewer's `role` (see `access.visible`)."""
        return cls(
            id=strawberry.ID(encode_id("Project", row.id)),
            pk=row.id,
            name=row.name,
            description=row.description,
            is_personal=row.is_personal,
            viewer_role=enums.ProjectRole(row.role),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    def from_optional_row(cls, row: Row[Any] | None) -> Self | None:
        """`from_row`, or None for no row (what a dataloader gives for a missing id)."""
        return None if row is None else cls.from_row(row)

    @strawberry.field(description="The project's first owner.", graphql_type=User)
    def owner(self, info: Info) -> Awaitable[User | None]:
        # Never None: a project always keeps an owner.
        owner = info.context.known_loaders().owners.load(self.pk)
        return then(owner, User.from_optional_row)

    @strawberry.field(description="Members, in the order they joined.")
    async def members(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> ProjectMemberConnection:
        page, count = await connections.project_members(
            info.context,
            key=field_key(info),
            project_id=self.pk,
            args=PageArgs.parse(first=first, after=after),
            build=_member_edge,
        )
        edges = [
            ProjectMemberEdge(
                cursor=cursor,
                node=user,
                role=enums.ProjectRole(row.member_role),
                added_at=row.added_at,
            )
            for cursor, (row, user) in zip(page.cursors, page.items, strict=True)
        ]
        return ProjectMemberConnection(edges=edges, page_info=PageInfo.of(page), count=count)

    @strawberry.field(description="Tasks of the project.")
    async def tasks(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: TaskFilter | None = None,
        order_by: TaskOrder | None = None,
    ) -> TaskConnection:
        page, count = await connections.project_tasks(
            info.context,
            key=field_key(info),
            project_id=self.pk,
            args=PageArgs.parse(first, after, last, before),
            spec=filter_spec(filter),
            ordering=ordering(order_by),
            build=Task.from_row,
        )
        return Connection.of(page, count)

    @strawberry.field(description="Tags of the project, by name.")
    async def tags(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> TagConnection:
        page, count = await connections.project_tags(
            info.context,
            key=field_key(info),
            project_id=self.pk,
            args=PageArgs.parse(first=first, after=after),
            build=Tag.from_row,
        )
        return Connection.of(page, count)


ProjectConnection = Connection[Project]


def project_of(info: Info, project_pk: int) -> Awaitable[Project | None]:
    """The project of a visible task or tag, through the request's dataloader.

    Never None in practice: what the viewer can see is in a project they belong to.
    """
    return then(info.context.known_loaders().projects.load(project_pk), Project.from_optional_row)


async def projects(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    filter: ProjectFilter | None = None,
    order_by: ProjectOrder | None = None,
) -> ProjectConnection:
    page, count = await connections.project_list(
        info.context,
        args=PageArgs.parse(first, after, last, before),
        search=None if filter is None else filter.search,
        role=None if filter is None else filter.role,
        ordering=project_ordering(order_by),
        build=Project.from_row,
    )
    return Connection.of(page, count)


@strawberry.input(description="A new shared project.")
class CreateProjectInput:
    name: str = strawberry.field(description="1-100 characters after trimming.")
    description: str | None = strawberry.field(
        default=None, description="At most 2,000 characters."
    )


@strawberry.input(description="Changes to a project; omitted fields stay as they are.")
class UpdateProjectInput:
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="1-100 characters after trimming."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="At most 2,000 characters; null clears it."
    )


def _project_pk(project_id: str) -> int | None:
    return decode_id(project_id, "Project")


def _user_pk(user_id: str) -> int | None:
    return decode_id(user_id, "User")


async def create_project(info: Info, input: CreateProjectInput) -> Project:
    row = await project_mutations.create_project(
        info.context, name=input.name, description=input.description
    )
    return Project.from_row(row)


async def update_project(info: Info, id: strawberry.ID, input: UpdateProjectInput) -> Project:
    row = await project_mutations.update_project(
        info.context, project_id=_project_pk(id), changes=given(input)
    )
    return Project.from_row(row)


async def delete_project(info: Info, id: strawberry.ID) -> strawberry.ID:
    pk = await project_mutations.delete_project(info.context, project_id=_project_pk(id))
    return strawberry.ID(encode_id("Project", pk))


async def add_project_member(
    info: Info, project_id: strawberry.ID, email: str, role: ProjectRole = ProjectRole.MEMBER
) -> Project:
    row = await project_mutations.add_member(
        info.context, project_id=_project_pk(project_id), email=email, role=role
    )
    return Project.from_row(row)


async def update_project_member(
    info: Info, project_id: strawberry.ID, user_id: strawberry.ID, role: ProjectRole
) -> Project:
    row = await project_mutations.update_member(
        info.context, project_id=_project_pk(project_id), user_id=_user_pk(user_id), role=role
    )
    return Project.from_row(row)


async def remove_project_member(
    info: Info, project_id: strawberry.ID, user_id: strawberry.ID
) -> Project:
    row = await project_mutations.remove_member(
        info.context, project_id=_project_pk(project_id), user_id=_user_pk(user_id)
    )
    return Project.from_row(row)
