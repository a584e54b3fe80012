"""Loading, chunking and storing documents: the bottom layer of tom-assistant."""

from ingest import offline as _offline  # noqa: F401  (must run before heavy imports)
