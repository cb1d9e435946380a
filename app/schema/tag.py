"""Tag: its GraphQL type, connection and inputs."""

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from app.resolvers import tags
from app.resolvers.nodes import TagNode
from app.schema.common import Connection, Node
from app.schema.execution import batched
from app.schema.task import TaskConnection

if TYPE_CHECKING:
    from app.schema.project import Project


@strawberry.type(description="A label for tasks, unique per project ignoring case.")
class Tag(Node):
    name: str = strawberry.field(description="1-50 characters.")
    color: str | None = strawberry.field(description="#RRGGBB, or null.")
    project = strawberry.field(
        graphql_type=Annotated["Project", strawberry.lazy("app.schema.project")],
        resolver=tags.project,
        metadata=batched(tags.project_batch),
        description="The project the tag belongs to.",
    )
    tasks = strawberry.field(
        graphql_type=TaskConnection,
        resolver=tags.tag_tasks,
        metadata=batched(tags.tasks_batch),
        description="Tasks carrying this tag.",
    )

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, TagNode)


TagConnection = Connection[Tag]


@strawberry.input(description="A new tag.")
class CreateTagInput:
    project_id: strawberry.ID = strawberry.field(description="The project it labels tasks of.")
    name: str = strawberry.field(
        description="1-50 characters, unique in the project ignoring case."
    )
    color: str | None = strawberry.field(default=None, description="#RRGGBB, or null.")


@strawberry.input(description="Changes to a tag; omitted fields stay as they are.")
class UpdateTagInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="1-50 characters.")
    color: str | None = strawberry.field(
        default=strawberry.UNSET, description="#RRGGBB; null removes the colour."
    )
