"""A document is its path within the corpus folder; uploads never replace silently; manifest edits
apply to unchanged files; an upload's source is its place in the corpus, not the staging folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.components import Components


@pytest.fixture
def corpus_ingester(settings, embedder, tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return Components(settings.model_copy(update={"corpus_dir": corpus}), embedder=embedder).ingester


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_same_name_in_two_subfolders_is_two_documents(corpus_ingester):
    corpus = corpus_ingester.settings.corpus_dir
    write(corpus / "policies" / "hr.txt", "HR policy\n\nStaff may work flexibly.\n")
    write(corpus / "guides" / "hr.txt", "HR guide\n\nHow to request leave.\n")
    write(corpus / "top.txt", "Top\n\nA document at the top of the corpus.\n")
    summary = corpus_ingester.ingest()
    assert summary.failed == [] and sorted(summary.added) == ["guides/hr.txt", "policies/hr.txt", "top.txt"]
    ids = sorted(chunk.chunk_id for chunk in corpus_ingester.store.all_chunks())
    assert ids == ["guides/hr.txt#0000", "policies/hr.txt#0000", "top.txt#0000"]
    assert corpus_ingester.delete("policies/hr.txt") == 1
    assert not (corpus / "policies" / "hr.txt").exists() and (corpus / "guides" / "hr.txt").exists()
    kept = [p for p in (corpus_ingester.settings.data_dir / "trash").rglob("*") if p.is_file()]
    assert len(kept) == 1 and kept[0].relative_to(kept[0].parents[1]).as_posix() == "policies/hr.txt"
    assert corpus_ingester.ingest().removed == []


def test_documents_stored_under_their_bare_name_move_to_their_path(corpus_ingester):
    """A store written before identities were paths has "hr.txt" for policies/hr.txt: re-ingesting
    replaces it rather than keeping both."""
    corpus = corpus_ingester.settings.corpus_dir
    path = write(corpus / "policies" / "hr.txt", "HR policy\n\nStaff may work flexibly.\n")
    corpus_ingester.store.replace_document("hr.txt", ["hr.txt#0000"], ["Staff may work flexibly."], [[0.1] * 384],
                                           [{"document": "hr.txt", "source": str(path.resolve()), "doc_hash": "old"}])
    summary = corpus_ingester.ingest()
    assert summary.added == ["policies/hr.txt"] and summary.removed == ["hr.txt"]
    assert [info.document for info in corpus_ingester.store.documents()] == ["policies/hr.txt"]


def test_an_upload_never_replaces_silently(corpus_ingester, tmp_path: Path):
    corpus, data = corpus_ingester.settings.corpus_dir, corpus_ingester.settings.data_dir
    write(corpus / "manifest.yaml", "# Our documents\ndocuments:\n  pilot.txt:\n    title: Zephyr pilot plan\n"
                                     "    council: Testshire Council\n")
    first = write(tmp_path / "up1" / "pilot.txt", "Zephyr pilot\n\nThe Zephyr pilot runs in Frome.\n")
    second = write(tmp_path / "up2" / "pilot.txt", "Zephyr pilot\n\nThe Zephyr pilot now runs in Wells.\n")
    assert corpus_ingester.add(first).added == ["pilot.txt"]

    with pytest.raises(ValueError, match="already exists") as refused:
        corpus_ingester.add(second)
    assert type(refused.value).__name__ == "DocumentExists" and refused.value.status == 409
    assert "Frome" in (corpus / "pilot.txt").read_text() and not (data / "trash").exists()
    assert ["Frome" in c.text for c in corpus_ingester.store.all_chunks()] == [True]

    assert corpus_ingester.add(second, replace=True).updated == ["pilot.txt"]
    assert "Wells" in (corpus / "pilot.txt").read_text()
    kept = [p for p in (data / "trash").rglob("*") if p.is_file()]
    assert len(kept) == 1 and kept[0].name == "pilot.txt" and "Frome" in kept[0].read_text()
    info = corpus_ingester.store.documents()[0]
    assert (info.title, info.council) == ("Zephyr pilot plan", "Testshire Council")  # its manifest entry is kept
    assert info.source == str((corpus / "pilot.txt").resolve())  # not the staging folder
    assert ["Wells" in c.text for c in corpus_ingester.store.all_chunks()] == [True]

    corpus_ingester.add(first, replace=True, metadata={"title": "Frome pilot", "council": "Frome Town Council"})
    info = corpus_ingester.store.documents()[0]
    assert (info.title, info.council) == ("Frome pilot", "Frome Town Council")
    manifest = (corpus / "manifest.yaml").read_text()
    assert manifest.startswith("# Our documents\n") and "Frome pilot" in manifest
    again = corpus_ingester.ingest()
    assert again.unchanged == ["pilot.txt"] and not (again.added or again.updated or again.removed)


def test_a_manifest_edit_updates_an_unchanged_file(corpus_ingester):
    corpus = corpus_ingester.settings.corpus_dir
    write(corpus / "doc.txt", "Heading\n\nSome text about the TOM.\n")
    write(corpus / "manifest.yaml", "documents:\n  doc.txt:\n    title: First title\n    council: Testshire Council\n")
    assert corpus_ingester.ingest().added == ["doc.txt"]
    write(corpus / "manifest.yaml", "documents:\n  doc.txt:\n    title: Better title\n    council: Testshire Council\n")
    assert corpus_ingester.ingest().updated == ["doc.txt"]
    assert corpus_ingester.store.documents()[0].title == "Better title"
    assert corpus_ingester.ingest().unchanged == ["doc.txt"]
