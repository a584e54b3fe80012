"""Helpers for the web tests: a real uvicorn server on 127.0.0.1, scripted models, and Gradio's HTTP API.

The scripted models stand in for the LLM where timing or failure is the point; they answer with
the passages' own sentences (so the grounder keeps them and the token sink is called per sentence),
slowly, and record when their stream is closed (the moment the model lock would be released).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Iterator

import httpx
import uvicorn

from tests.conftest import free_port


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


class ScriptedModel:
    """An LLM that copies the passages it is shown (marked), a word every `delay` seconds; `fail_after`
    words in, it raises `error` (by default an unexpected failure, not LLMUnavailable). After its first
    sentence it writes `filler` words with no sentence end, during which grounding passes nothing on."""

    name = "scripted"

    def __init__(self, delay: float = 0.05, fail_after: int | None = None, error: Exception | None = None,
                 filler: int = 0) -> None:
        self.delay, self.fail_after, self.error, self.filler = delay, fail_after, error, filler
        self.started = threading.Event()
        self.closed = threading.Event()  # set when a stream ends, however it ends
        self.words_sent = 0
        self.streams = 0
        self._lock = threading.Lock()  # like llama.cpp: one generation at a time

    def reset(self, delay: float | None = None) -> None:
        """Forget earlier streams (the container keeps one model for its life)."""
        self.started.clear()
        self.closed.clear()
        self.words_sent = self.streams = 0
        self.delay = self.delay if delay is None else delay

    def stream(self, messages, max_tokens, json_schema=None):
        if json_schema is not None:  # a review question: answer the schema plainly
            yield json.dumps({"direction": "neither"} if "direction" in json.dumps(json_schema) else {"harder": False})
            return
        sentences = [f"{claim} [{n}]." for n, claim in passage_claims(messages[-1]["content"])]
        words = " ".join(sentences[:1] + ["meanwhile"] * self.filler + sentences[1:]).split(" ")
        with self._lock:
            self.streams += 1
            self.started.set()
            try:
                for n, word in enumerate(words):
                    if self.fail_after is not None and n >= self.fail_after:
                        raise self.error or RuntimeError("scripted failure")
                    time.sleep(self.delay)
                    self.words_sent += 1
                    yield word + " "
            finally:
                self.closed.set()


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


def passage_claims(prompt: str) -> list[tuple[int, str]]:
    """(passage number, sentence or list line) for every passage in an answer prompt, in order."""
    claims = []
    for number, body in re.findall(r"^\[(\d+)\][^\n]*\n(.*?)(?=\n\n\[\d+\]|\n\nQuestion:|\Z)", prompt, re.S | re.M):
        for piece in re.split(r"(?<=[.!?])\s+|\n", body):
            piece = piece.strip(" -•*").rstrip(".!?:;")
            if len(piece.split()) >= 4:
                claims.append((int(number), piece))
    return claims


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
