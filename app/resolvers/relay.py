"""Relay connections (Cursor Connections spec) as the schema's `Connection` reads them."""

from collections.abc import Awaitable, Callable
from typing import Any, Generic, NamedTuple, TypeVar

import strawberry

from app.db.pagination import Page
from app.resolvers.nodes import MemberEdge

R = TypeVar("R")
N = TypeVar("N")
Count = Callable[[], Awaitable[int]]


class Edge(NamedTuple, Generic[N]):
    cursor: str
    node: N


class Connection(NamedTuple, Generic[N]):
    """A page: `edges` and `nodes` of the same items, `page_info` (the `Page`: its
    `has_next_page`, `has_previous_page`, `start_cursor`, `end_cursor`), and `count_all`,
    run only when a client selects `totalCount`."""

    edges: list[Edge[N]] | list[MemberEdge]
    nodes: list[N]
    page_info: Page[Any]
    count_all: Count


def connection(page: Page[R], node: Callable[[R], N], count: Count) -> Connection[N]:
    """The connection of `page`, each item made a node by `node`."""
    nodes = [node(item) for item in page.items]
    edges = [Edge(cursor, n) for cursor, n in zip(page.cursors, nodes, strict=True)]
    return Connection(edges, nodes, page, count)


async def total_count(root: strawberry.Parent[Connection[Any]]) -> int:
    """`totalCount`: the number of items across all pages."""
    return await root.count_all()
