"""Argument values for generated documents: hypothesis strategies of GraphQL value nodes.

hypothesis-graphql asks `custom_scalars` first for every scalar, the built-in
ones included, so these replace its plain random values with ones that find
bugs: the global ids of the seeded world mixed with malformed ones, real
cursors and hostile variants of them, text at every documented length limit,
with NUL, lone surrogates, case and script variants, and numbers and dates at
the edges (API.md "Rules of the data", "Limits").
"""

import base64
import json
from collections.abc import Mapping
from typing import Any

import graphql
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from tests.fuzz.documents import WORLD_ID
from tests.fuzz.world import EMAILS, WORLD_IDS
from tests.graph.scene import malformed_ids, never_existed

TYPES = ("User", "Project", "Task", "Tag")
GARBAGE_IDS = [never_existed(kind) for kind in TYPES] + [
    value for kind in TYPES for value in malformed_ids(kind)
]
EDGE_TEXT = [
    "",
    " ",
    "  padded  ",
    "\x00",
    "a\x00b",
    "a\ud800b",
    "\udfff",
    "x" * 50,
    "x" * 51,
    "é" * 100,
    "é" * 101,
    "x" * 200,
    "x" * 201,
    "x" * 2_000,
    "x" * 2_001,
    "x" * 10_000,
    "x" * 10_001,
    "x" * 100_000,
    "ÉCOLE",
    "école",
    "ß",
    "İ",
    "Zeta",
    "alpha",
    "%",
    "_",
    "\\",
    "'; --",
    "🎉" * 30,
    "\u202e\u0301",
    "\r\n\t",
    "#ff0000",
    "#FFFFFF",
    "#fff",
    "#gggggg",
    "bug",
    "BUG",
    "correct horse battery",
    "a" * 7,
    "a" * 8,
    "a" * 128,
    "a" * 129,
    "not-an-email",
    " OWNER@Example.COM ",
    *EMAILS,
]
EDGE_INTS = [0, 1, 19, 20, 21, 99, 100, 101, -1, 2**31 - 1, -(2**31), 2**31, -(2**31) - 1]
EDGE_DATES = ["2026-12-01", "0001-01-01", "9999-12-31", "2024-02-29", "2023-02-29", "20261201"]
EDGE_DATES += ["", "x", "2026-12-01T00:00:00Z", "+12026-01-01", "-0001-01-01", "2026-13-01"]
EDGE_DATETIMES = ["2026-11-20T10:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]
EDGE_DATETIMES += ["2026-11-20T10:00:00", "2026-11-20", "", "x", "2026-02-30T00:00:00+14:00"]
# What replaces one key value of a real cursor: other types, out of every range, nested.
CURSOR_VALUES: list[Any] = [10**30, -(10**30), 2**63, 2**31, -1, 1.5, True, None, "", "\x00"]
CURSOR_VALUES += ["a\ud800b", "x" * 500]
CURSOR_VALUES += ["9999-12-31T23:59:59+00:00", "0001-01-01", "0001-01-01T00:00:00", "2026-99-99"]
CURSOR_VALUES += [[[[]]], {"a": {"b": [1]}}, "É"]

any_text = st.text(st.characters(exclude_categories=()), max_size=30)


def _encode_cursor(raw: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode("utf-8", "surrogatepass")).decode()


@st.composite
def hostile_cursors(draw: st.DrawFn, cursors: list[str]) -> str:
    """A real cursor with one key value replaced, a key dropped or added, or not base64."""
    raw = json.loads(base64.urlsafe_b64decode(draw(st.sampled_from(cursors))))
    position = draw(st.integers(1, len(raw)))  # a key value, mostly: the order name is checked
    choice = draw(st.sampled_from(["replace", "replace", "replace", "drop", "add", "garble"]))
    if choice == "replace" and position < len(raw):
        raw[position] = draw(st.sampled_from(CURSOR_VALUES))
    elif choice == "drop":
        raw = raw[:position] + raw[position + 1 :]
    elif choice == "add":
        raw.insert(position, draw(st.sampled_from(CURSOR_VALUES)))
    else:
        return draw(st.sampled_from(cursors))[: -position or None] + draw(any_text)
    return _encode_cursor(raw)


def group_by_order(cursors: list[str]) -> dict[str, list[str]]:
    """`cursors` by the order name inside each (the first item of its JSON list)."""
    groups: dict[str, list[str]] = {}
    for cursor in cursors:
        groups.setdefault(json.loads(base64.urlsafe_b64decode(cursor))[0], []).append(cursor)
    return groups


def cursor_values(cursors: list[str]) -> st.SearchStrategy[str]:
    """For `after`/`before` (see `documents.aimed`): real cursors, and mostly hostile ones."""
    return st.one_of(st.sampled_from(cursors), hostile_cursors(cursors), hostile_cursors(cursors))


def scalar_values(cursors: list[str]) -> Mapping[str, st.SearchStrategy[graphql.ValueNode]]:
    """`custom_scalars` for hypothesis-graphql: every scalar of the schema, built-in or ours.

    `cursors` are real ones the server gave for the seeded world.
    """
    # Mostly plain, valid values, so that one hostile value in a document reaches the
    # resolvers instead of an earlier argument failing the field first.
    plain = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12)
    infected = st.builds(
        lambda before, bad, after: before + bad + after,
        plain,
        st.sampled_from(["\x00", "\ud800", "\udfff", "\ufffe", "\U0010ffff"]),
        plain,
    )
    strings = st.one_of(
        *[plain] * 4,
        infected,
        st.sampled_from(EDGE_TEXT),
        st.sampled_from(EDGE_TEXT),
        any_text,
        st.sampled_from(cursors),
        hostile_cursors(cursors),
        hostile_cursors(cursors),
    )
    world = st.sampled_from(WORLD_IDS)
    index = st.one_of(st.just(0), st.just(0), st.integers(0, 9))  # the first is the likeliest
    aimed = index.map(lambda index: f"{WORLD_ID}{index}")  # see documents.aimed
    ids = st.one_of(aimed, aimed, aimed, world, st.sampled_from(GARBAGE_IDS), strings)
    small = st.integers(0, 100)
    return {
        "String": strings.map(nodes.String),
        "ID": st.one_of(ids.map(nodes.String), st.sampled_from(EDGE_INTS).map(nodes.Int)),
        "Int": st.one_of(
            small, small, st.sampled_from(EDGE_INTS), st.integers(-(2**31), 2**31 - 1)
        ).map(nodes.Int),
        "Date": st.one_of(
            st.sampled_from(EDGE_DATES), st.dates().map(lambda day: day.isoformat())
        ).map(nodes.String),
        "DateTime": st.sampled_from(EDGE_DATETIMES).map(nodes.String),
    }
