"""GET /api/health (liveness, models, store; never behind a key or a queue) and the offline API reference at /docs."""

from __future__ import annotations

import html
import json
import logging
import os
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse

from assistant.frameworks import FrameworkError, load_frameworks
from ui.services import Services

log = logging.getLogger(__name__)
VERSION = "0.1.0"


def health(services: Services) -> dict[str, Any]:
    settings, components = services.settings, services.components
    documents = components.store.documents()
    try:
        frameworks = sorted(load_frameworks(settings))
    except FrameworkError as error:
        log.warning("frameworks could not be read: %s", error)
        frameworks = []
    lanes = services.lanes
    return {
        "status": "ok", "version": VERSION,
        "models": {"embedder": "all-MiniLM-L6-v2", "llm": components.models.name, "llm_loaded": components.models.loaded},
        "store": {"documents": len(documents), "chunks": sum(d.chunks for d in documents),
                  "backend": "chroma server" if settings.chroma_url else "chroma embedded",
                  "revision": components.store.revision()},
        "worker": os.getpid(),  # which process answered, when `tom serve --workers N` runs several
        "frameworks": frameworks,
        "queues": {lane.name: lane.queued for lane in (lanes.model, lanes.answers, lanes.ingest)},
    }


def router(services: Services, app: FastAPI) -> APIRouter:
    routes = APIRouter(tags=["health"])

    @routes.get("/api/health")
    async def api_health() -> dict[str, Any]:
        """Liveness: the models, the store and the frameworks; open to all and run in its own lane."""
        return await services.lanes.light.run(health, services)

    @routes.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(docs_page(app.openapi()))

    return routes


def docs_page(schema: dict[str, Any]) -> str:
    """The API reference as one static page (no script, no CDN): each operation with its summary and body."""
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
    info = schema["info"]
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(info['title'])} API</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto}td{border-top:1px solid #ddd;"
            "padding:4px 8px;vertical-align:top}pre{background:#f6f6f6;padding:6px}</style></head><body>"
            f"<h1>{html.escape(info['title'])} {html.escape(info['version'])}</h1>"
            f"<p>{html.escape(info.get('description', ''))} The machine-readable schema is at "
            "<a href='/openapi.json'>/openapi.json</a>.</p>"
            f"<table><thead><tr><th>method</th><th>path</th><th>what it does</th><th>body</th></tr></thead><tbody>{''.join(rows)}"
            f"</tbody></table><h2>Schemas</h2>{models}</body></html>")
