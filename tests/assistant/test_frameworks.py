"""Drafting frameworks from documents' headings and bullets, saving them, and the shipped ones."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from assistant.frameworks import FrameworkError, criterion_chunks, extract, get_framework, load_frameworks, save
from ingest.store import ChunkStore


def make_principles_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Operating model", level=1)
    document.add_heading("Our Design Principles", level=2)
    document.add_paragraph("These principles guide every change.")
    for name, bullets in {
        "Simple and Direct": ["remove steps that add no value.", "decide at the lowest sensible level."],
        "Open by Default": ["publish decisions and the reasons for them.", "share data with partners safely.",
                            "work in the open, working across teams rather than in silos."],
    }.items():
        document.add_heading(name, level=3)
        document.add_paragraph(f"A council that is {name.lower()} which will:")
        for bullet in bullets:
            document.add_paragraph(bullet, style="List Bullet")
    document.add_heading("Values", level=2)
    document.add_paragraph("Kind: we treat people with respect.")
    document.add_paragraph("Brave: we try new things and learn.")
    document.save(str(path))
    return path


@pytest.fixture
def principles_store(settings, tmp_path, embedder) -> ChunkStore:
    from assistant.components import Components

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_principles_docx(corpus / "principles.docx")
    components = Components(settings.model_copy(update={"corpus_dir": corpus}), embedder=embedder)
    assert not components.ingester.ingest().failed
    return components.store


def test_sub_headings_become_criteria_with_their_bullets(principles_store) -> None:
    framework = extract(principles_store, "principles.docx", ["Our Design Principles"], "test-principles")
    assert [c.name for c in framework.criteria] == ["Simple and Direct", "Open by Default"]
    first = framework.criteria[0]
    assert first.statements == ["remove steps that add no value.", "decide at the lowest sensible level."]
    assert first.description.startswith("A council that is simple and direct")
    assert first.chunks and all(c.chunk_id in first.chunks for c in criterion_chunks(principles_store, framework, first))


def test_towards_and_against_lines_are_drafted_from_the_document_s_words(principles_store) -> None:
    framework = extract(principles_store, "principles.docx", ["Our Design Principles"], "test-principles")
    simple, open_ = framework.criteria
    assert simple.towards == ["remove steps that add no value", "decide at the lowest sensible level"]
    assert simple.against == ["steps that add no value"]  # what the document says it will remove
    assert "working in silos" in open_.against  # what it wants "rather than"
    assert simple.aims() == simple.towards


def test_drafting_against_lines_from_contrasts() -> None:
    from assistant.review_aims import draft_against, draft_towards

    statement = ("be clear on accountability, reducing the need for complex systems of governance — eliminating "
                 "duplication of roles; working across the council rather than in silos.")
    assert draft_against([statement]) == ["working in silos", "more complex systems of governance",
                                          "duplication of roles"]
    assert draft_towards([statement]) == ["be clear on accountability, reducing the need for complex systems of governance",
                                          "eliminating duplication of roles", "working across the council rather than in silos"]
    assert draft_towards([], "maximise resources and minimise waste.") == ["maximise resources and minimise waste"]


def test_named_lines_become_criteria(principles_store) -> None:
    framework = extract(principles_store, "principles.docx", ["Values"], "test-values")
    assert [(c.name, c.description) for c in framework.criteria] == [
        ("Kind", "we treat people with respect."), ("Brave", "we try new things and learn.")]


def test_saved_drafts_load_back(principles_store) -> None:
    framework = extract(principles_store, "principles.docx", ["Our Design Principles"], "test-principles")
    path = save(framework, principles_store.settings)
    assert path.parent == principles_store.settings.corpus_dir / "frameworks"
    assert "Simple and Direct" in path.read_text()
    assert load_frameworks(principles_store.settings)["test-principles"] == framework
    with pytest.raises(FrameworkError, match="exists"):
        save(framework, principles_store.settings)


def test_unknown_section_or_document_is_a_clear_error(principles_store) -> None:
    with pytest.raises(FrameworkError, match="no section 'Budget'"):
        extract(principles_store, "principles.docx", ["Budget"], "x")
    with pytest.raises(FrameworkError, match="not in the store"):
        extract(principles_store, "missing.docx", ["Values"], "x")


def test_shipped_frameworks_resolve_to_their_chunks(corpus_settings, retriever) -> None:
    frameworks = load_frameworks(corpus_settings)
    assert {"somerset-design-principles", "somerset-themes", "somerset-values", "draft-tom-2024-principles"} <= set(frameworks)
    assert get_framework(corpus_settings).name == "somerset-design-principles"
    assert len(frameworks["draft-tom-2024-principles"].criteria) == 6
    for framework in frameworks.values():
        assert framework.reviewed
        for criterion in framework.criteria:
            assert len(criterion.aims()) >= 2 and len(criterion.against) >= 2, (framework.name, criterion.name)
            chunks = criterion_chunks(retriever.store, framework, criterion)
            assert chunks and {c.chunk_id for c in chunks} == set(criterion.chunks), (framework.name, criterion.name)


def test_a_broken_framework_file_is_named(settings, tmp_path) -> None:
    settings = settings.model_copy(update={"corpus_dir": tmp_path / "corpus"})
    folder = settings.corpus_dir / "frameworks"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text("name: Bad Name\ncriteria: []\n")
    with pytest.raises(FrameworkError, match="bad.yaml"):
        load_frameworks(settings)
