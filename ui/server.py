"""One app on one port: the HTTP API and the Gradio UI mounted at /. `tom serve` runs it.

Both faces share one `Services`: the same auth rule (Gradio's `auth_dependency` is the API's key
check), the same lanes and time limit, and the same ingestion lock.
"""

from __future__ import annotations

import logging
import os

import ingest  # noqa: F401  (offline switches first)
from assistant.components import Components

log = logging.getLogger(__name__)


def build_app(components: Components, hosts: list[str] | None = None):
    """The FastAPI app with the UI mounted; `hosts` are accepted Host names besides 127.0.0.1, localhost and TOM_HOST."""
    import gradio as gr

    from ui.api import create_app
    from ui.services import Services
    from ui.web import CSS, THEME, build_ui

    services = Services.of(components)
    app = create_app(components, services=services, hosts=hosts)
    auth = services.auth.gradio_user if services.auth.enabled else None
    return gr.mount_gradio_app(app, build_ui(services), path="/", ssr_mode=False, theme=THEME, css=CSS, footer_links=["api"],
                               max_file_size=components.settings.max_upload_bytes, pwa=False, mcp_server=False,
                               auth_dependency=auth)


def default_app():
    """The app over settings from the environment (uvicorn's `--factory ui.server:default_app`)."""
    return build_app(Components())


def serve(components: Components, host: str, port: int, workers: int = 1) -> None:
    """Serve on host:port. Several workers are separate processes, each building its app from the
    environment (`default_app`; the host is passed on as TOM_HOST, which the Host check accepts): they
    share the data folder, so a document one of them stores is seen by the others on their next request."""
    import uvicorn

    if workers == 1:
        uvicorn.run(build_app(components, hosts=[host]), host=host, port=port, log_level="info")
        return
    os.environ["TOM_HOST"] = host
    log.info("serving with %d worker processes", workers)
    uvicorn.run("ui.server:default_app", factory=True, workers=workers, host=host, port=port, log_level="info")
