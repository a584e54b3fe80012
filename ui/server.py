"""One app on one port: the HTTP API and the Gradio UI mounted at /. `tom serve` runs it."""

from __future__ import annotations

import threading

import ingest  # noqa: F401  (offline switches first)
from assistant.components import Components


def build_app(components: Components):
    """The FastAPI app with the UI mounted; both share one set of components and one ingestion lock."""
    import gradio as gr

    from ui.api import create_app
    from ui.web import CSS, THEME, build_ui

    lock = threading.Lock()
    app = create_app(components, lock)
    ui = build_ui(components, lock)
    return gr.mount_gradio_app(app, ui, path="/", ssr_mode=False, theme=THEME, css=CSS, footer_links=["api"],
                               max_file_size=components.settings.max_upload_bytes, pwa=False, mcp_server=False)


def default_app():
    """The app over settings from the environment (uvicorn's `--factory ui.server:default_app`)."""
    return build_app(Components())


def serve(components: Components, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(build_app(components), host=host, port=port, log_level="info")
