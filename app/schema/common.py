"""Scalars, Relay global ids and the typed `Info` shared by every schema module."""

from datetime import UTC, datetime
from typing import TypeAlias

import strawberry
from strawberry.relay.utils import from_base64, to_base64

from app.context import Context

Info: TypeAlias = strawberry.Info[Context, None]


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


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    """The Relay global id of row `pk` of GraphQL type `type_name` (base64 of `Type:pk`)."""
    return strawberry.ID(to_base64(type_name, pk))


def from_global_id(value: str, type_name: str) -> int | None:
    """The row id inside global id `value`; None if it is malformed or of another type."""
    try:
        found_type, pk = from_base64(value)
    except ValueError:
        return None
    if found_type != type_name or not pk.isascii() or not pk.isdigit():
        return None
    return int(pk)
