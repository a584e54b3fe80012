"""The HTTP API: JSON under /api, an OpenAI-compatible chat endpoint under /v1. Translation only.

State lives in the assistant's store and answer log, not in the process, so several API
processes can share a Chroma server. API keys (TOM_API_KEYS) guard every write and, with
TOM_AUTH_READS, every read. Sizes are checked before any work: the request body, uploads,
questions and proposals each get a clear 4xx.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

import ingest  # noqa: F401  (offline switches first)
from assistant.answering import Answer
from assistant.components import Components
from assistant.errors import UserError
from assistant.frameworks import FrameworkError, load_frameworks
from assistant.retrieval import Filters
from assistant.review import read_proposal
from ingest.loaders import SUPPORTED_SUFFIXES

VERSION = "0.1.0"
MODEL_ID = "tom-assistant"


class AskRequest(BaseModel):
    question: str
    session: str | None = None
    mode: Literal["llm", "extractive"] | None = None
    council: str | None = None
    kind: str | None = None
    document: str | None = None


class ReviewRequest(BaseModel):
    text: str
    framework: str | None = None


class FeedbackRequest(BaseModel):
    answer_id: str
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=2000)


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


def answer_json(answer: Answer) -> dict[str, Any]:
    """The same object as `tom ask --json`."""
    return answer.to_dict()


def with_sources(answer: Answer) -> str:
    """An answer as plain text with its sources appended, for chat clients that show only text."""
    if not answer.citations:
        return answer.answer
    lines = [f"{c.label()}: “{c.quote}”" for c in answer.citations]
    return answer.answer + "\n\nSources:\n" + "\n".join(lines)


def create_app(components: Components, ingest_lock: threading.Lock | None = None) -> FastAPI:
    """The API over the process's components (the Gradio UI is mounted on it by `ui.server`)."""
    settings, assistant, reviewer, chat = components.settings, components.assistant, components.reviewer, components.chat
    # FastAPI's own /docs loads Swagger UI from a CDN; ours is rendered here from the OpenAPI schema, offline
    app = FastAPI(title="tom-assistant", version=VERSION, docs_url=None, redoc_url=None,
                  description="Answers about a council's Target Operating Model, with verified citations.")
    lock = ingest_lock or threading.Lock()

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload_bytes + 100_000:
            return JSONResponse({"detail": f"request body is {int(length)} bytes; the limit is {settings.max_upload_bytes}"},
                                status_code=413)
        return await call_next(request)

    def key_of(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        return header[7:].strip() if header.lower().startswith("bearer ") else None

    def require(write: bool) -> Callable[[Request], None]:
        def check(request: Request) -> None:
            if not settings.api_keys or (not write and not settings.auth_reads):
                return
            if key_of(request) not in settings.api_keys:
                raise HTTPException(401, "a valid API key is needed: send 'Authorization: Bearer <key>'",
                                    headers={"WWW-Authenticate": "Bearer"})
        return check

    read, write = Depends(require(False)), Depends(require(True))

    def ask(body: AskRequest, on_token=None, history=None) -> Answer:
        try:
            return chat.respond(body.question, session=body.session, mode=body.mode,
                                filters=Filters(council=body.council, kind=body.kind, document=body.document),
                                on_token=on_token, history=history)
        except UserError as error:
            raise HTTPException(error.status, str(error)) from None

    @app.post("/api/ask", dependencies=[read])
    def api_ask(body: AskRequest) -> dict[str, Any]:
        return answer_json(ask(body))

    @app.post("/api/ask/stream", dependencies=[read])
    async def api_ask_stream(body: AskRequest) -> StreamingResponse:
        async def events() -> AsyncIterator[str]:
            async for kind, payload in run_streaming(lambda sink: ask(body, on_token=sink)):
                if kind == "token":
                    yield sse("token", {"text": payload})
                elif kind == "error":
                    yield sse("error", {"detail": payload})
                else:
                    data = answer_json(payload)
                    yield sse("citations", data["citations"])
                    yield sse("done", data)
        return StreamingResponse(events(), media_type="text/event-stream")

    def review_text(text: str | None, upload: UploadFile | None) -> str:
        if upload is not None and upload.filename:
            return read_upload(upload, read_proposal)
        return text or ""

    def review(text: str, framework: str | None, on_criterion=None) -> dict[str, Any]:
        try:
            return reviewer.review(text, framework, on_criterion=on_criterion).to_dict()
        except UserError as error:
            raise HTTPException(error.status, str(error)) from None

    @app.post("/api/review", dependencies=[read])
    async def api_review(request: Request) -> dict[str, Any]:
        text, framework = await review_input(request)
        return await asyncio.to_thread(review, text, framework)

    @app.post("/api/review/stream", dependencies=[read])
    async def api_review_stream(request: Request) -> StreamingResponse:
        text, framework = await review_input(request)

        async def events() -> AsyncIterator[str]:
            async for kind, payload in run_streaming(lambda sink: review(text, framework, on_criterion=sink)):
                if kind == "token":
                    yield sse("criterion", payload.to_dict())
                elif kind == "error":
                    yield sse("error", {"detail": payload})
                else:
                    yield sse("done", payload)
        return StreamingResponse(events(), media_type="text/event-stream")

    async def review_input(request: Request) -> tuple[str, str | None]:
        """A review takes JSON ({"text", "framework"}) or a form with `text` or an uploaded `file`."""
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("file")
            text = review_text(str(form.get("text") or ""), upload if hasattr(upload, "filename") else None)
            return text, (str(form["framework"]) if form.get("framework") else None)
        try:
            body = ReviewRequest.model_validate(await request.json())
        except Exception as error:  # malformed JSON or missing field
            raise HTTPException(422, f"send JSON {{\"text\": ..., \"framework\": ...}} or a form with a file ({error})") from None
        return body.text, body.framework

    def read_upload(upload: UploadFile, reader: Callable[[Path], str]) -> str:
        with tempfile.TemporaryDirectory() as folder:
            path = save_upload(upload, Path(folder))
            return reader(path)

    def save_upload(upload: UploadFile, folder: Path) -> Path:
        """Write an upload under `folder` by its base name only; refuses names that escape or are unknown."""
        name = upload.filename or ""
        if not name or name.startswith(".") or any(mark in name for mark in ("/", "\\", "..", "\x00")):
            raise HTTPException(400, f"unacceptable file name {upload.filename!r}: give a plain file name")
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise HTTPException(415, f"{name}: unsupported format; use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}")
        path = folder / name
        size = 0
        with path.open("wb") as sink:
            while chunk := upload.file.read(1 << 20):
                size += len(chunk)
                if size > settings.max_upload_bytes:
                    raise HTTPException(413, f"{name} is over the upload limit of {settings.max_upload_bytes} bytes")
                sink.write(chunk)
        return path

    @app.get("/api/documents", dependencies=[read])
    def api_documents() -> list[dict[str, Any]]:
        from dataclasses import asdict

        return [asdict(info) for info in assistant.retriever.store.documents()]

    @app.post("/api/documents", dependencies=[write])
    def api_upload(file: UploadFile = File(...)) -> dict[str, Any]:
        """Ingest an upload; it joins the corpus folder only when ingestion succeeded."""
        with tempfile.TemporaryDirectory() as folder, lock:
            staged = save_upload(file, Path(folder))
            summary = components.ingester.add(staged)
        if summary.failed:
            raise HTTPException(422, f"{staged.name} was not ingested: {summary.failed[0]['reason']}")
        return summary.to_dict()

    @app.delete("/api/documents/{document}", dependencies=[write])
    def api_delete(document: str) -> dict[str, Any]:
        with lock:
            if document not in {info.document for info in components.store.documents()}:
                raise HTTPException(404, f"no document '{document}'")
            removed = components.ingester.delete(document)
        return {"document": document, "removed_chunks": removed}

    @app.post("/api/feedback", dependencies=[write])
    def api_feedback(body: FeedbackRequest) -> dict[str, Any]:
        try:
            assistant.log.add_feedback(body.answer_id, body.rating, body.comment)
        except KeyError as error:
            raise HTTPException(404, str(error).strip("'\"")) from None
        return {"answer_id": body.answer_id, "rating": body.rating}

    @app.get("/api/health")
    def api_health() -> dict[str, Any]:
        store = assistant.retriever.store
        documents = store.documents()
        try:
            frameworks = sorted(load_frameworks(settings))
        except FrameworkError:
            frameworks = []
        return {
            "status": "ok", "version": VERSION,
            "models": {"embedder": "all-MiniLM-L6-v2", "llm": components.models.name, "llm_loaded": components.models.loaded},
            "store": {"documents": len(documents), "chunks": sum(d.chunks for d in documents),
                      "backend": "chroma server" if settings.chroma_url else "chroma embedded"},
            "frameworks": frameworks,
        }

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(docs_page(app.openapi()))

    @app.get("/v1/models", dependencies=[read])
    def v1_models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "tom-assistant"}]}

    @app.post("/v1/chat/completions", dependencies=[read])
    async def v1_chat(body: ChatRequest):
        """The last user message is the question; earlier turns are the conversation (the API keeps no state)."""
        turns = [m for m in body.messages if m.role in ("user", "assistant")]
        if not turns or turns[-1].role != "user":
            raise HTTPException(400, "the last message must be the user's question")
        history = [{"standalone": q.text(), "answer": a.text()}
                   for q, a in zip(turns[:-1:2], turns[1:-1:2]) if q.role == "user" and a.role == "assistant"]
        request = AskRequest(question=turns[-1].text())
        created, ident = int(time.time()), f"chatcmpl-{uuid.uuid4().hex[:24]}"

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            return "data: " + json.dumps({"id": ident, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                                          "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}) + "\n\n"

        if not body.stream:
            answer = await asyncio.to_thread(ask, request, None, history)
            return {"id": ident, "object": "chat.completion", "created": created, "model": MODEL_ID,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": with_sources(answer)},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}

        async def events() -> AsyncIterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            async for kind, payload in run_streaming(lambda sink: ask(request, on_token=sink, history=history)):
                if kind == "token":
                    yield chunk({"content": payload})
                elif kind == "error":
                    yield chunk({"content": f"\n\n(error: {payload})"})
                elif payload.citations:
                    yield chunk({"content": with_sources(payload)[len(payload.answer):]})
            yield chunk({}, "stop")
            yield "data: [DONE]\n\n"
        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def docs_page(schema: dict[str, Any]) -> str:
    """The API reference as one static page (no script, no CDN): each operation with its summary and body."""
    import html

    rows = []
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            kinds = ", ".join(body) or "–"
            refs = [c.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1] for c in body.values()]
            rows.append(f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code></td>"
                        f"<td>{html.escape(operation.get('summary', ''))}<br><small>{html.escape(operation.get('description', '') or '')}</small></td>"
                        f"<td>{html.escape(kinds)} {html.escape(' '.join(r for r in refs if r))}</td></tr>")
    models = "".join(
        f"<h3 id='{html.escape(name)}'>{html.escape(name)}</h3><pre>{html.escape(json.dumps(model.get('properties', {}), indent=1))}</pre>"
        for name, model in schema.get("components", {}).get("schemas", {}).items()
    )
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(schema['info']['title'])} API</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto}td{border-top:1px solid #ddd;"
            "padding:4px 8px;vertical-align:top}pre{background:#f6f6f6;padding:6px}</style></head><body>"
            f"<h1>{html.escape(schema['info']['title'])} {html.escape(schema['info']['version'])}</h1>"
            f"<p>{html.escape(schema['info'].get('description', ''))} The machine-readable schema is at "
            "<a href='/openapi.json'>/openapi.json</a>.</p>"
            f"<table><thead><tr><th>method</th><th>path</th><th>what it does</th><th>body</th></tr></thead><tbody>{''.join(rows)}"
            f"</tbody></table><h2>Schemas</h2>{models}</body></html>")


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def run_streaming(work: Callable[[Callable[[Any], None]], Any]) -> AsyncIterator[tuple[str, Any]]:
    """Run blocking `work(sink)` in a thread; yield ("token", item) for each sink call, then ("done", result)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

    def sink(item: Any) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, ("token", item))

    def target() -> None:
        try:
            result = work(sink)
            loop.call_soon_threadsafe(queue.put_nowait, ("done", result))
        except HTTPException as error:
            loop.call_soon_threadsafe(queue.put_nowait, ("error", error.detail))
        except Exception as error:  # reported to the client as an event, not a dropped connection
            loop.call_soon_threadsafe(queue.put_nowait, ("error", f"{type(error).__name__}: {error}"))

    threading.Thread(target=target, daemon=True).start()
    while True:
        kind, payload = await queue.get()
        yield kind, payload
        if kind != "token":
            return
