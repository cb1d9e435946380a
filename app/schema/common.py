"""Scalars, the `Node` interface and the generic Relay connection types.

The types are views: Strawberry reads their plain fields from the objects the
resolvers return (`app.resolvers.nodes`, `app.resolvers.relay`), never instances
of these classes.
"""

from datetime import UTC, datetime
from enum import Enum
from typing import Generic, TypeVar

import strawberry

from app.resolvers import relay
from app.schema.execution import batched

NodeT = TypeVar("NodeT")


def _serialize_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        msg = "DateTime needs a time zone, e.g. 2026-11-20T10:00:00Z"
        raise ValueError(msg)
    return parsed.astimezone(UTC)


DateTime = strawberry.scalar(
    name="DateTime",
    description='ISO-8601 date and time in UTC, e.g. "2026-11-20T10:00:00Z".',
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
)


@strawberry.interface(
    description="An object with a Relay global id (Global Object Identification)."
)
class Node:
    node_id: strawberry.ID = strawberry.field(
        name="id", description="Opaque global id of the object."
    )


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.type(description="Where a page of a Relay connection stands.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item.")


@strawberry.type(description="An item of a connection with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Opaque cursor for `after`/`before`.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A page of items (Relay Cursor Connections).")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="Items with their cursors.")
    nodes: list[NodeT] = strawberry.field(description="The items, without cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count = strawberry.field(
        graphql_type=int,
        resolver=relay.total_count,
        metadata=batched(relay.total_count_batch),
        description="Number of items across all pages (counted only when asked).",
    )
