"""Shared fixtures: isolated data folders, the real embedder loaded once, and one real ingestion of
the sample corpus per session. Each test builds what it needs from a `Components` container, the
same composition root the CLI and the server use; no test clears a cache."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import ingest  # noqa: F401  (offline switches first)
from assistant.components import Components
from corpus import CORPUS_DIR
from ingest.settings import Settings, load_settings


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, **overrides)


@pytest.fixture(scope="session")
def embedder():
    """The real MiniLM embedder, loaded once for the whole test session."""
    from ingest.embedder import load_embedder

    return load_embedder(load_settings())


@pytest.fixture(scope="session")
def counter():
    from ingest.embedder import TokenCounter

    return TokenCounter(load_settings())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a private data folder (real Chroma on disk, real embedder)."""
    return make_settings(tmp_path / "data")


@pytest.fixture
def components(settings: Settings, embedder) -> Components:
    """A container over the private data folder, sharing the session's embedder."""
    return Components(settings, embedder=embedder)


@pytest.fixture
def ingester(components: Components):
    return components.ingester


@pytest.fixture(scope="session")
def corpus(embedder, tmp_path_factory: pytest.TempPathFactory) -> Components:
    """The sample corpus ingested into its own data folder, as a container; its model slot loads the
    real LLM on first use, once for the session."""
    data = tmp_path_factory.mktemp("corpus-data")
    folder = data / "corpus"
    shutil.copytree(CORPUS_DIR, folder, ignore=shutil.ignore_patterns("__*", "*.py"))
    settings = make_settings(data / "store", corpus_dir=folder, llm_model_path=load_settings().resolved_llm_path)
    components = Components(settings, embedder=embedder)
    summary = components.ingester.ingest()
    assert not summary.failed, summary.failed
    return components


@pytest.fixture(scope="session")
def corpus_settings(corpus: Components) -> Settings:
    return corpus.settings


@pytest.fixture(scope="session")
def retriever(corpus: Components):
    return corpus.retriever


@pytest.fixture(scope="session")
def assistant(corpus: Components):
    """The real assistant over the ingested corpus; the LLM loads on first llm-mode question."""
    return corpus.assistant


def key_facts_present(text: str, facts: list[str]) -> bool:
    """Every fact present; a fact may list alternatives separated by ' | '."""
    from ingest.text import alternatives

    lowered = text.lower()
    return all(any(alt.lower() in lowered for alt in alternatives(fact)) for fact in facts)


def assert_citations_resolve(answer, retriever) -> None:
    """Each citation names a chunk in the store, and its quote is verbatim in the document's own words."""
    from ingest.store import StoredChunk

    chunks: dict[str, StoredChunk] = {c.chunk_id: c for c in retriever.store.get([c.chunk_id for c in answer.citations])}
    for citation in answer.citations:
        assert citation.chunk_id in chunks, citation
        chunk = chunks[citation.chunk_id]
        assert citation.quote and citation.quote in chunk.metadata.get("source_text", chunk.text), citation
        assert f"[{citation.n}]" in answer.answer


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path):
    """A `chroma run` server on a free port of 127.0.0.1, over a folder of its own; yields its URL."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("chroma server did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


class ScriptedModel:
    """An LLM that copies the passages it is shown (marked), a word every `delay` seconds, after `wait`
    seconds of reading its prompt; `fail_after` words in, it raises `error` (by default an unexpected
    failure, not LLMUnavailable). After its first sentence it begins a second one and writes `filler` words
    with no sentence end, during which grounding passes nothing more on (the first sentence goes once the
    second has begun, as with a real model). The web tests use it where timing or failure is the point."""

    name = "scripted"

    def __init__(self, delay: float = 0.05, fail_after: int | None = None, error: Exception | None = None,
                 filler: int = 0, wait: float = 0.0) -> None:
        self.delay, self.fail_after, self.error, self.filler, self.wait = delay, fail_after, error, filler, wait
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
        filler = ["Meanwhile"] + ["meanwhile"] * (self.filler - 1) if self.filler else []
        words = " ".join(sentences[:1] + filler + sentences[1:]).split(" ")
        with self._lock:
            self.streams += 1
            self.started.set()
            try:
                time.sleep(self.wait)
                for n, word in enumerate(words):
                    if self.fail_after is not None and n >= self.fail_after:
                        raise self.error or RuntimeError("scripted failure")
                    time.sleep(self.delay)
                    self.words_sent += 1
                    yield word + " "
            finally:
                self.closed.set()


def passage_claims(prompt: str) -> list[tuple[int, str]]:
    """(passage number, sentence or list line) for every passage in an answer prompt, in order."""
    claims = []
    for number, body in re.findall(r"^\[(\d+)\][^\n]*\n(.*?)(?=\n\n\[\d+\]|\n\nQuestion:|\Z)", prompt, re.S | re.M):
        for piece in re.split(r"(?<=[.!?])\s+|\n", body):
            piece = piece.strip(" -•*").rstrip(".!?:;")
            if len(piece.split()) >= 4:
                claims.append((int(number), piece))
    return claims


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed (bash setup.sh test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


def local_only(page) -> list[str]:
    """Block and record every request the page makes outside 127.0.0.1; returns the (live) list."""
    outside: list[str] = []

    def route(route) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "file:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", route)
    return outside
