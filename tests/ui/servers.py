"""Helpers for the web tests: a real uvicorn server on 127.0.0.1, services over a scripted model, and Gradio's HTTP API.

The scripted model (`tests.conftest.ScriptedModel`, shared with the assistant's tests) stands in for
the LLM where timing or failure is the point; it answers with the passages' own sentences (so the
grounder keeps them and the token sink is called per sentence), slowly, and records when its stream
is closed (the moment the model lock would be released).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator

import httpx
import uvicorn

from tests.conftest import ScriptedModel, free_port


@contextlib.contextmanager
def running(app) -> Iterator[str]:
    """Serve `app` on a free port of 127.0.0.1 for the duration; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        thread.join(0.1)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(15)


def services_over(api_settings, api_parts, model: ScriptedModel, model_queue: int = 3, timeout: float = 60):
    """Services answering in llm mode with `model`: one model call at a time, `model_queue` waiting."""
    from assistant.components import Components
    from ui.auth import Auth
    from ui.lanes import Lane, Lanes
    from ui.services import Services

    components = Components(api_settings.model_copy(update={"answer_mode": "llm"}), llm_factory=lambda: model,
                            embedder=api_parts.embedder)
    lanes = Lanes(model=Lane("model", 1, model_queue), answers=Lane("answer", 2, 32), ingest=Lane("ingest", 1, 8),
                  light=Lane("light", 4, None), timeout=timeout)
    return Services(components, Auth([], False), lanes)


def gradio_call(base: str, api_name: str, data: list, headers: dict | None = None, timeout: float = 120) -> tuple[str, object]:
    """Call a Gradio event over its HTTP API (/gradio_api/call/...); returns (last SSE event, its data).

    Raises httpx.HTTPStatusError when the call itself is refused (e.g. 401)."""
    with httpx.Client(timeout=timeout, headers=headers or {}) as http:
        joined = http.post(f"{base}/gradio_api/call/{api_name}", json={"data": data})
        joined.raise_for_status()
        event_id = joined.json()["event_id"]
        kind, payload = "", None
        with http.stream("GET", f"{base}/gradio_api/call/{api_name}/{event_id}") as reply:
            reply.raise_for_status()
            for line in reply.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    payload = json.loads(line[6:]) if line[6:] not in ("", "null") else None
                    if kind in ("complete", "error"):
                        return kind, payload
        return kind, payload


def ask_in_browser(page, question: str, timeout_ms: int = 60_000) -> str:
    """Ask `question` in extractive mode through the chat tab; returns the chat's text once sources show."""
    page.get_by_label("extractive").first.check()
    page.locator("#question textarea").fill(question)
    page.locator("#ask-button").click()
    page.locator("#sources .src").first.wait_for(timeout=timeout_ms)
    return page.locator("#chat").inner_text()
