"""An OpenAI-compatible chat endpoint (POST /v1/chat/completions, streaming too) and GET /v1/models.

The last user message is the question; earlier turns are the conversation, so the API keeps no
state. Answers carry their sources appended as text, for chat clients that show only text.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sse_starlette import ServerSentEvent

from assistant.answering import Answer
from ui import bridge, prechecks, sse
from ui.api_ask import AskRequest, ask_work
from ui.services import Services

log = logging.getLogger(__name__)
MODEL_ID = "tom-assistant"


class ChatMessage(BaseModel):
    role: str
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(part.get("text", "") for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False


def with_sources(answer: Answer) -> str:
    """An answer as plain text with its sources appended, each named by `Citation.label()`."""
    if not answer.citations:
        return answer.answer
    return answer.answer + "\n\nSources:\n" + "\n".join(f"{c.label()}: “{c.quote}”" for c in answer.citations)


def split_turns(body: ChatRequest) -> tuple[str, list[dict[str, str]]]:
    """The question (the last user message) and the earlier exchanges as the assistant's history."""
    turns = [m for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise HTTPException(400, "the last message must be the user's question")
    history = [{"standalone": q.text(), "answer": a.text()}
                for q, a in zip(turns[:-1:2], turns[1:-1:2]) if q.role == "user" and a.role == "assistant"]
    return turns[-1].text(), history


class Completion:
    """The ids and chunk shapes of one chat completion."""

    def __init__(self) -> None:
        self.created, self.id = int(time.time()), f"chatcmpl-{uuid.uuid4().hex[:24]}"

    def chunk(self, delta: dict[str, Any], finish: str | None = None) -> ServerSentEvent:
        return sse.event(None, {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": MODEL_ID,
                                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

    def whole(self, answer: Answer) -> dict[str, Any]:
        return {"id": self.id, "object": "chat.completion", "created": self.created, "model": MODEL_ID,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": with_sources(answer)}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


def router(services: Services) -> APIRouter:
    routes = APIRouter(tags=["openai"])
    read = Depends(services.auth.dependency(write=False))
    lanes, settings = services.lanes, services.settings

    @routes.get("/v1/models", dependencies=[read])
    async def v1_models() -> dict[str, Any]:
        """The one model this server offers."""
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "tom-assistant"}]}

    @routes.post("/v1/chat/completions", dependencies=[read])
    async def v1_chat(body: ChatRequest, request: Request):
        """OpenAI chat completions: answers from the documents, sources appended; `stream` for server-sent chunks."""
        question, history = split_turns(body)
        prechecks.check_message(settings, question)
        completion = Completion()
        lanes.check(None, settings)
        work = ask_work(services, AskRequest(question=question), history, tokens=body.stream)
        if not body.stream:
            return completion.whole(await bridge.result(work, lanes, request.is_disconnected))

        async def events() -> AsyncIterator[ServerSentEvent]:
            yield completion.chunk({"role": "assistant", "content": ""})
            async with aclosing(bridge.stream(work, lanes)) as items:
                async for item in items:
                    if item.kind == "item":
                        yield completion.chunk({"content": item.payload})
                    elif item.kind == "error":
                        yield completion.chunk({"content": f"\n\n(error: {item.payload.message})"})
                    elif item.payload.citations:
                        yield completion.chunk({"content": with_sources(item.payload)[len(item.payload.answer):]})
            yield completion.chunk({}, "stop")
            yield sse.event(None, "[DONE]")
        return sse.response(events())

    return routes
