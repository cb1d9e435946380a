"""The request body limit, `MAX_BODY_BYTES` (API.md "Limits": 413 `PAYLOAD_TOO_LARGE`).

A declared `Content-Length` over the limit is refused before a byte is read;
an undeclared (chunked) or understated body stops being read as soon as the
bytes received pass the limit. The body is never read whole.
"""

from starlette.types import Message, Receive, Scope


class PayloadTooLarge(Exception):
    """The request body is over `MAX_BODY_BYTES`."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than {limit} bytes")


def declared_length_over(scope: Scope, limit: int) -> bool:
    """Whether the request's `Content-Length` (checked by the server) is over `limit`."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return value.isdigit() and int(value) > limit
    return False


def limited_receive(receive: Receive, limit: int) -> Receive:
    """`receive`, raising `PayloadTooLarge` once the body received passes `limit` bytes."""
    received = 0

    async def receive_within_limit() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise PayloadTooLarge(limit)
        return message

    return receive_within_limit
