"""Keyset (seek) pagination for Relay connections, over any order key with the id as tie-breaker.

A page is asked for with `first`/`after` or `last`/`before` (Relay Cursor
Connections spec). The cursor holds the order key of a row and its id, so a
page starts right after that row whatever was inserted or deleted elsewhere,
and page 1,000 costs what page 1 costs; it also names its order, so a cursor
of another list or order is refused. Nullable keys sort last in both
directions. One more row than asked is fetched to tell whether more follow.

The same ordering and seek condition serve a plain list (`ORDER BY ... LIMIT`)
and a batch of lists, one per parent (`paginate_per_parent`).
"""

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    and_,
    bindparam,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import Select

from app.db.collation import SORT_KEY_BYTES
from app.db.id_lists import among
from app.errors import BadUserInput

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
PARENT_IDS = "parent_ids"  # the list parameter of `paginate_per_parent`

BIGINT = (-(2**63), 2**63 - 1)  # PostgreSQL BIGINT and SQLite INTEGER alike
Kind = Literal["int", "bytes", "datetime", "date"]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageArgs:
    """Validated paging arguments: `size` rows after `after` or before `before`.

    `backward` is True for `last`/`before`.
    """

    size: int
    cursor: str | None
    backward: bool

    @classmethod
    def parse(
        cls,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> "PageArgs":
        """Check Relay arguments; raises `BadUserInput` naming the bad argument.

        `first`/`last` must be 0-100 (default `first: 20`); `first` with
        `last` is refused, as is `after` with `before`, and a cursor going the
        other way than the count (`first` with `before`, `last` with `after`),
        which would otherwise be ignored.
        """
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
                raise BadUserInput(name, f"{name} must be between 0 and {MAX_PAGE_SIZE}")
        if first is not None and last is not None:
            raise BadUserInput("last", "pass either first or last, not both")
        if after is not None and before is not None:
            raise BadUserInput("before", "pass either after or before, not both")
        if first is not None and before is not None:
            raise BadUserInput("before", "before goes with last; first goes with after")
        if last is not None and after is not None:
            raise BadUserInput("after", "after goes with first; last goes with before")
        if last is not None or (before is not None and first is None):
            return cls(
                size=DEFAULT_PAGE_SIZE if last is None else last, cursor=before, backward=True
            )
        return cls(size=DEFAULT_PAGE_SIZE if first is None else first, cursor=after, backward=False)

    @property
    def cursor_argument(self) -> str:
        return "before" if self.backward else "after"


@dataclass(frozen=True, slots=True)
class SortKey:
    """One part of an order key: a column, how its values travel in cursors, and nullability.

    `bounds` are the values an `int` column can hold; a cursor outside them is refused.
    `bytes` keys (collation keys, `app/db/collation.py`) travel as hex.
    """

    column: ColumnElement[Any]
    kind: Kind
    nullable: bool = False
    bounds: tuple[int, int] = BIGINT


def id_key(column: ColumnElement[int]) -> SortKey:
    """The tie-breaking last key of an order: a row id, positive BIGINT."""
    return SortKey(column, "int", bounds=(1, BIGINT[1]))


@dataclass(frozen=True, slots=True)
class Ordering:
    """An order: `keys` (the last one unique, e.g. the id) in one `direction`.

    `name` identifies the list and order (e.g. `"Task:CREATED_AT:DESC"`); cursors
    carry it, so a cursor of another order is refused instead of misread.
    """

    name: str
    keys: tuple[SortKey, ...]
    descending: bool

    def order_by(self, *, reverse: bool = False) -> list[ColumnElement[Any]]:
        """ORDER BY terms; nullable keys put NULLs last (first when `reverse`)."""
        descending = self.descending != reverse
        terms: list[ColumnElement[Any]] = []
        for key in self.keys:
            if key.nullable:
                is_null = key.column.is_(None)
                terms.append(is_null.desc() if reverse else is_null.asc())
            terms.append(key.column.desc() if descending else key.column.asc())
        return terms

    def seek(self, cursor: str, *, argument: str, reverse: bool = False) -> ColumnElement[bool]:
        """Rows strictly after the cursor's row in this order (before it when `reverse`)."""
        values = decode_cursor(cursor, self, argument=argument)
        descending = self.descending != reverse
        condition: ColumnElement[bool] = false()
        for key, value in reversed(list(zip(self.keys, values, strict=True))):
            condition = self._after(key, value, descending, reverse, condition)
        return condition

    @staticmethod
    def _after(
        key: SortKey,
        value: Any,
        descending: bool,
        reverse: bool,
        rest: ColumnElement[bool],
    ) -> ColumnElement[bool]:
        """`key` past `value`, or equal to it and `rest`; NULLs sort last (first if `reverse`)."""
        column = key.column
        if value is None:
            # Among NULLs only the later keys decide; going forward nothing follows NULLs.
            tie = and_(column.is_(None), rest)
            return or_(tie, column.is_not(None)) if reverse else tie
        past = column < value if descending else column > value
        if key.nullable and not reverse:
            past = or_(past, column.is_(None))
        return or_(past, and_(column == value, rest))

    def cursor(self, values: Sequence[Any]) -> str:
        """The cursor of a row whose key values are `values` (in `keys` order)."""
        return encode_cursor(self, values)


def _encode_value(kind: Kind, value: Any) -> Any:
    if value is None or kind == "int":
        return value
    if kind == "bytes":
        assert isinstance(value, bytes)
        return value.hex()
    assert isinstance(value, date)
    return value.isoformat()


def _decode_value(key: SortKey, value: Any) -> Any:
    """The column value `value` stands for in a cursor; `ValueError` if no row can have it,
    or if it is not exactly what `_encode_value` writes for that value."""
    if value is None and key.nullable:
        return None
    if key.kind == "int" and type(value) is int:
        low, high = key.bounds
        if low <= value <= high:
            return value
        raise ValueError(value)
    if not isinstance(value, str):
        raise ValueError(value)
    decoded: Any
    if key.kind == "bytes" and len(value) <= 2 * SORT_KEY_BYTES:
        decoded = bytes.fromhex(value)
    elif key.kind == "datetime":
        decoded = datetime.fromisoformat(value)
        if decoded.tzinfo is None:
            raise ValueError(value)
        decoded = decoded.astimezone(UTC)  # OverflowError past years 1-9999 in UTC
    elif key.kind == "date":
        decoded = date.fromisoformat(value)
    else:
        raise ValueError(value)
    if _encode_value(key.kind, decoded) != value:
        raise ValueError(value)
    return decoded


def encode_cursor(ordering: Ordering, values: Sequence[Any]) -> str:
    """Opaque cursor: URL-safe base64 of the JSON list of the order's name and key values."""
    encoded = [_encode_value(k.kind, v) for k, v in zip(ordering.keys, values, strict=True)]
    raw = json.dumps([ordering.name, *encoded], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str, ordering: Ordering, *, argument: str) -> list[Any]:
    """Key values inside `cursor`; `BadUserInput(argument)` if it is not a cursor of this order.

    Refused: anything but URL-safe base64 of a JSON list of the order's name and one
    value per key (so cursors of another list or order too), and any value its column
    cannot hold (a non-integer or an id outside BIGINT, a priority outside 1-4, a
    datetime without time zone or outside years 1-9999 in UTC, a malformed date or
    collation key, a null in a non-null key). API.md "Limits": bad input, never a 500.
    """
    try:
        data = base64.b64decode(cursor.encode("ascii"), altchars=b"-_", validate=True)
        raw = json.loads(data.decode("utf-8"))
        if not isinstance(raw, list) or len(raw) != len(ordering.keys) + 1:
            raise ValueError(cursor)
        name, *keys = raw
        if name != ordering.name:
            raise ValueError(cursor)
        return [_decode_value(k, v) for k, v in zip(ordering.keys, keys, strict=True)]
    except (ValueError, OverflowError, RecursionError):
        raise BadUserInput(argument, f"{argument} is not a valid cursor for this order") from None


class Page(Generic[T]):
    """One page of a connection: `items` in the requested order, whether pages follow or
    precede it, and the items' cursors, encoded only when first asked for (a client that
    selects no cursor costs none)."""

    __slots__ = ("_cursors", "_keys", "_ordering", "has_next_page", "has_previous_page", "items")

    def __init__(
        self,
        items: list[T],
        keys: list[list[Any]],
        ordering: Ordering,
        *,
        has_next_page: bool,
        has_previous_page: bool,
    ) -> None:
        self.items = items
        self.has_next_page = has_next_page
        self.has_previous_page = has_previous_page
        self._keys = keys
        self._ordering = ordering
        self._cursors: list[str] | None = None

    @property
    def cursors(self) -> list[str]:
        """The cursor of each item, in order."""
        if self._cursors is None:
            self._cursors = [self._ordering.cursor(values) for values in self._keys]
        return self._cursors

    @property
    def start_cursor(self) -> str | None:
        """The cursor of the first item (None for an empty page)."""
        return self.cursors[0] if self.items else None

    @property
    def end_cursor(self) -> str | None:
        """The cursor of the last item (None for an empty page)."""
        return self.cursors[-1] if self.items else None


def page_of(
    rows: Sequence[Any], args: PageArgs, ordering: Ordering, build: Callable[[Any], T]
) -> Page[T]:
    """Turn up to `size + 1` rows fetched by `paginate` (or the window) into a page."""
    more = len(rows) > args.size
    rows = list(rows[: args.size])
    if args.backward:
        rows.reverse()
    columns = [k.column.key for k in ordering.keys]
    return Page(
        [build(row) for row in rows],
        [[row._mapping[column] for column in columns] for row in rows],
        ordering,
        has_next_page=(args.cursor is not None) if args.backward else more,
        has_previous_page=more if args.backward else (args.cursor is not None),
    )


def _after_cursor(statement: Select[Any], ordering: Ordering, args: PageArgs) -> Select[Any]:
    """`statement` without the rows up to the cursor (all rows when there is none)."""
    if args.cursor is None:
        return statement
    return statement.where(
        ordering.seek(args.cursor, argument=args.cursor_argument, reverse=args.backward)
    )


def paginate(statement: Select[Any], ordering: Ordering, args: PageArgs) -> Select[Any]:
    """`statement` narrowed to the page: seek past the cursor, order, `LIMIT size + 1`."""
    statement = _after_cursor(statement, ordering, args)
    return statement.order_by(*ordering.order_by(reverse=args.backward)).limit(args.size + 1)


def paginate_per_parent(
    statement: Select[Any],
    parent: ColumnElement[Any],
    ordering: Ordering,
    args: PageArgs,
    *,
    lateral: bool,
) -> Select[Any]:
    """One page per parent in a single statement, for the parent ids in parameter `parent_ids`.

    `statement` selects the rows of every parent, including the `parent` column.
    With `lateral` (PostgreSQL), `unnest(:parent_ids) JOIN LATERAL (... LIMIT size + 1)`
    reads each page in index order and stops after it. Without (SQLite has no
    LATERAL), `row_number() OVER (PARTITION BY parent ...)` ranks every row of
    the parents and keeps the first `size + 1` of each. The result keeps
    `statement`'s columns, ordered by parent then page order.
    """
    statement = _after_cursor(statement, ordering, args)
    order = ordering.order_by(reverse=args.backward)
    ranked: FromClause
    if lateral:
        parents = func.unnest(bindparam(PARENT_IDS, type_=ARRAY(BigInteger)))
        parent_id = parents.table_valued("id").render_derived()
        position = func.row_number().over(order_by=order).label("position")
        ranked = (
            statement.where(parent == parent_id.c.id)
            .add_columns(position)
            .order_by(*order)
            .limit(args.size + 1)
            .lateral()
        )
        paged = select(*_without_position(ranked)).select_from(parent_id).join(ranked, true())
    else:
        position = func.row_number().over(partition_by=parent, order_by=order).label("position")
        ranked = statement.where(among(parent, PARENT_IDS)).add_columns(position).subquery()
        paged = select(*_without_position(ranked)).where(
            ranked.c.position <= literal(args.size + 1)
        )
    assert parent.key is not None
    return paged.order_by(ranked.c[parent.key], ranked.c.position)


def _without_position(ranked: FromClause) -> list[ColumnElement[Any]]:
    return [c for c in ranked.c if c.key != "position"]
