"""`python -m app`: apply pending migrations, then serve with uvicorn (what `make run` does)."""

import sys

import uvicorn

from app.config import Settings
from app.db.migrate import upgrade
from app.logs import configure_logging


def main() -> None:
    """Serve on `HOST`:`PORT` with `WORKERS` processes; exits with a message on bad settings."""
    settings = Settings()
    configure_logging(settings)
    if settings.workers > 1 and settings.is_sqlite:
        sys.exit("WORKERS > 1 needs PostgreSQL: set DATABASE_URL=postgresql+asyncpg://...")
    upgrade(settings.database_url)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=None,
        server_header=False,
    )


if __name__ == "__main__":
    main()
