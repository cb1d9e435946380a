"""Demo data: `python -m app.seed` (or `make seed`) fills the database in `DATABASE_URL`.

The entry point only: the generator lives in `app.cli.seed`, outside the server's
import graph; `python -m app.seed --help` tells the arguments.
"""

from app.cli.seed.main import main

if __name__ == "__main__":
    main()
