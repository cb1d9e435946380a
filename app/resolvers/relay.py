"""Relay connections (Cursor Connections spec) as the schema's `Connection` reads them."""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from functools import partial
from typing import Any, Generic, NamedTuple, TypeVar

import strawberry

from app.db.pagination import Page
from app.loaders import Loaders

R = TypeVar("R")
N = TypeVar("N")
Count = Callable[[], Awaitable[int]]


class Edge(NamedTuple, Generic[N]):
    cursor: str
    node: N


def plain_edge(cursor: str, node: N, _item: object) -> Edge[N]:
    """The edge of `node` at `cursor` (an `EdgeOf`)."""
    return Edge(cursor, node)


EdgeOf = Callable[[str, Any, Any], Any]
"""Makes an edge of a connection from a cursor, its node and the page's item."""


class Connection(Generic[N]):
    """A page: `nodes`, `edges` of the same items (made, with their cursors, only when a
    client selects them, by `edge_of`), `page_info` (the `Page`: its `has_next_page`,
    `has_previous_page`, `start_cursor`, `end_cursor`), and `count_all`, run only when a
    client selects `totalCount`."""

    __slots__ = ("_edge_of", "_edges", "count_all", "nodes", "page_info")

    def __init__(
        self, nodes: list[N], page: Page[Any], count_all: Count, edge_of: EdgeOf = plain_edge
    ) -> None:
        self.nodes = nodes
        self.page_info = page
        self.count_all = count_all
        self._edge_of = edge_of
        self._edges: list[Any] | None = None

    @property
    def edges(self) -> list[Any]:
        """The items with their cursors, in order."""
        if self._edges is None:
            page = self.page_info
            self._edges = [
                self._edge_of(cursor, node, item)
                for cursor, node, item in zip(page.cursors, self.nodes, page.items, strict=True)
            ]
        return self._edges


def connection(page: Page[R], node: Callable[[R], N], count: Count) -> Connection[N]:
    """The connection of `page`, each item made a node by `node`."""
    return Connection([node(item) for item in page.items], page, count)


async def nested_pages(
    loaders: Loaders,
    key: Hashable,
    parent_ids: list[int],
    pages: Callable[[list[int]], Coroutine[Any, Any, list[Page[R]]]],
    counts: Callable[[list[int]], Coroutine[Any, Any, list[int]]],
) -> list[tuple[Page[R], Count]]:
    """Each parent's page of a nested list and the count of its items, batched with every
    parent whose list has the same `key` (its name and arguments): `pages` and `counts`
    load them for a list of parent ids, the count only when it is asked for."""
    found = await loaders.batch(key, pages).load_many(parent_ids)
    counter = loaders.batch(("count", key), counts)
    return [
        (page, partial(counter.load, parent_id))
        for page, parent_id in zip(found, parent_ids, strict=True)
    ]


async def total_count(root: strawberry.Parent[Connection[Any]]) -> int:
    """`totalCount` of one connection: the number of items across all pages."""
    return await root.count_all()


def total_count_batch(roots: list[Connection[Any]], _info: object) -> Awaitable[list[int]]:
    """`totalCount` of the connections of one level (their counts are batched too)."""
    return asyncio.gather(*(root.count_all() for root in roots))
