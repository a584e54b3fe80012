"""The API and UI over their own copy of the ingested corpus, so uploads and deletes touch nothing shared."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="module")
def api_settings(corpus_settings, tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    shutil.copytree(corpus_settings.data_dir, root / "data")
    shutil.copytree(corpus_settings.corpus_dir, root / "corpus")
    return corpus_settings.model_copy(update={"data_dir": root / "data", "corpus_dir": root / "corpus"})


@pytest.fixture(scope="module")
def api_parts(api_settings, assistant):
    """A real assistant and reviewer over the copy; the LLM is the session's, loaded once."""
    from assistant.answering import Assistant
    from assistant.conversations import AnswerLog
    from assistant.retrieval import Retriever
    from assistant.review import Reviewer
    from ingest.store import ChunkStore

    retriever = Retriever(api_settings, ChunkStore(api_settings))
    reviewer = Reviewer(api_settings, retriever.store, retriever.embedder, lambda: assistant.llm()[0])
    shared_llm = lambda: assistant.llm()[0]  # noqa: E731  (the session's model, not a second copy)
    helper = Assistant(api_settings, retriever, AnswerLog(api_settings.db_path), reviewer=reviewer, llm_factory=shared_llm)
    return helper, reviewer
