"""`column IN <list parameter>`, written the way each database runs it best.

Dataloaders and nested connections look rows up by a list of ids whose length
changes from request to request. SQLAlchemy's expanding `IN` renders one
placeholder per value at every execution, so each list length is new SQL: it
is rendered again, and asyncpg prepares it again. On PostgreSQL the list is
one array parameter instead (`= ANY($1::BIGINT[])`): one SQL text, prepared
once per connection, whatever the length. SQLite has no arrays and keeps the
expanding `IN`.
"""

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType
from sqlalchemy.types import Boolean

IDS = "ids"  # the list parameter of the statements that read rows by id


class Among(ColumnElement[bool]):
    """`column` is one of the ids in the list parameter `name` (see the module docstring)."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a condition: no `= 1` where booleans are integers
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012 - SQLAlchemy's own declaration
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name


def among(column: ColumnElement[Any], name: str) -> Among:
    """A condition true when the integer `column` is in the list given as parameter `name`.

    Run the statement with `{name: [id, ...]}`; an empty list matches nothing.
    """
    return Among(column, name)


@compiles(Among)
def _expanding_in(element: Among, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(Among, "postgresql")
def _any_array(element: Among, compiler: SQLCompiler, **kw: Any) -> str:
    ids = bindparam(element.name, type_=ARRAY(BigInteger))
    return compiler.process(element.column == any_(ids), **kw)
