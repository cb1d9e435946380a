"""Load benchmark of the real server on PostgreSQL (`make bench`; see bench/README.md)."""
