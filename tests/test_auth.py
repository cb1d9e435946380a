"""API.md "Authentication": signup, passwords, login, and secrets kept out of the logs.

Access tokens and `me` are in `test_auth_tokens.py`; refresh and logout in
`test_auth_sessions.py`.
"""

import logging
import threading
import unicodedata
import uuid
from typing import Any

import pytest
from argon2 import PasswordHasher
from jose import jwt
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app import security
from app.db.models import Project, ProjectMember, Session, User
from app.logs import logging_config
from tests.conftest import make_settings
from tests.helpers import (
    LOGIN,
    LOGOUT,
    ME,
    PASSWORD,
    SIGNUP,
    GraphQLClient,
    assert_error,
    database_text,
    fetch_all,
    user_pk,
)

NFC_EMAIL = unicodedata.normalize("NFC", "josé@example.com")
NFD_EMAIL = unicodedata.normalize("NFD", NFC_EMAIL)


class HasherSpy:
    """Stands in for the Argon2 hasher, recording each call and the thread that ran it."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        self.calls: list[tuple[str, int]] = []

    def hash(self, password: str) -> str:
        self.calls.append(("hash", threading.get_ident()))
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls.append(("verify", threading.get_ident()))
        return self.hasher.verify(password_hash, password)

    def count(self, kind: str) -> int:
        return sum(1 for name, _ in self.calls if name == kind)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> HasherSpy:
    spy = HasherSpy(security._hasher)
    monkeypatch.setattr(security, "_hasher", spy)
    return spy


async def count_rows(engine: AsyncEngine, model: type[Any]) -> int:
    (row,) = await fetch_all(engine, select(func.count()).select_from(model))
    return int(row[0])


async def signup_body(api: GraphQLClient, **overrides: str) -> dict[str, Any]:
    values = {"email": "ann@example.com", "password": PASSWORD, "name": "Ann", **overrides}
    return await api.execute(SIGNUP, {"input": values})


async def login_body(api: GraphQLClient, email: str, password: str) -> dict[str, Any]:
    return await api.execute(LOGIN, {"input": {"email": email, "password": password}})


# signup


async def test_signup_returns_a_bearer_pair_and_the_users_own_email(api: GraphQLClient) -> None:
    payload = await api.signup(email="ann@example.com", name="Ann")
    assert payload["tokenType"] == "Bearer"
    assert payload["expiresIn"] == 900
    assert payload["accessToken"]
    assert payload["refreshToken"]
    assert payload["user"]["email"] == "ann@example.com"
    assert payload["user"]["name"] == "Ann"


async def test_signup_creates_one_personal_project_owned_by_the_user(
    api: GraphQLClient, engine: AsyncEngine
) -> None:
    payload = await api.signup()
    projects = await fetch_all(engine, select(Project.id, Project.name, Project.is_personal))
    assert [(row.name, row.is_personal) for row in projects] == [("Personal", True)]
    members = await fetch_all(
        engine, select(ProjectMember.project_id, ProjectMember.user_id, ProjectMember.role)
    )
    assert [tuple(row) for row in members] == [(projects[0].id, user_pk(payload), "OWNER")]


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("  Ann@Example.COM\t", "ann@example.com"),
        ("ANN@EXAMPLE.COM", "ann@example.com"),
        (NFD_EMAIL, NFC_EMAIL),
    ],
)
async def test_signup_trims_and_lower_cases_the_email(
    api: GraphQLClient, engine: AsyncEngine, sent: str, stored: str
) -> None:
    payload = await api.signup(email=sent)
    assert payload["user"]["email"] == stored
    assert [row.email for row in await fetch_all(engine, select(User.email))] == [stored]


@pytest.mark.parametrize("again", ["ann@example.com", "ANN@example.com", "  Ann@EXAMPLE.com  "])
async def test_signup_with_a_registered_email_is_a_conflict_that_writes_nothing(
    api: GraphQLClient, engine: AsyncEngine, again: str
) -> None:
    await api.signup(email="ann@example.com")
    assert_error(await signup_body(api, email=again), "CONFLICT")
    for model in (User, Project, ProjectMember, Session):
        assert await count_rows(engine, model) == 1, model


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", "ann@"),
        ("email", ""),
        ("email", "a" * 320 + "@example.com"),
        ("password", "p" * 7),
        ("password", "p" * 129),
        ("password", ""),
        ("name", ""),
        ("name", " \t "),
        ("name", "n" * 101),
    ],
)
async def test_signup_refuses_invalid_input_naming_the_field_and_writes_nothing(
    api: GraphQLClient, engine: AsyncEngine, field: str, value: str
) -> None:
    body = await signup_body(api, **{field: value})
    assert_error(body, "BAD_USER_INPUT", field=field)
    assert body["data"] is None
    for model in (User, Project, ProjectMember, Session):
        assert await count_rows(engine, model) == 0, model


@pytest.mark.parametrize("password", ["p" * 8, "p" * 128, "é" * 128])
async def test_signup_accepts_passwords_of_8_to_128_characters(
    api: GraphQLClient, password: str
) -> None:
    payload = await api.signup(email="ann@example.com", password=password)
    assert (await api.login("ann@example.com", password))["user"]["id"] == payload["user"]["id"]


async def test_signup_trims_the_name_and_accepts_100_characters(api: GraphQLClient) -> None:
    assert (await api.signup(name="  Ann  "))["user"]["name"] == "Ann"
    assert (await api.signup(name="n" * 100))["user"]["name"] == "n" * 100


# passwords


async def test_password_is_stored_only_as_an_argon2id_hash(
    api: GraphQLClient, engine: AsyncEngine
) -> None:
    await api.signup(email="ann@example.com", password=PASSWORD)
    (row,) = await fetch_all(engine, select(User.password_hash))
    assert row.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(row.password_hash, PASSWORD)
    assert PASSWORD not in await database_text(engine)


async def test_argon2_runs_off_the_event_loop(api: GraphQLClient, hasher: HasherSpy) -> None:
    await api.signup(email="ann@example.com")
    await api.login("ann@example.com")
    await login_body(api, "ann@example.com", "wrong password")
    await login_body(api, "nobody@example.com", PASSWORD)
    assert [kind for kind, _ in hasher.calls] == ["hash", "verify", "verify", "verify"]
    loop_thread = threading.get_ident()
    assert all(thread != loop_thread for _, thread in hasher.calls)


# login


async def test_login_starts_a_new_session(api: GraphQLClient, engine: AsyncEngine) -> None:
    signup = await api.signup(email="ann@example.com")
    login = await api.login("ann@example.com")
    assert login["tokenType"] == "Bearer"
    assert login["expiresIn"] == 900
    assert login["user"] == {"id": signup["user"]["id"], "email": "ann@example.com"}
    sessions = {row.id for row in await fetch_all(engine, select(Session.id))}
    new_sid = uuid.UUID(jwt.get_unverified_claims(login["accessToken"])["sid"])
    assert len(sessions) == 2
    assert new_sid in sessions
    me = await api.execute(ME, token=login["accessToken"])
    assert me["data"]["me"]["email"] == "ann@example.com"


@pytest.mark.parametrize("unknown", ["nobody@example.com", "not-an-email"])
async def test_wrong_password_and_unknown_email_answer_the_same_after_the_same_work(
    api: GraphQLClient, engine: AsyncEngine, hasher: HasherSpy, unknown: str
) -> None:
    await api.signup(email="ann@example.com")
    hasher.calls.clear()
    wrong_password = await login_body(api, "ann@example.com", "wrong password")
    verifications = hasher.count("verify")
    unknown_email = await login_body(api, unknown, "wrong password")

    error = assert_error(wrong_password, "UNAUTHENTICATED")
    assert error["message"] == "Invalid email or password"
    assert unknown_email == wrong_password
    assert verifications == 1
    assert hasher.count("verify") == 2 * verifications
    assert await count_rows(engine, Session) == 1


@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        ("ann@example.com", "  ANN@Example.com "),
        ("  Ann@Example.COM", "ann@example.com"),
        (NFC_EMAIL, NFD_EMAIL),
        (NFD_EMAIL, NFD_EMAIL),
    ],
)
async def test_login_normalises_the_email_like_signup(
    api: GraphQLClient, registered: str, typed: str
) -> None:
    payload = await api.signup(email=registered)
    assert (await api.login(typed))["user"]["id"] == payload["user"]["id"]


# logs


async def test_secrets_never_reach_the_logs(
    api: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    """With LOG_LEVEL=DEBUG, as the served app configures its loggers (`logging_config`)."""
    config = logging_config(make_settings("sqlite://", log_level="DEBUG"))
    caplog.set_level(logging.DEBUG)
    for name, logger in config["loggers"].items():
        if "level" in logger:
            caplog.set_level(logger["level"], logger=name)
    wrong = "wrong password 123"
    signup = await api.signup(email="ann@example.com", password=PASSWORD)
    login = await api.login("ann@example.com")
    await login_body(api, "ann@example.com", wrong)
    refreshed = (await api.refresh(login["refreshToken"]))["data"]["refreshToken"]
    assert_error(await api.refresh(login["refreshToken"]), "UNAUTHENTICATED")  # reuse
    assert (await api.execute(LOGOUT, token=signup["accessToken"]))["data"] == {"logout": True}

    secrets = [PASSWORD, wrong]
    for payload in (signup, login, refreshed):
        secrets += [payload["accessToken"], payload["refreshToken"]]
    messages = [record.getMessage() for record in caplog.records]
    assert "user signed up" in messages  # the capture works
    assert "refresh token reuse detected; session revoked" in messages
    for record in caplog.records:
        text = f"{record.getMessage()} {record.args!r} {vars(record)!r}"
        assert not [secret for secret in secrets if secret in text], record
