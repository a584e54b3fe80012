"""The assistant's own input checks, made before a request queues, so a message that would be refused is
refused at once, not after a wait for the model.

The checks live in the assistant layer (`assistant.chat.check_message` for a chat message,
`assistant.review.check_proposal` for a proposal), which makes them again when the work runs: the
faces hold no limits of their own. Both are linear in the text and read nothing else.
"""

from __future__ import annotations

import logging

from assistant.chat import check_message as check_chat_message
from assistant.review import check_proposal as check_review_proposal
from ingest.settings import Settings

log = logging.getLogger(__name__)


def check_message(settings: Settings, message: str | None) -> None:
    """A chat message as `Chat.respond` checks it (length first, then as a question or a pasted proposal)."""
    check_chat_message(message, settings)


def check_proposal(settings: Settings, text: str | None) -> None:
    """A proposal as `Reviewer.review` checks it (empty, or over TOM_MAX_PROPOSAL_CHARS)."""
    check_review_proposal(text, settings)
