"""Logging set-up: one line per record, console or JSON, each with the request id."""

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from app.config import Settings
from app.request_id import current_request_id

CONSOLE_FORMAT = "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(request_id)s %(name)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (\"-\" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def configure_logging(settings: Settings) -> None:
    """Route the root logger (and uvicorn's) to stderr in `LOG_FORMAT` at `LOG_LEVEL`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level"}))
    else:
        handler.setFormatter(logging.Formatter(CONSOLE_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
