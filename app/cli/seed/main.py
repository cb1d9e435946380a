"""The command line of `python -m app.seed`: `main(argv)`.

In: the arguments (`--users`, `--projects`, `--tasks`, `--seed`, `--reset`) and
`DATABASE_URL` from the settings. Out: the database migrated and seeded, and two lines on
stdout (what was written, and the demo login); on bad arguments or settings, or a
database that already holds data without `--reset`, it exits with a message instead.
"""

import argparse
import sys
import time
from collections.abc import Sequence

from pydantic import ValidationError

from app.cli.seed.generate import DEFAULT_SEED, DEMO_EMAIL, DEMO_PASSWORD, Scale
from app.cli.seed.write import DatabaseNotEmpty, migrate_and_seed
from app.config import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.seed",
        description="Fill the database in DATABASE_URL with demo data (migrating it first).",
    )
    default = Scale()
    parser.add_argument("--users", type=int, default=default.users, help="users (demo included)")
    parser.add_argument("--projects", type=int, default=default.projects, help="shared projects")
    parser.add_argument("--tasks", type=int, default=default.tasks, help="tasks")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--reset", action="store_true", help="delete every existing row first (all tables)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse `argv` (default: sys.argv), migrate and seed `DATABASE_URL`, report on stdout."""
    args = _parser().parse_args(argv)
    scale = Scale(users=args.users, projects=args.projects, tasks=args.tasks)
    if scale.users < 1 or scale.projects < 0 or scale.tasks < 0:
        sys.exit("--users must be at least 1; --projects and --tasks at least 0")
    try:
        database_url = Settings().database_url
    except ValidationError as error:
        sys.exit(f"Invalid settings: {error}")
    started = time.perf_counter()
    try:
        data = migrate_and_seed(database_url, scale, reset=args.reset, seed_value=args.seed)
    except DatabaseNotEmpty as error:
        sys.exit(f"Refusing to seed: {error}.")
    elapsed = time.perf_counter() - started
    print(
        f"Seeded {len(data.users)} users, {len(data.projects)} projects "
        f"({scale.projects} shared + {len(data.users)} personal), {len(data.members)} "
        f"memberships, {len(data.tasks)} tasks, {len(data.tags)} tags, "
        f"{len(data.task_tags)} task tags in {elapsed:.1f} s."
    )
    print(f"Log in as {DEMO_EMAIL} / {DEMO_PASSWORD} (every seeded user has that password).")
