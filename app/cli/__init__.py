"""Command-line tools, run with `python -m`; never imported by the server."""
