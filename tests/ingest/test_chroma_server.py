"""The same ingestion and search against a `chroma run` server on 127.0.0.1, chosen by one setting."""

from pathlib import Path

from ingest.settings import Settings


def test_ingest_and_search_through_a_chroma_server(chroma_server: str, docs_dir: Path, tmp_path: Path, embedder):
    from assistant.components import Components

    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_server)
    first, second = Components(settings, embedder=embedder), Components(settings, embedder=embedder)
    store = first.store
    summary = first.ingester.ingest([docs_dir])
    assert not summary.failed and len(summary.added) == 4
    assert not (tmp_path / "data" / "chroma").exists()  # nothing written to the embedded folder

    second_process_view = second.store  # another API process sees the same chunks
    assert second_process_view.count() == store.count() > 0
    again = second.ingester.ingest([docs_dir])
    assert len(again.unchanged) == 4
    hits = second.retriever.search("boards and meetings", k=3)
    assert any("succinct" in hit.text for hit in hits)
