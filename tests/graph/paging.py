"""Walking Relay connections page by page and checking every page exactly.

`expected` is the whole list of node ids in order, computed independently of
the server; a walk asserts each page's ids, `nodes`, edge cursors, `pageInfo`
and `totalCount`, and that the pages put together are exactly `expected`.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from app.ids import encode_id

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
CONNECTION = f"totalCount edges {{ cursor node {{ id }} }} nodes {{ id }} {PAGE_INFO}"
MEMBER_CONNECTION = f"totalCount edges {{ cursor role addedAt node {{ id }} }} {PAGE_INFO}"

Fetch = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
"""Given paging variables (`first`/`after` or `last`/`before`), the connection object."""


def check_page(
    connection: dict[str, Any],
    expected: list[str],
    *,
    has_next: bool,
    has_previous: bool,
    total: int | None,
) -> None:
    """One page: its ids in order, `nodes` equal to `edges.node`, exact `pageInfo`."""
    edges = connection["edges"]
    assert [edge["node"]["id"] for edge in edges] == expected
    if "nodes" in connection:
        assert connection["nodes"] == [edge["node"] for edge in edges]
    cursors = [edge["cursor"] for edge in edges]
    assert len(set(cursors)) == len(cursors)
    assert connection["pageInfo"] == {
        "hasNextPage": has_next,
        "hasPreviousPage": has_previous,
        "startCursor": cursors[0] if cursors else None,
        "endCursor": cursors[-1] if cursors else None,
    }
    if total is not None:
        assert connection["totalCount"] == total


async def walk_forward(fetch: Fetch, expected: list[str], size: int) -> list[str]:
    """`first: size` then `after: endCursor` until the end; returns the end cursors."""
    cursor: str | None = None
    seen = 0
    end_cursors: list[str] = []
    while True:
        connection = await fetch({"first": size, "after": cursor})
        chunk = expected[seen : seen + size]
        seen += len(chunk)
        check_page(
            connection,
            chunk,
            has_next=seen < len(expected),
            has_previous=cursor is not None,
            total=len(expected),
        )
        if not connection["pageInfo"]["hasNextPage"]:
            break
        cursor = connection["pageInfo"]["endCursor"]
        assert cursor is not None
        end_cursors.append(cursor)
    assert seen == len(expected)
    return end_cursors


async def walk_backward(fetch: Fetch, expected: list[str], size: int) -> None:
    """`last: size` then `before: startCursor` until the start."""
    cursor: str | None = None
    end = len(expected)
    while True:
        connection = await fetch({"last": size, "before": cursor})
        start = max(0, end - size)
        check_page(
            connection,
            expected[start:end],
            has_next=cursor is not None,
            has_previous=start > 0,
            total=len(expected),
        )
        end = start
        if not connection["pageInfo"]["hasPreviousPage"]:
            break
        cursor = connection["pageInfo"]["startCursor"]
        assert cursor is not None
    assert end == 0


def ordered(rows: list[dict[str, Any]], key: str, *, descending: bool, type_name: str) -> list[str]:
    """Global ids of `rows` by `row[key]` then `row["id"]`, both in one direction,
    NULL keys last in either direction (API.md order semantics)."""
    present = [row for row in rows if row[key] is not None]
    missing = [row for row in rows if row[key] is None]
    present.sort(key=lambda row: (row[key], row["id"]), reverse=descending)
    missing.sort(key=lambda row: row["id"], reverse=descending)
    return [encode_id(type_name, row["id"]) for row in present + missing]
