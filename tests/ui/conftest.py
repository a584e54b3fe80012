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
def api_parts(api_settings, corpus):
    """A real container over the copy, sharing the session's embedder and model slot (not a second copy)."""
    from assistant.components import Components

    return Components(api_settings, embedder=corpus.embedder, models=corpus.models)
