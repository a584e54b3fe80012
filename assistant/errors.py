"""The one kind of error a user caused and can fix: it carries its own HTTP status and message.

Every face shows the message as it is (the CLI in red, the API as `{"detail": …}` with the
status, the UI as a warning), so no face decides a status by reading the text.
"""

from __future__ import annotations


class UserError(ValueError):
    """Bad input: an empty or too long question, an unknown framework, a malformed session id."""

    status = 400


class TooLarge(UserError):
    status = 413


class NotFound(UserError):
    status = 404
