"""Logging set-up: one line per record, console or JSON, each with the request id.

The configuration is a `logging.config.dictConfig` dictionary so that uvicorn
can apply it again in each worker process (`WORKERS` > 1 spawns fresh
interpreters, which inherit nothing from the parent's logging set-up).
"""

import logging.config
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from app.config import Settings
from app.request_id import current_request_id

CONSOLE_FORMAT = "%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(request_id)s %(name)s %(message)s"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
# Libraries that log SQL parameters or result rows (password hashes, emails) at DEBUG, and
# every statement at INFO: kept at these levels (or LOG_LEVEL, if higher), so nothing
# secret reaches a log whatever LOG_LEVEL says. WARNING is SQLAlchemy's own default.
PINNED_LEVELS = {"sqlalchemy": "WARNING", "aiosqlite": "INFO"}


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (\"-\" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def logging_config(settings: Settings) -> dict[str, Any]:
    """The root logger (and uvicorn's, through it) to stderr in `LOG_FORMAT` at `LOG_LEVEL`.

    Picklable, for `uvicorn.run(log_config=...)`.
    """
    formatter: dict[str, Any]
    if settings.log_format == "json":
        formatter = {
            "()": JsonFormatter,
            "fmt": JSON_FIELDS,
            "rename_fields": {"levelname": "level"},
        }
    else:
        formatter = {"format": CONSOLE_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"line": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["request_id"],
                "formatter": "line",
            }
        },
        "root": {"handlers": ["stderr"], "level": settings.log_level},
        "loggers": {
            **{name: {"handlers": [], "propagate": True} for name in UVICORN_LOGGERS},
            **{
                name: {"level": max(level, settings.log_level, key=logging.getLevelName)}
                for name, level in PINNED_LEVELS.items()
            },
        },
    }


def configure_logging(settings: Settings) -> None:
    """Apply `logging_config(settings)` in this process."""
    logging.config.dictConfig(logging_config(settings))
