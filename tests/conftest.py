"""Shared fixtures: isolated data folders, and one real ingestion of the sample corpus per session."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

import ingest  # noqa: F401  (offline switches first)
from corpus import CORPUS_DIR
from ingest.settings import Settings, get_settings


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(data_dir=data_dir, **overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a private data folder (real Chroma on disk, real embedder)."""
    return make_settings(tmp_path / "data")


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A data folder holding the ingested sample corpus, shared by the tests that only read it."""
    from ingest.pipeline import ingest_paths

    data = tmp_path_factory.mktemp("corpus-data")
    corpus = data / "corpus"
    shutil.copytree(CORPUS_DIR, corpus, ignore=shutil.ignore_patterns("__*", "*.py"))
    settings = make_settings(data / "store", corpus_dir=corpus, llm_model_path=get_settings().resolved_llm_path)
    summary = ingest_paths(settings=settings)
    assert not summary.failed, summary.failed
    return settings


@pytest.fixture(scope="session")
def retriever(corpus_settings: Settings):
    from assistant.retrieval import Retriever
    from ingest.store import ChunkStore

    return Retriever(corpus_settings, ChunkStore(corpus_settings))


@pytest.fixture(scope="session")
def assistant(corpus_settings: Settings, retriever, tmp_path_factory: pytest.TempPathFactory):
    """The real assistant over the ingested corpus; the LLM loads on first llm-mode question."""
    from assistant.answering import Assistant
    from assistant.conversations import AnswerLog

    return Assistant(corpus_settings, retriever, AnswerLog(tmp_path_factory.mktemp("log") / "answers.sqlite3"))


def key_facts_present(text: str, facts: list[str]) -> bool:
    """Every fact present; a fact may list alternatives separated by ' | '."""
    lowered = text.lower()
    return all(any(alt.strip().lower() in lowered for alt in fact.split("|")) for fact in facts)


def assert_citations_resolve(answer, retriever) -> None:
    """Each citation names a chunk in the store whose text contains the quote verbatim."""
    from ingest.store import StoredChunk

    chunks: dict[str, StoredChunk] = {c.chunk_id: c for c in retriever.store.get([c.chunk_id for c in answer.citations])}
    for citation in answer.citations:
        assert citation.chunk_id in chunks, citation
        assert citation.quote and citation.quote in chunks[citation.chunk_id].text, citation
        assert f"[{citation.n}]" in answer.answer


def free_port() -> int:
    """A free TCP port on 127.0.0.1 for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
