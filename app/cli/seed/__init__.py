"""Demo data for `python -m app.seed` (or `make seed`), one module a job.

- `vocabulary`: the names and words the rows are made of (constants only).
- `dataset`: `Dataset`, the rows per table that the generator returns and `write` inserts.
- `generate`: `Scale` and `generate(scale, ...)` -> `Dataset`, in memory, no database;
  users, projects, members and tags (with `tasks` for the tasks and their tags).
- `write`: `seed(engine, scale, ...)` generates and inserts into a migrated database;
  `DatabaseNotEmpty` when it holds data and no reset was asked.
- `main`: the command line (argparse), `main(argv)`.
"""
