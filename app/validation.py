"""Input rules from API.md "Authentication" and "Rules of the data".

Each function returns the normalised value or raises `BadUserInput` naming the field.
"""

from email_validator import EmailNotValidError, validate_email

from app.errors import BadUserInput

PASSWORD_MIN, PASSWORD_MAX = 8, 128
EMAIL_MAX = 320


def trimmed(field: str, value: str, *, max_length: int, min_length: int = 1) -> str:
    """`value` without surrounding white space, `min_length`-`max_length` characters long."""
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


def password(field: str, value: str) -> str:
    """`value` unchanged if it is 8-128 characters long."""
    if not PASSWORD_MIN <= len(value) <= PASSWORD_MAX:
        msg = f"password must be {PASSWORD_MIN}-{PASSWORD_MAX} characters long"
        raise BadUserInput(field, msg)
    return value
