"""The rules of the data (API.md "Rules of the data", "Authentication" and "Limits", text):
every length and format the API promises, in one place.

The database's CHECK constraints (`app/db/models.py`) are written from the same
constants. Each function returns the normalised value or raises `BadUserInput`
naming the field.
Every text input passes `text` (through the other rules here, or directly): no
NUL, which PostgreSQL cannot store and SQLite's LIKE cuts a pattern at. Lone
surrogates never get this far: the transport refuses a request that holds one
(`app.http.params`), and GraphQL's lexer refuses one in a string literal.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email

from app.enums import TaskPriority, TaskStatus
from app.errors import BadUserInput

PASSWORD_MIN, PASSWORD_MAX = 8, 128
EMAIL_MAX = 320
SEARCH_MAX = 200
USER_NAME_MAX = 100
PROJECT_NAME_MAX, PROJECT_DESCRIPTION_MAX = 100, 2_000
TASK_TITLE_MAX, TASK_DESCRIPTION_MAX = 200, 10_000
TAG_NAME_MAX = 50
PERSONAL_PROJECT_NAME = "Personal"  # the project signup creates for every user
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def text(field: str, value: str) -> str:
    """`value` unchanged if it has no NUL character (API.md "Limits", text)."""
    if "\x00" in value:
        raise BadUserInput(field, f"{field} must not contain the NUL character")
    return value


def search(value: str) -> str:
    """A `search` filter: `text`, at most 200 characters (API.md "Limits")."""
    if len(value) > SEARCH_MAX:
        raise BadUserInput("search", f"search must be at most {SEARCH_MAX} characters long")
    return text("search", value)


def trimmed(field: str, value: str | None, *, max_length: int, min_length: int = 1) -> str:
    """`value` without surrounding white space, `min_length`-`max_length` characters long."""
    if value is None:
        raise BadUserInput(field, f"{field} cannot be null")
    result = text(field, value).strip()
    if not min_length <= len(result) <= max_length:
        msg = f"{field} must be {min_length}-{max_length} characters long"
        raise BadUserInput(field, msg)
    return result


def email(field: str, value: str) -> str:
    """Trimmed, lower-cased and syntactically valid email address (no DNS look-up)."""
    candidate = text(field, value).strip().lower()
    if len(candidate) > EMAIL_MAX:
        raise BadUserInput(field, "email is too long")
    try:
        return validate_email(candidate, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise BadUserInput(field, f"email is not valid: {error}") from None


def normalised_email(value: str) -> str | None:
    """`value` normalised exactly as `email` does it, or None if it is not a valid address.

    For look-ups (login, rate-limit keys), so an address matches however it was typed at
    signup. Never raises: callers that must refuse NUL pass `value` through `text` first.
    """
    try:
        return email("email", value)
    except BadUserInput:
        return None


def password(field: str, value: str) -> str:
    """`value` unchanged if it is 8-128 characters long."""
    if not PASSWORD_MIN <= len(text(field, value)) <= PASSWORD_MAX:
        msg = f"password must be {PASSWORD_MIN}-{PASSWORD_MAX} characters long"
        raise BadUserInput(field, msg)
    return value


def optional_text(field: str, value: str | None, *, max_length: int) -> str | None:
    """`value` (None stays None) if it is at most `max_length` characters long."""
    if value is not None and len(text(field, value)) > max_length:
        raise BadUserInput(field, f"{field} must be at most {max_length} characters long")
    return value


def color(field: str, value: str | None) -> str | None:
    """A `#RRGGBB` colour (hex digits in either case), or None."""
    if value is None:
        return None
    if not _COLOR.fullmatch(text(field, value)):
        raise BadUserInput(field, f"{field} must look like #RRGGBB")
    return value


def not_null(field: str, value: Any) -> Any:
    """`value` unless it is None (an explicit null where the API allows none)."""
    if value is None:
        raise BadUserInput(field, f"{field} cannot be null")
    return value


Rule = Callable[[str, Any], Any]

# Each writable field of an object: its rule, giving the column's value.
PROJECT: dict[str, Rule] = {
    "name": lambda field, value: trimmed(field, value, max_length=PROJECT_NAME_MAX),
    "description": lambda field, value: optional_text(
        field, value, max_length=PROJECT_DESCRIPTION_MAX
    ),
}
TASK: dict[str, Rule] = {
    "title": lambda field, value: trimmed(field, value, max_length=TASK_TITLE_MAX),
    "description": lambda field, value: optional_text(
        field, value, max_length=TASK_DESCRIPTION_MAX
    ),
    "status": lambda field, value: TaskStatus(not_null(field, value)).value,
    "priority": lambda field, value: TaskPriority(not_null(field, value)).value,
    "due_date": lambda _field, value: value,
}
TAG: dict[str, Rule] = {
    "name": lambda field, value: trimmed(field, value, max_length=TAG_NAME_MAX),
    "color": color,
}


def checked(changes: Mapping[str, Any], fields: Mapping[str, Rule]) -> dict[str, Any]:
    """The column values of the `changes` (by field name) that `fields` has a rule for,
    each through its rule; the others are left out. Raises `BadUserInput` naming the
    first field that breaks its rule."""
    return {name: rule(name, changes[name]) for name, rule in fields.items() if name in changes}
