"""Server-sent events through sse-starlette: it stops our generator when the client disconnects.

Closing the generator closes the `ui.bridge` stream it iterates (each route holds it in `aclosing`),
so the model stops at its next token (`should_stop`) and is freed. Lines end with a bare "\\n", as OpenAI clients expect.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette import EventSourceResponse, ServerSentEvent

from ui.bridge import Failure

log = logging.getLogger(__name__)


def event(name: str | None, data: Any) -> ServerSentEvent:
    """A named event whose data is JSON (or the raw string, for OpenAI's `data: [DONE]`)."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return ServerSentEvent(data=text, event=name, sep="\n")


def error_event(failure: Failure) -> ServerSentEvent:
    return event("error", {"detail": failure.message, "status": failure.status})


def response(events: AsyncIterator[ServerSentEvent]) -> EventSourceResponse:
    return EventSourceResponse(events, sep="\n")
