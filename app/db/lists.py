"""Reading lists through the request's `Database`: one page, a page per parent, counts.

A root list (`Query.tasks`) costs one statement for its page and one `COUNT`,
run only when asked. A nested list (`Project.tasks`) costs one statement for the
pages of every parent together (`paginate_per_parent`) and one grouped `COUNT`,
whatever the number of parents and the page sizes.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, Row, func, select
from sqlalchemy.sql import Select

from app.db.database import Database
from app.db.id_lists import among
from app.db.pagination import (
    PARENT_IDS,
    Ordering,
    Page,
    PageArgs,
    page_of,
    paginate,
    paginate_per_parent,
)

T = TypeVar("T")
R = TypeVar("R", bound=NamedTuple)


def typed(row_type: type[R], row: Sequence[Any]) -> R:
    """The typed row of the first `len(row_type._fields)` columns of `row` (those after
    them, such as sort keys or a parent id, are left out)."""
    return row_type._make(row[: len(row_type._fields)])


def by_id(
    rows: Sequence[Row[Any]], ids: list[int], build: Callable[[Row[Any]], T]
) -> list[T | None]:
    """For each of `ids`, the row with that `id` made by `build`, or None (a batch read's
    answer, in the order of the ids asked for)."""
    found = {row.id: build(row) for row in rows}
    return [found.get(i) for i in ids]


def group(rows: Sequence[Row[Any]], key: str) -> dict[Any, list[Row[Any]]]:
    """`rows` by the value of their column `key`, each group in the rows' order."""
    grouped: dict[Any, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        grouped[row._mapping[key]].append(row)
    return grouped


async def page(
    db: Database,
    statement: Select[Any],
    ordering: Ordering,
    args: PageArgs,
    build: Callable[[Row[Any]], T],
) -> Page[T]:
    """The page `args` of the rows of `statement` in `ordering`, each made by `build`."""
    rows = await db.read(paginate(statement, ordering, args))
    return page_of(rows, args, ordering, build)


async def count(db: Database, statement: Select[Any]) -> int:
    """The number of rows of `statement`."""
    total = await db.read_scalar(select(func.count()).select_from(statement.subquery()))
    return int(total)


async def pages_per_parent(
    db: Database,
    statement: Select[Any],
    parent: ColumnElement[Any],
    parent_ids: list[int],
    ordering: Ordering,
    args: PageArgs,
    build: Callable[[Row[Any]], T],
) -> list[Page[T]]:
    """The page `args` of each parent in `parent_ids`, in one statement.

    `statement` selects the rows of every parent, including the `parent` column.
    """
    query = paginate_per_parent(
        statement, parent, ordering, args, lateral=db.dialect == "postgresql"
    )
    assert parent.key is not None
    grouped = group(await db.read(query, {PARENT_IDS: parent_ids}), parent.key)
    return [page_of(grouped.get(i, []), args, ordering, build) for i in parent_ids]


async def counts_per_parent(
    db: Database, statement: Select[Any], parent: ColumnElement[Any], parent_ids: list[int]
) -> list[int]:
    """The number of rows of `statement` of each parent in `parent_ids`, in one statement."""
    counted = (
        statement.where(among(parent, PARENT_IDS))
        .with_only_columns(parent.label("parent_id"), func.count().label("total"))
        .group_by(parent)
    )
    rows = await db.read(counted, {PARENT_IDS: parent_ids})
    found = {row.parent_id: row.total for row in rows}
    return [found.get(i, 0) for i in parent_ids]
