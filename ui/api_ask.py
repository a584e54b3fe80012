"""POST /api/ask (the same object as `tom ask --json`) and /api/ask/stream (events quotations, token, citations, done)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sse_starlette import EventSourceResponse, ServerSentEvent

from assistant.answering import Answer, Quotations
from assistant.llm import ModelTurn, StopCheck
from assistant.retrieval import Filters
from ui import bridge, prechecks, sse
from ui.bridge import Sink
from ui.services import Services

log = logging.getLogger(__name__)


class AskRequest(BaseModel):
    question: str
    session: str | None = None
    mode: Literal["llm", "extractive"] | None = None
    council: str | None = None
    kind: str | None = None
    document: str | None = None


def ask_work(services: Services, body: AskRequest, history: list[dict] | None = None, tokens: bool = True,
             quotes: bool = False):
    """The blocking call the bridge runs: a chat message routed to the assistant (or the reviewer).

    Without `tokens` the answer is grounded once at the end (a third faster for extractive
    answers); either way the model stops at its next token once the client has gone or the time
    limit has passed (`should_stop`). With `quotes` the sink also gets an llm answer's `Quotations`
    (before any token), for a face that can show them and then replace them.
    """
    filters = Filters(council=body.council, kind=body.kind, document=body.document)

    def work(sink: Sink, should_stop: StopCheck, model_turn: ModelTurn) -> Answer:
        return services.components.chat.respond(body.question, session=body.session, mode=body.mode, filters=filters,
                                                on_token=sink if tokens else None, history=history,
                                                should_stop=should_stop, on_quotes=sink if quotes else None,
                                                model_turn=model_turn)
    return work


def router(services: Services) -> APIRouter:
    routes = APIRouter(tags=["ask"])
    read = Depends(services.auth.dependency(write=False))
    lanes, settings = services.lanes, services.settings

    @routes.post("/api/ask", dependencies=[read])
    async def api_ask(body: AskRequest, request: Request) -> dict[str, Any]:
        """Answer a question from the documents, with citations; exactly `Answer.to_dict()`."""
        prechecks.check_message(settings, body.question)
        lanes.check(body.mode, settings)
        work = ask_work(services, body, tokens=False)  # grounded once at the end; the model still stops if the client goes
        answer: Answer = await bridge.result(work, lanes, request.is_disconnected)
        return answer.to_dict()

    @routes.post("/api/ask/stream", dependencies=[read])
    async def api_ask_stream(body: AskRequest) -> EventSourceResponse:
        """The answer as server-sent events: in llm mode first `quotations` (the documents' best sentences, cited, while
        the model reads), then `token` per grounded piece, then `citations`, then `done` (the full answer)."""
        prechecks.check_message(settings, body.question)
        lanes.check(body.mode, settings)

        async def events() -> AsyncIterator[ServerSentEvent]:
            async with aclosing(bridge.stream(ask_work(services, body, quotes=True), lanes)) as items:
                async for item in items:
                    if item.kind == "item" and isinstance(item.payload, Quotations):
                        yield sse.event("quotations", item.payload.to_dict())
                    elif item.kind == "item":
                        yield sse.event("token", {"text": item.payload})
                    elif item.kind == "error":
                        yield sse.error_event(item.payload)
                    else:
                        data = item.payload.to_dict()
                        yield sse.event("citations", data["citations"])
                        yield sse.event("done", data)
        return sse.response(events())

    return routes
