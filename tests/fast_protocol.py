"""The server's HTTP protocol with a 1 s read timeout, so tests of slow senders are quick.

Passed to uvicorn as `--http tests.fast_protocol:FastTimeoutProtocol` (the server
process needs the repository on `PYTHONPATH`); every other bound is the real one.
"""

from app.http.protocol import BoundedHttpToolsProtocol


class FastTimeoutProtocol(BoundedHttpToolsProtocol):
    READ_TIMEOUT_SECONDS = 1.0
