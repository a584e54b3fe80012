"""The HTTP API: JSON under /api, an OpenAI-compatible chat endpoint under /v1. Composition only.

Each feature is a router of its own (ask, review, documents, feedback, health, openai, login)
over one `Services` (container, auth rule, lanes, ingest lock). State lives in the assistant's
store and answer log, not in the process, so several API processes can share a Chroma server.
Errors a user caused carry their HTTP status (`UserError.status`) and are answered by one
handler; Host, Origin and body size are checked before any route runs (`ui.guards`).
"""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import ingest  # noqa: F401  (offline switches first)
from assistant.components import Components
from assistant.errors import UserError
from ui import api_ask, api_documents, api_feedback, api_health, api_openai, api_review, login
from ui.bridge import Failure, failure_of
from ui.guards import body_limit, install_guards
from ui.lanes import Busy, TimedOut
from ui.services import Services

log = logging.getLogger(__name__)
VERSION = api_health.VERSION
MODEL_ID = api_openai.MODEL_ID


async def answer_failure(request: Request, error: Exception) -> JSONResponse:
    """`{"detail": message}` with the status the error carries (and Retry-After when busy)."""
    failure = failure_of(error)
    return JSONResponse({"detail": failure.message}, status_code=failure.status, headers=failure.headers())


def create_app(components: Components, ingest_lock: threading.Lock | None = None, services: Services | None = None,
               hosts: list[str] | None = None) -> FastAPI:
    """The API over the process's components (`ui.server` mounts the Gradio UI on it, sharing `services`)."""
    services = services or Services.of(components, ingest_lock)
    # FastAPI's own /docs loads Swagger UI from a CDN; ours is rendered from the OpenAPI schema, offline
    app = FastAPI(title="tom-assistant", version=VERSION, docs_url=None, redoc_url=None,
                  max_body_size=body_limit(components.settings),  # counted as it streams, for the mounted UI too
                  description="Answers about a council's Target Operating Model, with verified citations.")
    for kind in (UserError, Failure, Busy, TimedOut):
        app.add_exception_handler(kind, answer_failure)
    app.include_router(login.router(services.auth))
    app.include_router(api_ask.router(services))
    app.include_router(api_review.router(services))
    app.include_router(api_documents.router(services))
    app.include_router(api_feedback.router(services))
    app.include_router(api_health.router(services, app))
    app.include_router(api_openai.router(services))
    app.add_middleware(login.UIGate, auth=services.auth)
    install_guards(app, components.settings, hosts)
    return app
