"""Size checks made before a request queues, so an oversized message is refused at once, not after a wait.

They mirror the first check the assistant itself makes (`Chat.respond` for a chat message,
`Reviewer.review` for a proposal), which stays the authority: these only move the refusal ahead
of the queue. Both are linear in the text and read nothing else.
"""

from __future__ import annotations

import logging

from assistant.answering import QuestionTooLong
from assistant.review import ProposalTooLong
from ingest.settings import Settings

log = logging.getLogger(__name__)


def check_message(settings: Settings, message: str | None) -> None:
    """A chat message may be a question or a pasted proposal, so the larger limit applies (as in `Chat.respond`)."""
    limit = max(settings.max_question_chars, settings.max_proposal_chars)
    if len(message or "") > limit:
        raise QuestionTooLong(f"the message is {len(message or '')} characters; the limit is {limit}")


def check_proposal(settings: Settings, text: str | None) -> None:
    """The proposal's length as `Reviewer.review` measures it (line ends folded, outer space stripped)."""
    length = len((text or "").replace("\r\n", "\n").strip())
    if length > settings.max_proposal_chars:
        raise ProposalTooLong(f"the proposal is {length} characters; the limit is {settings.max_proposal_chars}"
                              " (review the relevant section, or raise TOM_MAX_PROPOSAL_CHARS)")
