"""Demo data: `python -m app.seed` (or `make seed`) fills the database in `DATABASE_URL`.

The entry point only: the generator lives in `app.cli.seed` (outside the server's import
graph), where `python -m app.seed --help` and `app/cli/seed/main.py` tell the arguments.
"""

# Only for bench/ (run.py, ceiling.py, abuse.py), which still imports these four from here:
# remove them once it imports from app.cli.seed.generate and app.cli.seed.write.
from app.cli.seed.generate import DEMO_EMAIL, DEMO_PASSWORD, Scale
from app.cli.seed.write import seed

__all__ = ["DEMO_EMAIL", "DEMO_PASSWORD", "Scale", "seed"]

if __name__ == "__main__":
    from app.cli.seed.main import main

    main()
