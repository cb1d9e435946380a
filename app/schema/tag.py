"""Tag: its GraphQL type and connection."""

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from sqlalchemy import Row

from app.db.pagination import PageArgs
from app.ids import decode_id, encode_id
from app.resolvers import connections
from app.resolvers import tags as tag_mutations
from app.schema.common import Connection, Info, Node, field_key, given
from app.schema.task import Task, TaskConnection, TaskFilter, TaskOrder, filter_spec, ordering

if TYPE_CHECKING:
    from app.schema.project import Project


@strawberry.type(description="A label for tasks, unique per project ignoring case.")
class Tag(Node):
    pk: strawberry.Private[int]
    project_pk: strawberry.Private[int]
    name: str = strawberry.field(description="1-50 characters.")
    color: str | None = strawberry.field(description="#RRGGBB, or null.")

    @classmethod
    def from_row(cls, row: Row[Any]) -> Self:
        return cls(
            id=strawberry.ID(encode_id("Tag", row.id)),
            pk=row.id,
            project_pk=row.project_id,
            name=row.name,
            color=row.color,
        )

    @classmethod
    def from_rows(cls, rows: list[Row[Any]]) -> list[Self]:
        return [cls.from_row(row) for row in rows]

    @strawberry.field(
        description="The project the tag belongs to.",
        graphql_type=Annotated["Project", strawberry.lazy("app.schema.project")],
    )
    def project(self, info: Info) -> Awaitable["Project | None"]:
        from app.schema.project import project_of

        return project_of(info, self.project_pk)

    @strawberry.field(description="Tasks carrying this tag.")
    async def tasks(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: TaskFilter | None = None,
        order_by: TaskOrder | None = None,
    ) -> TaskConnection:
        page, count = await connections.tag_tasks(
            info.context,
            key=field_key(info),
            tag_id=self.pk,
            args=PageArgs.parse(first=first, after=after),
            spec=filter_spec(filter),
            ordering=ordering(order_by),
            build=Task.from_row,
        )
        return Connection.of(page, count)


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


def _tag_pk(tag_id: str) -> int | None:
    return decode_id(tag_id, "Tag")


async def create_tag(info: Info, input: CreateTagInput) -> Tag:
    row = await tag_mutations.create_tag(
        info.context,
        project_id=decode_id(input.project_id, "Project"),
        name=input.name,
        color=input.color,
    )
    return Tag.from_row(row)


async def update_tag(info: Info, id: strawberry.ID, input: UpdateTagInput) -> Tag:
    row = await tag_mutations.update_tag(info.context, tag_id=_tag_pk(id), changes=given(input))
    return Tag.from_row(row)


async def delete_tag(info: Info, id: strawberry.ID) -> strawberry.ID:
    pk = await tag_mutations.delete_tag(info.context, tag_id=_tag_pk(id))
    return strawberry.ID(encode_id("Tag", pk))
