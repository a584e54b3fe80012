"""Errors that carry their own HTTP status, so every face reports them the same way.

They live at the bottom layer because ingestion raises them too (a name already taken, a store
kept busy by another process); `assistant.errors` re-exports them for the layers above.
"""

from __future__ import annotations


class UserError(ValueError):
    """Bad input the user can fix: an empty or too long question, an unknown framework, a malformed id."""

    status = 400


class TooLarge(UserError):
    status = 413


class NotFound(UserError):
    status = 404


class Conflict(UserError):
    """The request clashes with what is stored (a document of that name exists)."""

    status = 409


class Unavailable(RuntimeError):
    """Not the user's fault and worth retrying: the store is busy with another process's write."""

    status = 503
