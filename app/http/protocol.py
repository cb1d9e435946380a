"""uvicorn's httptools protocol with the bounds it lacks (API.md "Limits", issue 7).

uvicorn bounds idle keep-alive connections (`timeout_keep_alive`) and, with h11
only, the size of an incomplete event (`h11_max_incomplete_event_size`); with
httptools (kept for its speed) nothing bounds the request head, and with either
nothing bounds the time a client takes to send a request. This subclass adds:

- a read timeout: a request (head and body) must arrive whole within
  `READ_TIMEOUT_SECONDS` of its first byte, or of the connection opening;
  otherwise the connection is closed (a slow or half-sent request holds a
  socket for a bounded time);
- a bound on the head: at most `MAX_HEAD_BYTES` of request line and headers and
  `MAX_HEADERS` header fields, else 431;
- uvicorn's plain-text 400 for a request httptools cannot parse becomes the
  API's JSON error: `BAD_REQUEST` with an `X-Request-ID` (431 too), and
  `Connection: close`.

`python -m app` passes it to uvicorn as `http=` (see `app.__main__`).
"""

import asyncio
import json
import uuid

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

TOO_LARGE = b"HTTP/1.1 431 Request Header Fields Too Large\r\n", "Request header fields too large"
MALFORMED = b"HTTP/1.1 400 Bad Request\r\n", "Malformed HTTP request"


class HeadTooLarge(Exception):
    """The request line and headers pass `MAX_HEAD_BYTES` or `MAX_HEADERS` (httptools
    reports it as a parser error, which uvicorn answers with `send_400_response`)."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` with a read timeout and a bounded request head (see the module)."""

    READ_TIMEOUT_SECONDS = 10.0
    MAX_HEAD_BYTES = 32 * 1024
    MAX_HEADERS = 100

    _read_timer: asyncio.TimerHandle | None = None
    _head_bytes = 0
    _header_count = 0
    _head_too_large = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_read_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_read_timer()
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        self._stop_read_timer()  # the WebSocket protocol takes the connection over
        super().handle_websocket_upgrade()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = self._header_count = 0
        if self._read_timer is None:
            self._start_read_timer()

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url), headers=0)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value), headers=1)
        super().on_header(name, value)

    def on_message_complete(self) -> None:
        self._stop_read_timer()
        super().on_message_complete()

    def _count_head(self, size: int, *, headers: int) -> None:
        self._head_bytes += size
        self._header_count += headers
        if self._head_bytes > self.MAX_HEAD_BYTES or self._header_count > self.MAX_HEADERS:
            self._head_too_large = True
            raise HeadTooLarge

    def _start_read_timer(self) -> None:
        self._read_timer = self.loop.call_later(self.READ_TIMEOUT_SECONDS, self._read_timed_out)

    def _stop_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if not self.transport.is_closing():
            self.logger.info("closing a connection whose request did not arrive in time")
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """Answer a request refused before the application saw it, then close."""
        self._stop_read_timer()
        status_line, message = TOO_LARGE if self._head_too_large else MALFORMED
        error = {"message": message, "extensions": {"code": "BAD_REQUEST"}}
        body = json.dumps({"errors": [error]}).encode()
        head = [
            status_line,
            b"content-type: application/graphql-response+json; charset=utf-8\r\n",
            b"content-length: %d\r\n" % len(body),
            b"x-request-id: %s\r\n" % uuid.uuid4().hex.encode(),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
