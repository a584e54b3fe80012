"""POST /api/feedback: a rating (and comment) on an answer, kept in the answer log."""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from assistant.errors import NotFound
from ui.services import Services

log = logging.getLogger(__name__)


class FeedbackRequest(BaseModel):
    answer_id: str = Field(max_length=64)
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=2000)


def router(services: Services) -> APIRouter:
    routes = APIRouter(tags=["feedback"])
    write = Depends(services.auth.dependency(write=True))

    def record(body: FeedbackRequest) -> dict[str, Any]:
        try:
            services.components.assistant.log.add_feedback(body.answer_id, body.rating, body.comment)
        except KeyError:
            raise NotFound(f"no answer '{body.answer_id}'") from None
        return {"answer_id": body.answer_id, "rating": body.rating}

    @routes.post("/api/feedback", dependencies=[write])
    async def api_feedback(body: FeedbackRequest) -> dict[str, Any]:
        """Record whether an answer helped (`up` or `down`), with an optional comment."""
        return await services.lanes.light.run(record, body)

    return routes
