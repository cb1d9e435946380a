"""Node clients in tests (the graphql-http audit, Apollo Client): their pinned npm packages."""

import subprocess
from pathlib import Path

NPM_CI_DEADLINE_SECONDS = 300


def ensure_npm_packages(directory: Path, package: str) -> None:
    """`npm ci` in `directory` (from its lock) unless `package` is installed there already.

    `make pytest` installs them first; this covers a test run without make (a fresh clone).
    """
    if not (directory / "node_modules" / package / "package.json").is_file():
        install = ["npm", "ci", "--prefix", str(directory), "--no-audit", "--no-fund"]
        subprocess.run(install, check=True, timeout=NPM_CI_DEADLINE_SECONDS)  # noqa: S603
