"""Project: its GraphQL type, role and order enums, inputs, member edges and connections."""

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from app import enums
from app.resolvers import projects, relay
from app.resolvers.nodes import ProjectNode
from app.schema.common import Connection, Node, OrderDirection, PageInfo
from app.schema.execution import batched
from app.schema.tag import TagConnection
from app.schema.task import TaskConnection
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


@strawberry.input(name="ProjectFilter", description="Conditions a project must all meet.")
class ProjectFilterInput:
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
    total_count = strawberry.field(
        graphql_type=int,
        resolver=relay.total_count,
        metadata=batched(relay.total_count_batch),
        description="Number of members (counted only when asked).",
    )


@strawberry.type(description="A set of tasks and tags shared by its members.")
class Project(Node):
    name: str = strawberry.field(description="1-100 characters.")
    description: str | None = strawberry.field(description="At most 2,000 characters.")
    is_personal: bool = strawberry.field(
        description="The user's own project from signup: cannot be deleted or shared."
    )
    role: ProjectRole = strawberry.field(name="viewerRole", description="The viewer's role here.")
    created_at: datetime = strawberry.field(description="When the project was created.")
    updated_at: datetime = strawberry.field(description="When the project last changed.")
    owner = strawberry.field(
        graphql_type=User,
        resolver=projects.owner,
        metadata=batched(projects.owner_batch),
        description="The project's first owner.",
    )
    members = strawberry.field(
        graphql_type=ProjectMemberConnection,
        resolver=projects.members,
        metadata=batched(projects.members_batch),
        description="Members, in the order they joined.",
    )
    tasks = strawberry.field(
        graphql_type=TaskConnection,
        resolver=projects.project_tasks,
        metadata=batched(projects.tasks_batch),
        description="Tasks of the project.",
    )
    tags = strawberry.field(
        graphql_type=TagConnection,
        resolver=projects.project_tags,
        metadata=batched(projects.tags_batch),
        description="Tags of the project, by name.",
    )

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, ProjectNode)


ProjectConnection = Connection[Project]


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
