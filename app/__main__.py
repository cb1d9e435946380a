"""`python -m app`: apply pending migrations, then serve with uvicorn (what `make run` does)."""

import sys

import uvicorn

from app.config import InvalidSettings, load_settings
from app.db.migrate import upgrade
from app.http.persisted import persisted_queries_for
from app.logs import configure_logging, logging_config


def main() -> None:
    """Serve on `HOST`:`PORT` with `WORKERS` processes; exits with a message on bad settings."""
    try:
        settings = load_settings()
        persisted_queries_for(settings)  # a bad manifest fails here, before migrations
    except InvalidSettings as error:
        sys.exit(f"Invalid settings: {error}")
    configure_logging(settings)
    if settings.workers > 1 and settings.is_sqlite:
        sys.exit("WORKERS > 1 needs PostgreSQL: set DATABASE_URL=postgresql+asyncpg://...")
    # Resolve the signing key before workers start, so they all read the one kept in ./var/.
    settings.jwt_key  # noqa: B018
    upgrade(settings.database_url)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=logging_config(settings),  # applied again in each worker process
        server_header=False,
        # httptools with a read timeout and a bounded request head (app/http/protocol.py).
        http="app.http.protocol:BoundedHttpToolsProtocol",
        proxy_headers=False,  # create_app applies FORWARDED_ALLOW_IPS itself
    )


if __name__ == "__main__":
    main()
