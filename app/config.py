"""Settings: one validated object built from the environment and an optional `.env`.

Every variable in API.md "Running it" is a field here. Outside production a
missing `JWT_SECRET` is generated once and kept in `./var/jwt_secret`;
production refuses to start without a secret of at least 32 bytes.
"""

import contextlib
import os
import secrets
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

VAR_DIR = Path("var")
JWT_SECRET_FILE = VAR_DIR / "jwt_secret"
MIN_SECRET_BYTES = 32


def _load_or_create_dev_secret(path: Path) -> str:
    """Return the development secret kept at `path`, creating it (mode 0600) once.

    The file appears complete or not at all: the secret is written to a private
    temporary file that is then hard-linked into place, so concurrent starts
    (several workers) agree on one secret and a crash never leaves an empty key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):  # another process won: use its secret
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    secret = path.read_text().strip()
    if not secret:
        msg = f"{path} is empty: delete it to generate a new secret, or set JWT_SECRET"
        raise RuntimeError(msg)
    return secret


class Settings(BaseSettings):
    """Operator settings (API.md "Running it"); field names are the variables, case-insensitive.

    Raises `pydantic.ValidationError` on a bad value, or when
    `ENVIRONMENT=production` and `JWT_SECRET` is missing or shorter than 32 bytes.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./var/tasktracker.db"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1)
    environment: Literal["development", "production", "test"] = "development"
    jwt_secret: SecretStr | None = None
    jwt_issuer: str = "tasktracker"
    jwt_audience: str = "tasktracker"
    access_token_ttl_seconds: int = Field(default=900, ge=1)
    refresh_token_ttl_seconds: int = Field(default=2_592_000, ge=1)
    graphiql: bool | None = None
    introspection: bool | None = None
    cors_origins: Annotated[list[str], NoDecode] = []
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["console", "json"] = "console"
    redis_url: SecretStr | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1)
    max_query_cost: int = Field(default=50_000, ge=1)
    rate_limit_points_per_minute: int = Field(default=20_000, ge=1)
    auth_attempts_per_minute: int = Field(default=10, ge=1)
    auth_attempts_per_ip_per_minute: int = Field(default=100, ge=1)
    forwarded_allow_ips: str = "127.0.0.1"
    statement_timeout_ms: int = Field(default=5_000, ge=1)
    persisted_queries_only: bool = False
    persisted_queries_file: Path | None = None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _require_manifest_when_persisted_only(self) -> "Settings":
        if self.persisted_queries_only and self.persisted_queries_file is None:
            raise ValueError("PERSISTED_QUERIES_ONLY=true needs PERSISTED_QUERIES_FILE")
        return self

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _require_secret_in_production(self) -> "Settings":
        if self.is_production:
            secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
            if len(secret.encode()) < MIN_SECRET_BYTES:
                msg = f"JWT_SECRET of at least {MIN_SECRET_BYTES} bytes is required in production"
                raise ValueError(msg)
        return self

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def graphiql_enabled(self) -> bool:
        """GraphiQL is on unless `GRAPHIQL=false`, or production leaves it unset."""
        return self.graphiql if self.graphiql is not None else not self.is_production

    @property
    def introspection_enabled(self) -> bool:
        """Introspection follows `INTROSPECTION`, else GraphiQL (which needs it)."""
        return self.introspection if self.introspection is not None else self.graphiql_enabled

    @cached_property
    def jwt_key(self) -> str:
        """The HS256 key: `JWT_SECRET`, or outside production the one kept in `./var/`."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        return _load_or_create_dev_secret(JWT_SECRET_FILE)


class InvalidSettings(ValueError):
    """Settings that failed validation: names each bad variable and why, never its value."""


def load_settings() -> Settings:
    """`Settings()` from the environment and `.env`, for starting the server.

    Raises `InvalidSettings` instead of pydantic's `ValidationError`, whose
    message repeats the input values, a too-short `JWT_SECRET` included.
    """
    try:
        return Settings()
    except ValidationError as error:
        problems = []
        for problem in error.errors(include_url=False, include_input=False):
            message = problem["msg"].removeprefix("Value error, ")
            variable = ".".join(str(part) for part in problem["loc"]).upper()
            problems.append(f"{variable}: {message}" if variable else message)
        raise InvalidSettings("; ".join(problems)) from None
