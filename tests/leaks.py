"""The suite-wide secret grep (issue 7, deliverable 8: "a test greps the captured logs of the
whole suite for every password and token it used").

While the suite runs, `LEAKS` records every secret it handles: the passwords and
tokens in the requests the shared `http` fixture sends (variables, inline
literals, the `Authorization` header), the tokens in its responses, the tests'
JWT secret and the `JWT_SECRET` given to server processes. It captures every
log line: the test process's root logger (with each record's extra fields and
traceback) and the log file of every server started through `tests/servers.py`.
At the end of the session the run fails if any recorded secret, or any Argon2
hash, appears in any captured line.

So that it cannot pass by checking nothing, a run of the whole suite (no paths,
`-k` or `-m` given) also fails unless it recorded secrets from responses,
in-process log lines and server log lines.
"""

import json
import logging
import re
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

MIN_SECRET_LENGTH = 8  # API.md: passwords have at least 8 characters; tokens are far longer
ARGON2_HASH = re.compile(r"\$argon2(?:id|i|d)\$")
ARGON2_HASH_VALUE = re.compile(r"\$argon2(?:id|i|d)\$[^\s'\"]*")
SECRET_KEY = re.compile(r"password|token|secret", re.IGNORECASE)
# An inline string argument whose name says it is secret, e.g. `password: "..."`.
INLINE_SECRET = re.compile(r'(\w*(?:password|token|secret)\w*)\s*:\s*"((?:[^"\\]|\\.)*)"', re.I)
JSON_TYPES = ("application/json", "application/graphql-response+json")
# Attributes every LogRecord has; anything else came in through `extra=` and is logged too.
STANDARD_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _secret_values(value: object, *, secret: bool = False) -> Iterable[str]:
    """Strings in a JSON value whose own key (or list's key) names a password, token or secret.

    Only the key itself counts: under `refreshToken { user { email } }` the email is not secret.
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _secret_values(item, secret=bool(SECRET_KEY.search(str(key))))
    elif isinstance(value, list):
        for item in value:
            yield from _secret_values(item, secret=secret)
    elif secret and isinstance(value, str):
        yield value


class LineCapture(logging.Handler):
    """A root-logger handler keeping every record as a line: message, extra fields, traceback."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        extras = {k: v for k, v in vars(record).items() if k not in STANDARD_RECORD_FIELDS}
        line = self.format(record)
        self.lines.append(f"{line} {extras!r}" if extras else line)


@dataclass
class LeakCheck:
    """Secrets seen and log lines captured during a run, and the grep between them."""

    secrets: set[str] = field(default_factory=set)
    issued: set[str] = field(default_factory=set)  # the subset the server handed out
    capture: LineCapture = field(default_factory=LineCapture)
    log_files: list[Path] = field(default_factory=list)

    def record_secret(self, value: object) -> None:
        """Remember `value` as a secret (strings shorter than 8 characters are not secrets)."""
        if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
            self.secrets.add(value)

    def record_request(self, headers: Mapping[str, str], payload: object) -> None:
        """The bearer token of `headers`, and the secrets in a GraphQL request `payload`
        (variables under secret-sounding names, and such inline arguments of the query)."""
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            self.record_secret(authorization[len("bearer ") :].strip())
        for value in _secret_values(payload):
            self.record_secret(value)
        query = payload.get("query") if isinstance(payload, Mapping) else None
        if isinstance(query, str):
            for _name, literal in INLINE_SECRET.findall(query):
                self.record_secret(json.loads(f'"{literal}"'))

    def record_response(self, payload: object) -> None:
        """The tokens in a GraphQL response (`accessToken`, `refreshToken`, ...)."""
        for value in _secret_values(payload):
            if len(value) >= MIN_SECRET_LENGTH:
                self.issued.add(value)
            self.record_secret(value)

    def hooks(self) -> dict[str, list[Callable[[Any], Coroutine[Any, Any, None]]]]:
        """`event_hooks` for an `httpx.AsyncClient` that record what it sends and receives."""

        async def on_request(request: httpx.Request) -> None:
            payload: object = None
            if request.method == "GET" and "query" in request.url.params:
                params = request.url.params
                payload = {"query": params["query"], "variables": params.get("variables")}
                if isinstance(payload["variables"], str):
                    try:
                        payload["variables"] = json.loads(payload["variables"])
                    except (ValueError, RecursionError):
                        payload["variables"] = None
            else:
                try:
                    payload = json.loads(request.content)
                except (httpx.RequestNotRead, ValueError, RecursionError):
                    payload = None
            self.record_request(request.headers, payload)

        async def on_response(response: httpx.Response) -> None:
            if response.headers.get("content-type", "").split(";")[0] in JSON_TYPES:
                await response.aread()
                try:
                    self.record_response(response.json())
                except (ValueError, RecursionError):
                    return

        return {"request": [on_request], "response": [on_response]}

    def add_log_file(self, path: Path) -> None:
        """A server log to grep at the end (read then, so it holds everything the server wrote)."""
        self.log_files.append(path)

    def file_lines(self) -> list[str]:
        return [
            line
            for path in self.log_files
            if path.exists()
            for line in path.read_text(errors="replace").splitlines()
        ]

    def leaks(self, lines: Iterable[str]) -> list[str]:
        """Each line of `lines` that carries a recorded secret or an Argon2 hash, with what,
        shown with those redacted (the report must not leak them again)."""
        found = []
        for line in lines:
            secrets = [secret for secret in self.secrets if secret in line]
            if not secrets and not ARGON2_HASH.search(line):
                continue
            for secret in secrets:
                line = line.replace(secret, "<secret>")
            what = "an Argon2 hash" if ARGON2_HASH.search(line) else f"{len(secrets)} secret(s)"
            found.append(f"{what} in: {ARGON2_HASH_VALUE.sub('<argon2 hash>', line)[:300]}")
        return found


class LeakCheckPlugin:
    """Fails the session when `check`'s captured logs carry a secret (see the module doc)."""

    def __init__(self, check: "LeakCheck") -> None:
        self.check = check
        self.summary: list[str] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        root = logging.getLogger()
        root.addHandler(self.check.capture)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)  # as served (app/logs.py): INFO lines are logs too

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        logging.getLogger().removeHandler(self.check.capture)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        check = self.check
        in_process, from_files = check.capture.lines, check.file_lines()
        problems = check.leaks([*in_process, *from_files])
        counts = (
            f"{len(check.secrets)} secrets ({len(check.issued)} issued by the server), "
            f"{len(in_process)} log lines in process, {len(from_files)} from "
            f"{len(check.log_files)} server logs"
        )
        config = session.config
        whole_suite = (
            config.args_source == pytest.Config.ArgsSource.TESTPATHS
            and not config.option.keyword
            and not config.option.markexpr
        )
        if whole_suite and not (check.issued and in_process and from_files):
            problems.append(f"the leak check saw too little to mean anything: {counts}")
        self.summary = [f"leak check: {counts}, {len(problems)} problems", *problems]
        if problems:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for line in self.summary:
            terminalreporter.write_line(line, red=len(self.summary) > 1)


LEAKS = LeakCheck()
