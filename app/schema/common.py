"""Scalars, Relay global ids and the typed `Info` shared by every schema module."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic, TypeAlias, TypeVar

import strawberry
from graphql.pyutils import Path

from app.context import Context
from app.db.pagination import Page

Info: TypeAlias = strawberry.Info[Context, None]
NodeT = TypeVar("NodeT")
A = TypeVar("A")
B = TypeVar("B")


async def then(value: Awaitable[A], function: Callable[[A], B]) -> B:
    """`function` applied to what `value` (e.g. a dataloader's future) resolves to.

    Relation fields are plain functions that return this instead of `async def`
    resolvers: Strawberry then skips its coroutine wrapper, and each field awaits
    one coroutine instead of a chain of them (bench/README.md, "Where the time goes").
    """
    return function(await value)


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
    id: strawberry.ID = strawberry.field(description="Opaque global id of the object.")


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

    @classmethod
    def of(cls, page: Page[Any]) -> "PageInfo":
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )


@strawberry.type(description="An item of a connection with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Opaque cursor for `after`/`before`.")
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(description="A page of items (Relay Cursor Connections).")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="Items with their cursors.")
    nodes: list[NodeT] = strawberry.field(description="The items, without cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Number of items across all pages (counted only when asked).")
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def of(cls, page: Page[NodeT], count: Callable[[], Awaitable[int]]) -> "Connection[NodeT]":
        return cls(
            edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, page.items, strict=True)],
            nodes=page.items,
            page_info=PageInfo.of(page),
            count=count,
        )


def field_key(info: Info) -> tuple[str, ...]:
    """Identifies one connection field of the query: its response path without list
    indices, each step with the type it was selected on (`Project.tasks`).

    Parents reached the same way share arguments, so they share one batched loader.
    Parents of different types may meet at one path (`nodes(ids:)` with
    `... on Project { tasks }` and `... on Tag { tasks }`); their fields, and the
    fields below them, may differ, so the types are part of the key.
    """
    steps: list[str] = []
    path: Path | None = info.path
    while path is not None:
        if isinstance(path.key, str):
            steps.append(f"{path.typename}.{path.key}")
        path = path.prev
    return tuple(reversed(steps))


def given(input_object: object) -> dict[str, Any]:
    """The fields of an input the client gave (omitted ones are `UNSET`), by Python name.

    An explicit null is kept as None, so it can clear a field.
    """
    return {k: v for k, v in vars(input_object).items() if v is not strawberry.UNSET}
