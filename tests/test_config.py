"""Settings from the environment and `.env`, as in API.md "Running it (operator contract)"."""

import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import InvalidSettings, Settings, load_settings

SECRET_32 = "s" * 32


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting comes from the caller's environment, and `.` (with `./var/`) is `tmp_path`."""
    fields = set(Settings.model_fields)
    for name in list(os.environ):
        if name.lower() in fields:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_match_the_operator_contract() -> None:
    settings = Settings()

    assert settings.database_url == "sqlite+aiosqlite:///./var/tasktracker.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.workers == 1
    assert settings.jwt_secret is None
    assert settings.access_token_ttl_seconds == 900
    assert settings.refresh_token_ttl_seconds == 2_592_000
    assert settings.environment == "development"
    assert settings.graphiql_enabled is True
    assert settings.introspection_enabled is True
    assert settings.cors_origins == []
    assert settings.log_level == "INFO"
    assert settings.log_format == "console"
    assert settings.is_sqlite


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    environment = {
        "DATABASE_URL": "postgresql+asyncpg://u:p@db:5432/tt",
        "HOST": "localhost",
        "PORT": "9001",
        "WORKERS": "4",
        "JWT_SECRET": SECRET_32,
        "ACCESS_TOKEN_TTL_SECONDS": "60",
        "REFRESH_TOKEN_TTL_SECONDS": "3600",
        "ENVIRONMENT": "production",
        "GRAPHIQL": "false",
        "CORS_ORIGINS": "https://a.example",
        "LOG_LEVEL": "debug",
        "LOG_FORMAT": "json",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    settings = Settings()

    assert settings.database_url == "postgresql+asyncpg://u:p@db:5432/tt"
    assert not settings.is_sqlite
    assert (settings.host, settings.port, settings.workers) == ("localhost", 9001, 4)
    assert settings.jwt_key == SECRET_32
    assert (settings.access_token_ttl_seconds, settings.refresh_token_ttl_seconds) == (60, 3600)
    assert settings.is_production
    assert settings.graphiql_enabled is False
    assert settings.cors_origins == ["https://a.example"]
    assert (settings.log_level, settings.log_format) == ("DEBUG", "json")


def test_dotenv_file_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "DATABASE_URL=sqlite+aiosqlite:///./var/other.db\n"
        "PORT=9100\n"
        "CORS_ORIGINS=https://a.example, https://b.example\n"
        "JWT_SECRET=from-dotenv\n"
    )
    monkeypatch.setenv("PORT", "9200")

    settings = Settings()

    assert settings.database_url == "sqlite+aiosqlite:///./var/other.db"
    assert settings.port == 9200
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.jwt_key == "from-dotenv"
    assert not (tmp_path / "var" / "jwt_secret").exists()


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        ("a, b", ["a", "b"]),
        ("https://app.example.com", ["https://app.example.com"]),
        (" a ,, b , ", ["a", "b"]),
        ("", []),
    ],
)
def test_cors_origins_are_comma_separated(
    monkeypatch: pytest.MonkeyPatch, value: str, origins: list[str]
) -> None:
    monkeypatch.setenv("CORS_ORIGINS", value)

    assert Settings().cors_origins == origins


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("s" * 31, id="31-bytes"),
        pytest.param("é" * 15 + "s", id="16-characters-31-bytes"),
    ],
)
def test_production_refuses_a_missing_or_short_secret(
    monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    if secret is not None:
        monkeypatch.setenv("JWT_SECRET", secret)

    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings()


@pytest.mark.parametrize("secret", ["s" * 32, "é" * 16, "s" * 64])
def test_production_accepts_a_secret_of_32_bytes_or_more(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, secret: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("JWT_SECRET", secret)

    settings = Settings()

    assert settings.jwt_key == secret
    assert not (tmp_path / "var").exists()  # production never generates a secret


def test_production_turns_graphiql_and_introspection_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("JWT_SECRET", SECRET_32)

    settings = Settings()

    assert settings.graphiql_enabled is False
    assert settings.introspection_enabled is False


@pytest.mark.parametrize("value", ["true", "TRUE", "1"])
def test_production_keeps_graphiql_when_set_explicitly(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("JWT_SECRET", SECRET_32)
    monkeypatch.setenv("GRAPHIQL", value)

    settings = Settings()

    assert settings.graphiql_enabled is True
    assert settings.introspection_enabled is True  # GraphiQL needs it


def test_graphiql_can_be_turned_off_in_development(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHIQL", "false")

    settings = Settings()

    assert settings.graphiql_enabled is False
    assert settings.introspection_enabled is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "not-a-port"),
        ("PORT", "70000"),
        ("WORKERS", "0"),
        ("ENVIRONMENT", "staging"),
        ("LOG_FORMAT", "xml"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError):
        Settings()


def test_development_secret_is_generated_once_into_var(tmp_path: Path) -> None:
    secret_file = tmp_path / "var" / "jwt_secret"
    assert not secret_file.exists()

    key = Settings().jwt_key

    assert secret_file.read_text() == key
    assert len(key.encode()) >= 32
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert Settings().jwt_key == key  # a second start reads the same secret
    assert sorted(path.name for path in secret_file.parent.iterdir()) == ["jwt_secret"]


def test_development_secret_is_one_secret_for_concurrent_starts(tmp_path: Path) -> None:
    """Several workers starting at once must agree on one key (or tokens fail across them)."""
    starting = threading.Barrier(8)

    def start() -> str:
        settings = Settings()
        starting.wait()
        return settings.jwt_key

    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: start(), range(8)))

    assert keys == {(tmp_path / "var" / "jwt_secret").read_text()}


def test_an_empty_secret_file_is_refused_not_used(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "jwt_secret").write_text("\n")

    with pytest.raises(RuntimeError, match="jwt_secret is empty"):
        _ = Settings().jwt_key


def test_jwt_secret_from_the_environment_is_used_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JWT_SECRET", "dev-secret")

    assert Settings().jwt_key == "dev-secret"
    assert not (tmp_path / "var").exists()


def test_the_secret_is_not_shown_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET", SECRET_32)

    assert SECRET_32 not in repr(Settings())


def test_load_settings_names_each_bad_variable_without_its_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORT", "eighty")
    monkeypatch.setenv("WORKERS", "0")

    with pytest.raises(InvalidSettings) as error:
        load_settings()

    assert str(error.value).startswith("PORT: ")
    assert "; WORKERS: " in str(error.value)
    assert "eighty" not in str(error.value)
    assert error.value.__cause__ is None
    assert error.value.__suppress_context__  # no chained ValidationError in a traceback


def test_load_settings_reports_a_short_production_secret_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pydantic's own message repeats the input, a too-short production secret included."""
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("JWT_SECRET", "short-but-still-secret")
    with pytest.raises(ValidationError) as raw:
        Settings()
    assert "short-but-still-secret" in str(raw.value)  # why load_settings exists

    with pytest.raises(InvalidSettings, match="JWT_SECRET of at least 32 bytes") as error:
        load_settings()

    assert "short-but-still-secret" not in str(error.value)
