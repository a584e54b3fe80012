"""The `tom` CLI over the real store and embedder."""

import json

import pytest
from typer.testing import CliRunner

from tests.conftest import ScriptedModel
from ui.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(corpus_settings, monkeypatch):
    """Point the CLI's settings (read afresh by each invocation) at the ingested sample corpus."""
    monkeypatch.setenv("TOM_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("TOM_CORPUS_DIR", str(corpus_settings.corpus_dir))
    monkeypatch.setenv("TOM_LLM_MODEL_PATH", str(corpus_settings.resolved_llm_path))


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


def test_framework_list_and_show(cli_env):
    listed = json.loads(runner.invoke(app, ["framework", "list", "--json"]).stdout)
    assert {f["name"] for f in listed} >= {"somerset-design-principles", "somerset-themes"}
    assert [f["name"] for f in listed if f["default"]] == ["somerset-design-principles"]
    shown = json.loads(runner.invoke(app, ["framework", "show", "somerset-themes", "--json"]).stdout)
    assert [c["name"] for c in shown["criteria"]][:2] == ["People and Skills", "Digital and Technology"]
    missing = runner.invoke(app, ["framework", "show", "nope"])
    assert missing.exit_code == 2 and "unknown framework" in missing.output


def test_review_reads_stdin_and_says_what_is_missing(cli_env):
    result = runner.invoke(app, ["review", "-", "--json"], input="We want to make things better. It will be great.")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"overall", "summary", "framework", "criteria", "warnings"}
    assert {c["verdict"] for c in data["criteria"]} == {"not_addressed"} and data["warnings"]
    assert set(data["criteria"][0]) == {"name", "verdict", "reason", "evidence", "citations", "suggestion"}
    empty = runner.invoke(app, ["review", "-"], input="   ")
    assert empty.exit_code == 2 and "empty" in empty.output
    unknown = runner.invoke(app, ["review", "proposal.xyz"])
    assert unknown.exit_code == 2


def test_rich_markup_in_a_document_is_shown_not_parsed(tmp_path, monkeypatch):
    """A heading such as "[/x]" used to crash `tom documents|search|ask` (Rich read it as markup)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "markup.txt").write_text("Roles [/x] and [bold]teams[/bold]\n\nThe [red]board[/red] meets monthly.\n", encoding="utf-8")
    monkeypatch.setenv("TOM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TOM_CORPUS_DIR", str(folder))
    assert runner.invoke(app, ["ingest", str(folder)]).exit_code == 0
    for command in (["documents"], ["search", "board meets", "-k", "1"], ["ask", "When does the board meet?", "--mode", "extractive"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, (command, result.output)
        assert "[/x]" in result.output or "[red]board[/red]" in result.output, (command, result.output)


def test_documents_show_which_fields_were_inferred(tmp_path, monkeypatch):
    """A document without a manifest entry is described from its text; `tom documents` says which fields were guessed."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "manifest.yaml").write_text("documents:\n  described.txt:\n    title: Described plan\n    council: Testshire Council\n"
                                          "    kind: plan\n    date: '2024-05'\n", encoding="utf-8")
    (folder / "described.txt").write_text("Plan\n\nThe described plan covers Frome.\n", encoding="utf-8")
    (folder / "guessed.txt").write_text("Wrenfield Council scrutiny report, March 2023\n\nWrenfield Council will review "
                                        "its boards.\n", encoding="utf-8")
    monkeypatch.setenv("TOM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TOM_CORPUS_DIR", str(folder))
    assert runner.invoke(app, ["ingest", str(folder)]).exit_code == 0
    docs = {d["document"]: d for d in json.loads(runner.invoke(app, ["documents", "--json"]).stdout)}
    assert docs["described.txt"]["inferred"] == []
    assert {"title", "council", "date"} <= set(docs["guessed.txt"]["inferred"]), docs["guessed.txt"]
    assert docs["guessed.txt"]["council"] == "Wrenfield Council"
    table = runner.invoke(app, ["documents"]).output
    assert "inferred: fields guessed" in table and "title," in table  # the guessed fields, comma-separated


def test_ask_in_llm_mode_prints_the_quotations_then_the_answer(corpus, corpus_settings, monkeypatch):
    """A scripted model that reads its prompt for half a second: the labelled quotations come first."""
    from assistant.components import Components
    from ui import cli_common

    model = ScriptedModel(delay=0.0, wait=0.5)
    monkeypatch.setattr(cli_common, "Components",
                        lambda: Components(corpus_settings, llm_factory=lambda: model, embedder=corpus.embedder))
    result = runner.invoke(app, ["ask", "What does our TOM say about board meetings?", "--mode", "llm"])
    assert result.exit_code == 0, result.output
    quoted, _, answered = result.stdout.partition("\nAnswer:\n")
    assert quoted.startswith("Quotations from the documents (the answer is being written):\n"), result.stdout
    assert "succinct" in quoted.lower() and "[1]" in quoted and "\n[1] " in quoted and "    “" in quoted
    assert answered.strip() and "\n[1] " in answered and "llm · scripted" in answered
    as_json = runner.invoke(app, ["ask", "What does our TOM say about board meetings?", "--mode", "llm", "--json"])
    assert json.loads(as_json.stdout)["mode"] == "llm"  # one JSON object: no quotations printed


class NotFoundModel:
    """A model that finds nothing in any passage."""

    name = "not-found"

    def stream(self, messages, max_tokens, json_schema=None):
        yield "NOT FOUND"


def test_quotations_followed_by_a_refused_answer_are_called_the_closest_sentences(corpus, corpus_settings, monkeypatch):
    from assistant.components import Components
    from ui import cli_common

    monkeypatch.setattr(cli_common, "Components", lambda: Components(
        corpus_settings, llm_factory=lambda: NotFoundModel(), embedder=corpus.embedder))
    result = runner.invoke(app, ["ask", "What does our TOM say about board meetings?", "--mode", "llm"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Quotations from the documents")
    assert "could not find" in result.stdout.partition("\nAnswer:\n")[2]
    assert "closest sentences, not an answer" in result.output
