"""The `tom` CLI over the real store and embedder."""

import json

import pytest
from typer.testing import CliRunner

from ingest.settings import get_settings
from ui.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(corpus_settings, monkeypatch):
    """Point the process-wide settings at the ingested sample corpus."""
    monkeypatch.setenv("TOM_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("TOM_CORPUS_DIR", str(corpus_settings.corpus_dir))
    get_settings.cache_clear()
    from assistant import retrieval
    from ingest import store

    retrieval.get_retriever.cache_clear()
    store._cached_store.cache_clear()
    yield
    get_settings.cache_clear()
    retrieval.get_retriever.cache_clear()
    store._cached_store.cache_clear()


def test_search_json_has_the_documented_fields(cli_env):
    result = runner.invoke(app, ["search", "Which design principles does Somerset Council's TOM list?", "-k", "3", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    assert set(rows[0]) == {"rank", "chunk_id", "document", "title", "council", "section", "page", "score", "text"}
    assert rows[0]["section"].startswith("Appendix 2")


def test_search_council_filter(cli_env):
    result = runner.invoke(app, ["search", "layers", "--council", "London Borough of Merton", "--json"])
    assert {row["council"] for row in json.loads(result.stdout)} == {"London Borough of Merton"}


def test_documents_json(cli_env):
    result = runner.invoke(app, ["documents", "--json"])
    docs = {d["document"]: d for d in json.loads(result.stdout)}
    assert len(docs) == 5
    assert docs["merton-tom-scrutiny-report.txt"]["council"] == "London Borough of Merton"
    assert all(d["chunks"] > 0 for d in docs.values())


def test_ingest_json_on_an_unchanged_corpus_adds_nothing(cli_env):
    result = runner.invoke(app, ["ingest", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["added"] == [] and summary["updated"] == [] and len(summary["unchanged"]) == 5


def test_doctor_reports_each_check(cli_env):
    result = runner.invoke(app, ["doctor", "--json"])
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert {"python", "versions", "offline settings", "embedder", "store", "llm"} <= set(checks)
    assert checks["store"]["ok"] and checks["offline settings"]["ok"] and checks["embedder"]["ok"]
