"""POST /api/review and /api/review/stream: JSON {"text", "framework"} or a form with `text` or a `file`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent

from assistant.errors import UserError
from assistant.llm import ModelTurn, StopCheck
from assistant.review import read_proposal
from ui import bridge, prechecks, sse, uploads
from ui.bridge import Sink
from ui.services import Services

log = logging.getLogger(__name__)


class ReviewRequest(BaseModel):
    text: str
    framework: str | None = None


class ReviewInputError(UserError):
    status = 422


def router(services: Services) -> APIRouter:
    routes = APIRouter(tags=["review"])
    read = Depends(services.auth.dependency(write=False))
    lanes, reviewer = services.lanes, services.components.reviewer

    async def review_input(request: Request) -> tuple[str, str | None]:
        """The proposal's text and framework; an uploaded file is read here (in the light lane), before any queueing."""
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            upload, framework = form.get("file"), (str(form["framework"]) if form.get("framework") else None)
            if hasattr(upload, "filename") and upload.filename:
                limit = services.settings.max_upload_bytes
                return await lanes.light.run(uploads.with_saved, upload.filename, upload.file, limit, read_proposal), framework
            return str(form.get("text") or ""), framework
        try:
            body = ReviewRequest.model_validate_json(await request.body())
        except ValidationError as error:
            raise ReviewInputError(f"send JSON {{\"text\": ..., \"framework\": ...}} or a form with a file "
                                   f"({error.error_count()} problem(s): {error.errors()[0]['msg']})") from None
        return body.text, body.framework

    def review_work(text: str, framework: str | None):
        def work(sink: Sink, should_stop: StopCheck, model_turn: ModelTurn) -> Any:
            return reviewer.review(text, framework, on_criterion=sink, should_stop=should_stop, model_turn=model_turn)
        return work

    @routes.post("/api/review", dependencies=[read])
    async def api_review(request: Request) -> dict[str, Any]:
        """Review a proposal against a framework: a verdict per criterion, with evidence and cited TOM passages."""
        text, framework = await review_input(request)
        prechecks.check_proposal(services.settings, text)
        lanes.check("llm", services.settings)
        review = await bridge.result(review_work(text, framework), lanes, request.is_disconnected)
        return review.to_dict()

    @routes.post("/api/review/stream", dependencies=[read])
    async def api_review_stream(request: Request) -> EventSourceResponse:
        """The review as server-sent events: `criterion` as each is judged, then `done` (the whole review)."""
        text, framework = await review_input(request)
        prechecks.check_proposal(services.settings, text)
        lanes.check("llm", services.settings)

        async def events() -> AsyncIterator[ServerSentEvent]:
            async with aclosing(bridge.stream(review_work(text, framework), lanes)) as items:
                async for item in items:
                    if item.kind == "item":
                        yield sse.event("criterion", item.payload.to_dict())
                    elif item.kind == "error":
                        yield sse.error_event(item.payload)
                    else:
                        yield sse.event("done", item.payload.to_dict())
        return sse.response(events())

    return routes
