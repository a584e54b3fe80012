"""A private copy of the project's store and corpus, served on 127.0.0.1, for the load benchmarks.

`bench_load.py` serves it with a scripted fast model (reviews load the queueing, not the LLM);
`load_asking.py` with the configured model.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
from pathlib import Path

import uvicorn

import ingest  # noqa: F401  (offline first)
from assistant.components import Components
from ingest.settings import load_settings
from ui.server import build_app


class FastModel:
    """Answers every review judgement at once (and any draft with nothing groundable)."""

    name = "scripted-fast"

    def stream(self, messages, max_tokens, json_schema=None):
        if json_schema is None:
            yield "NOT FOUND"
            return
        yield json.dumps({"direction": "towards"} if "direction" in json.dumps(json_schema) else {"harder": False})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def private_container(root: Path, real_model: bool = False) -> Components:
    """The project's store and corpus copied under `root`, with the fast scripted model (or the configured one)."""
    settings = load_settings()
    shutil.copytree(settings.chroma_dir, root / "data" / "chroma")
    shutil.copytree(settings.corpus_dir, root / "corpus", ignore=shutil.ignore_patterns("__*", "*.py"))
    private = settings.model_copy(update={"data_dir": root / "data", "corpus_dir": root / "corpus"})
    components = Components(private, llm_factory=None if real_model else FastModel)
    if not components.store.documents():
        components.ingester.ingest()
    return components


def serve(components: Components) -> tuple[uvicorn.Server, threading.Thread, str]:
    """The whole app (API and UI) on a free port of 127.0.0.1: (server, its thread, base URL)."""
    server = uvicorn.Server(uvicorn.Config(build_app(components), host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.1)
    return server, thread, f"http://127.0.0.1:{server.config.port}"
