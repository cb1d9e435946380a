"""The suite-wide secret grep itself (tests/leaks.py): what it records, captures and finds."""

import logging
import secrets
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.graph.conftest import PASSWORD_HASH
from tests.helpers import GraphQLClient
from tests.leaks import LEAKS, LeakCheck, LeakCheckPlugin


def planted() -> str:
    """A fresh secret that only the test's own `LeakCheck` knows (the suite's must not)."""
    return "planted-" + secrets.token_urlsafe(16)


def test_a_recorded_secret_in_a_log_line_is_a_leak() -> None:
    check, secret = LeakCheck(), planted()
    check.record_secret(secret)
    assert check.leaks(["INFO app: all fine", "INFO app: login failed"]) == []
    (leak,) = check.leaks([f"INFO app: login failed for {secret}!"])
    assert secret not in leak  # the report does not leak it again


def test_an_argon2_hash_is_a_leak_without_being_recorded() -> None:
    (leak,) = LeakCheck().leaks([f"ERROR sqlalchemy: [parameters: ('{PASSWORD_HASH}',)]"])
    assert "<argon2 hash>" in leak
    assert PASSWORD_HASH.split("$")[-1] not in leak


def test_short_values_are_not_secrets() -> None:
    check = LeakCheck()
    check.record_secret("1234567")
    check.record_secret(None)
    assert check.secrets == set()


def test_responses_give_their_tokens_and_nothing_else() -> None:
    check, access, refresh = LeakCheck(), planted(), planted()
    user = {"id": "VXNlcjox", "email": "ann@example.com", "name": "Ann Example"}
    payload = {"accessToken": access, "refreshToken": refresh, "user": user}
    check.record_response({"data": {"refreshToken": payload}})
    assert check.secrets == check.issued == {access, refresh}


def test_requests_give_their_passwords_and_tokens() -> None:
    check, inline, nested, bearer = LeakCheck(), planted(), planted(), planted()
    query = (
        f'mutation {{ login(input: {{email: "a@b.c", password: "{inline}"}}) {{ accessToken }} }}'
    )
    variables = {"input": {"email": "ann@example.com", "newPassword": nested}, "title": "Groceries"}
    check.record_request(
        {"authorization": f"Bearer {bearer}"}, {"query": query, "variables": variables}
    )
    assert check.secrets == {inline, nested, bearer}


async def test_the_http_fixture_records_the_tokens_it_is_given(api: GraphQLClient) -> None:
    payload = await api.signup()
    assert {payload["accessToken"], payload["refreshToken"]} <= LEAKS.issued
    assert {payload["accessToken"], payload["refreshToken"]} <= LEAKS.secrets


def test_root_logger_lines_are_captured_with_their_extra_fields() -> None:
    check, secret = LeakCheck(), planted()
    check.record_secret(secret)
    logging.getLogger("tests.leaks").info("login refused", extra={"attempt": secret})
    assert check.leaks(LEAKS.capture.lines[-1:]), LEAKS.capture.lines[-1:]


def test_tracebacks_are_captured() -> None:
    check, secret = LeakCheck(), planted()
    check.record_secret(secret)
    try:
        raise ValueError(secret)
    except ValueError:
        logging.getLogger("tests.leaks").exception("unexpected error")
    assert check.leaks(LEAKS.capture.lines[-1:]), LEAKS.capture.lines[-1:]


def test_server_log_files_are_grepped(tmp_path: Path) -> None:
    check, secret = LeakCheck(), planted()
    check.record_secret(secret)
    log = tmp_path / "server.log"
    log.write_text(f"INFO:     started\nINFO app: token {secret}\n")
    check.add_log_file(log)
    assert len(check.leaks(check.file_lines())) == 1


def finish(check: LeakCheck, *, whole_suite: bool) -> tuple[int, list[str]]:
    """Run the plugin's end-of-session check on `check`; the exit status and its summary."""
    source = pytest.Config.ArgsSource.TESTPATHS if whole_suite else pytest.Config.ArgsSource.ARGS
    option = SimpleNamespace(keyword="", markexpr="")
    session = SimpleNamespace(
        config=SimpleNamespace(args_source=source, option=option), exitstatus=0
    )
    plugin = LeakCheckPlugin(check)
    plugin.pytest_sessionfinish(session)  # type: ignore[arg-type]
    return session.exitstatus, plugin.summary


def test_a_leak_fails_the_session(tmp_path: Path) -> None:
    check, secret = LeakCheck(), planted()
    check.record_response({"data": {"login": {"accessToken": secret}}})
    check.capture.lines.append("INFO app: fine")
    log = tmp_path / "server.log"
    log.write_text("INFO:     started\n")
    check.add_log_file(log)
    assert finish(check, whole_suite=True)[0] == 0
    check.capture.lines.append(f"INFO app: {secret}")
    status, summary = finish(check, whole_suite=True)
    assert status == pytest.ExitCode.TESTS_FAILED, summary


def test_a_whole_run_that_captured_nothing_fails() -> None:
    status, summary = finish(LeakCheck(), whole_suite=True)
    assert status == pytest.ExitCode.TESTS_FAILED, summary
    assert "too little" in summary[-1]
    assert finish(LeakCheck(), whole_suite=False)[0] == 0  # a few tests may log nothing
