"""Shared fixtures: isolated data folders, and one real ingestion of the sample corpus per session."""

from __future__ import annotations

import shutil
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
