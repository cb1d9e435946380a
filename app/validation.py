"""Input rules from API.md "Authentication" and "Rules of the data".

Each function returns the normalised value or raises `BadUserInput` naming the field.
"""

import re

from email_validator import EmailNotValidError, validate_email

from app.errors import BadUserInput

PASSWORD_MIN, PASSWORD_MAX = 8, 128
EMAIL_MAX = 320
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def trimmed(field: str, value: str | None, *, max_length: int, min_length: int = 1) -> str:
    """`value` without surrounding white space, `min_length`-`max_length` characters long."""
    if value is None:
        raise BadUserInput(field, f"{field} cannot be null")
    result = value.strip()
    if not min_length <= len(result) <= max_length:
        msg = f"{field} must be {min_length}-{max_length} characters long"
        raise BadUserInput(field, msg)
    return result


def email(field: str, value: str) -> str:
    """Trimmed, lower-cased and syntactically valid email address (no DNS look-up)."""
    candidate = value.strip().lower()
    if len(candidate) > EMAIL_MAX:
        raise BadUserInput(field, "email is too long")
    try:
        return validate_email(candidate, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise BadUserInput(field, f"email is not valid: {error}") from None


def normalised_email(value: str) -> str | None:
    """`value` normalised exactly as `email` does it, or None if it is not a valid address.

    For look-ups (login), so an address matches however it was typed at signup.
    """
    try:
        return email("email", value)
    except BadUserInput:
        return None


def password(field: str, value: str) -> str:
    """`value` unchanged if it is 8-128 characters long."""
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        msg = f"password must be {PASSWORD_MIN}-{PASSWORD_MAX} characters long"
        raise BadUserInput(field, msg)
    return value


def optional_text(field: str, value: str | None, *, max_length: int) -> str | None:
    """`value` (None stays None) if it is at most `max_length` characters long."""
    if value is not None and len(value) > max_length:
        raise BadUserInput(field, f"{field} must be at most {max_length} characters long")
    return value


def color(field: str, value: str | None) -> str | None:
    """A `#RRGGBB` colour (hex digits in either case), or None."""
    if value is None:
        return None
    if not _COLOR.fullmatch(value):
        raise BadUserInput(field, f"{field} must look like #RRGGBB")
    return value
