"""Ingestion against a real Chroma folder with the real embedder."""

from pathlib import Path

import pytest

from ingest.store import ChunkStore


def snapshot(store: ChunkStore) -> dict[str, tuple[str, str]]:
    return {c.chunk_id: (c.text, c.metadata["doc_hash"]) for c in store.all_chunks()}


def test_ingest_is_idempotent_and_incremental(docs_dir: Path, ingester):
    store = ingester.store
    first = ingester.ingest([docs_dir])
    assert sorted(first.added) == ["layers.html", "model.docx", "notes.txt", "principles.pdf"]
    assert not first.failed
    before = snapshot(store)
    assert len(before) == first.chunks_written

    again = ingester.ingest([docs_dir])
    assert again.added == [] and again.updated == [] and again.chunks_written == 0
    assert sorted(again.unchanged) == sorted(first.added)
    assert snapshot(store) == before

    (docs_dir / "notes.txt").write_text("Meeting notes\n\nOur boards will be succinct.\n", encoding="utf-8")
    edited = ingester.ingest([docs_dir])
    assert edited.updated == ["notes.txt"]
    after = snapshot(store)
    changed = {cid for cid in set(before) | set(after) if before.get(cid) != after.get(cid)}
    assert changed and all(cid.startswith("notes.txt#") for cid in changed)
    assert [c.text for c in store.all_chunks() if c.chunk_id.startswith("notes.txt#")] == ["Our boards will be succinct."]

    (docs_dir / "layers.html").unlink()
    removed = ingester.ingest([docs_dir])
    assert removed.removed == ["layers.html"]
    assert not any(cid.startswith("layers.html#") for cid in snapshot(store))
    assert {info.document for info in store.documents()} == {"model.docx", "notes.txt", "principles.pdf"}


def test_bad_files_are_reported_and_the_rest_ingested(docs_dir: Path, ingester):
    (docs_dir / "corrupt.pdf").write_bytes(b"%PDF-1.7\n%broken\n1 0 obj\n<<>>\nnot a pdf at all")
    (docs_dir / "empty.txt").write_bytes(b"")
    (docs_dir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (docs_dir / "latin1.txt").write_bytes("R\xe9sum\xe9 of the council\u2019s TOM\n\nOur r\xf4le is clear.\n".encode("cp1252"))
    summary = ingester.ingest([docs_dir])
    reasons = {f["document"]: f["reason"] for f in summary.failed}
    assert set(reasons) == {"corrupt.pdf", "empty.txt", "image.txt"}
    assert "PDF" in reasons["corrupt.pdf"]
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["image.txt"]
    assert any(w["document"] == "latin1.txt" and "not UTF-8" in w["warning"] for w in summary.warnings)
    assert {"layers.html", "model.docx", "notes.txt", "principles.pdf", "latin1.txt"} <= set(summary.added)


def test_failed_write_leaves_the_store_as_it_was(docs_dir: Path, ingester, monkeypatch):
    store = ingester.store
    ingester.ingest([docs_dir])
    before = snapshot(store)
    (docs_dir / "notes.txt").write_text("Completely new notes\n\nNothing like before.\n", encoding="utf-8")
    (docs_dir / "extra.txt").write_text("Extra\n\nA new document.\n", encoding="utf-8")

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(store.collection), "upsert", crash)  # the class: a failed write makes the store reopen Chroma
    summary = ingester.ingest([docs_dir])
    assert {f["document"] for f in summary.failed} == {"notes.txt", "extra.txt"}
    assert "disk full" in summary.failed[0]["reason"]
    assert snapshot(store) == before
    monkeypatch.undo()
    healed = ingester.ingest([docs_dir])
    assert healed.updated == ["notes.txt"] and healed.added == ["extra.txt"]


def test_failure_while_embedding_touches_nothing(docs_dir: Path, ingester, monkeypatch):
    store = ingester.store
    ingester.ingest([docs_dir])
    before = snapshot(store)
    (docs_dir / "notes.txt").write_text("Changed\n\nChanged text.\n", encoding="utf-8")
    model = ingester.embedder
    monkeypatch.setattr(type(model), "_get_text_embeddings", lambda self, texts: (_ for _ in ()).throw(MemoryError("oom")))
    summary = ingester.ingest([docs_dir])
    assert summary.failed and summary.failed[0]["document"] == "notes.txt"
    assert snapshot(store) == before


def test_missing_path_and_unknown_format_are_reported(tmp_path: Path, ingester):
    (tmp_path / "deck.pptx").write_bytes(b"x")
    summary = ingester.ingest([tmp_path / "nope.txt", tmp_path / "deck.pptx"])
    reasons = " ".join(f["reason"] for f in summary.failed)
    assert "no such file" in reasons and "unsupported format" in reasons


@pytest.mark.parametrize("name", ["README.md", "manifest.yaml"])
def test_folder_paperwork_is_not_ingested(tmp_path: Path, ingester, name: str):
    (tmp_path / name).write_text("# About this folder\n\nNot a TOM document.\n", encoding="utf-8")
    (tmp_path / "doc.txt").write_text("Title\n\nSome text about the TOM.\n", encoding="utf-8")
    summary = ingester.ingest([tmp_path])
    assert summary.added == ["doc.txt"]


def test_manifest_describes_documents(tmp_path: Path, ingester):
    (tmp_path / "manifest.yaml").write_text(
        "documents:\n  doc.txt:\n    title: Our TOM\n    council: Testshire Council\n    kind: target operating model\n"
        "    date: '2024'\n    status: adopted\n",
        encoding="utf-8",
    )
    (tmp_path / "doc.txt").write_text("Heading\n\nSome text.\n", encoding="utf-8")
    (tmp_path / "other.txt").write_text("First Heading Here\n\nMore text.\n", encoding="utf-8")
    store = ingester.store
    ingester.ingest([tmp_path])
    infos = {info.document: info for info in store.documents()}
    assert infos["doc.txt"].council == "Testshire Council" and infos["doc.txt"].title == "Our TOM"
    assert infos["other.txt"].title == "First Heading Here" and infos["other.txt"].council == "unknown"


def test_an_upload_joins_the_corpus_only_when_it_ingests(ingester, tmp_path):
    from assistant.components import Components

    settings = ingester.settings.model_copy(update={"corpus_dir": tmp_path / "corpus"})
    ingester = Components(settings, embedder=ingester.embedder).ingester
    store = ingester.store
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "empty.txt").write_text("   ")
    assert ingester.add(uploads / "empty.txt").failed
    assert not (settings.corpus_dir / "empty.txt").exists() and store.documents() == []
    (uploads / "pilot.txt").write_text("The Zephyr parking pilot runs in Frome from May.")
    assert ingester.add(uploads / "pilot.txt").added == ["pilot.txt"]
    assert (settings.corpus_dir / "pilot.txt").is_file()
    assert ingester.delete("pilot.txt") >= 1
    assert not (settings.corpus_dir / "pilot.txt").exists() and store.documents() == []
