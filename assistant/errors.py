"""The errors a user caused and can fix, each carrying its HTTP status (defined in `ingest.errors`,
the bottom layer, because ingestion raises them too).

Every face shows the message as it is (the CLI in red, the API as `{"detail": …}` with the
status, the UI as a warning), so no face decides a status by reading the text.
"""

from ingest.errors import Conflict, NotFound, TooLarge, Unavailable, UserError

__all__ = ["Conflict", "NotFound", "TooLarge", "Unavailable", "UserError"]
