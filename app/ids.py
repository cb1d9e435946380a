"""Relay global ids (Global Object Identification): base64 of `Type:pk`, opaque to clients."""

from strawberry.relay.utils import from_base64, to_base64

from app.errors import BadUserInput


def encode_id(type_name: str, pk: int) -> str:
    """The global id of row `pk` of GraphQL type `type_name`."""
    return to_base64(type_name, pk)


def decode_id(value: str, type_name: str) -> int | None:
    """The row id inside global id `value`; None if it is malformed or of another type."""
    decoded = decode_any_id(value)
    return decoded[1] if decoded is not None and decoded[0] == type_name else None


def decode_any_id(value: str) -> tuple[str, int] | None:
    """`(type name, row id)` inside global id `value`; None if it is malformed, i.e. not
    exactly what `encode_id` writes (base64 decoding would skip a NUL or other stray
    characters, so `"VGFzazox\0"` would otherwise be `Task:1`)."""
    try:
        type_name, pk = from_base64(value)
    except ValueError:
        return None
    if not pk.isascii() or not pk.isdigit() or len(pk) > 18:
        return None
    return (type_name, int(pk)) if encode_id(type_name, int(pk)) == value else None


def input_id(value: str | None, type_name: str, field: str) -> int | None:
    """Row id of an id given inside an input (`assigneeId`, `tagIds`): None stays None;
    malformed or of another type is `BadUserInput` naming `field` (API.md "ids")."""
    if value is None:
        return None
    pk = decode_id(value, type_name)
    if pk is None:
        raise BadUserInput(field, f"{field} is not a valid {type_name} id")
    return pk
