"""The committed `schema.graphql` is what `make schema` writes from the code.

When this fails, run `make schema` and commit the result.
"""

import subprocess
import sys
from pathlib import Path

from strawberry.printer import print_schema

from app.schema import schema

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    # `strawberry export-schema --output` writes the printed SDL plus one newline.
    assert str(schema) == print_schema(schema)
    assert COMMITTED.read_text(encoding="utf-8") == str(schema) + "\n", "run `make schema`"


def test_make_schema_reproduces_the_committed_file(tmp_path: Path) -> None:
    exported = tmp_path / "schema.graphql"
    strawberry = Path(sys.executable).parent / "strawberry"  # as the Makefile runs it

    subprocess.run(  # noqa: S603
        [str(strawberry), "export-schema", "app.schema:schema", "--output", str(exported)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert exported.read_bytes() == COMMITTED.read_bytes(), "run `make schema`"
