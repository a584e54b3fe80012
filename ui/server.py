"""One app on one port: the HTTP API and the Gradio UI mounted at /. `tom serve` runs it."""

from __future__ import annotations

import threading

import ingest  # noqa: F401  (offline switches first)
from assistant.answering import Assistant
from assistant.review import Reviewer
from ingest.settings import Settings


def build_app(settings: Settings, assistant: Assistant, reviewer: Reviewer):
    """The FastAPI app with the UI mounted; both share one assistant, reviewer and ingestion lock."""
    import gradio as gr

    from ui.api import create_app
    from ui.web import CSS, THEME, build_ui

    lock = threading.Lock()
    app = create_app(settings, assistant, reviewer, lock)
    ui = build_ui(settings, assistant, reviewer, lock)
    return gr.mount_gradio_app(app, ui, path="/", ssr_mode=False, theme=THEME, css=CSS, footer_links=["api"],
                               max_file_size=settings.max_upload_bytes, pwa=False, mcp_server=False)


def default_app():
    """The app over the process-wide settings (what `tom serve` and uvicorn's factory use)."""
    from assistant.answering import get_assistant
    from assistant.review import get_reviewer

    assistant = get_assistant()
    return build_app(assistant.settings, assistant, get_reviewer())


def serve(host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(default_app(), host=host, port=port, log_level="info")
