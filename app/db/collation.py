"""Unicode-aware text keys, computed in Python so SQLite and PostgreSQL compare text alike.

API.md "Limits": text comparison is case-insensitive for every script on both
databases, whatever the PostgreSQL cluster's collation. The databases never
compare the text itself; they compare keys computed here and stored beside it:

- `fold`: the text case-folded (NFKC, `str.casefold`, NFKC again, Unicode's
  NFKC_Casefold recipe), for equality (tag names) and substring search. Both
  databases compare it exactly (SQLite's LIKE only ignores ASCII case, which a
  folded text no longer has).
- `sort_key`: bytes in Unicode Collation Algorithm order (pyuca's own copy of
  the DUCET, so no operating system or database library changes it), of the
  folded text, for ordering. Bytes compare the same way (memcmp) on both
  databases. "alpha" < "Äpfel" < "apple" < "Zeta" < "Ωmega" < "Яблоко". The key
  is cut at `SORT_KEY_BYTES`, so it fits a B-tree index entry; rows whose keys
  tie are ordered by id.
"""

import struct
import unicodedata

from pyuca.collator import Collator_10_0_0  # type: ignore[import-untyped]
from sqlalchemy import ColumnElement, or_

SORT_KEY_BYTES = 512
_COLLATOR = Collator_10_0_0()


def fold(text: str) -> str:
    """`text` with case and compatibility differences removed ("ÉCOLE" -> "école",
    "STRASSE" and "straße" -> "strasse", "ﬁ" -> "fi")."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def sort_key(text: str) -> bytes:
    """The UCA sort key of `fold(text)`: 16-bit weights, big-endian, at most `SORT_KEY_BYTES`."""
    weights: tuple[int, ...] = _COLLATOR.sort_key(fold(text))
    limit = SORT_KEY_BYTES // 2
    return struct.pack(f">{min(len(weights), limit)}H", *weights[:limit])


def contains_text(search: str, *keys: ColumnElement[str | None]) -> ColumnElement[bool]:
    """Any of the folded `keys` columns contains `search` ignoring case in every script
    (API.md `TaskFilter.search`); `%`, `_` and `\\` match literally."""
    needle = fold(search)
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return or_(*(key.like(pattern, escape="\\") for key in keys))
