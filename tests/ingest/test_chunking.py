from pathlib import Path

from llama_index.core import Document
from llama_index.core.schema import MetadataMode

from corpus import CORPUS_DIR
from ingest.chunking import StructureNodeParser
from ingest.embedder import TokenCounter
from ingest.settings import load_settings
from ingest.loaders import load_file
from tests.ingest.conftest import BULLETS, TABLE, make_docx, make_html, make_pdf


count_tokens = TokenCounter(load_settings())


def parser(chunk_tokens: int = 200) -> StructureNodeParser:
    return StructureNodeParser(count_tokens=count_tokens, chunk_tokens=chunk_tokens, max_tokens=254, include_metadata=False)


def chunks_of(path: Path, chunk_tokens: int = 200):
    document = load_file(path).document
    document.metadata.update({"title": path.stem, "document": path.name})
    return parser(chunk_tokens).get_nodes_from_documents([document])


def test_sections_paths_from_plain_text_headings():
    nodes = chunks_of(CORPUS_DIR / "somerset-target-operating-model-2024.txt")
    sections = {node.metadata["section"] for node in nodes}
    assert "Appendix 2 - Our Design Principles > Smaller and Leaner" in sections
    smaller = [n for n in nodes if n.metadata["section"].endswith("Smaller and Leaner")]
    assert smaller[0].text.startswith("A smaller and leaner council which will:\n- design out repetition")


def test_no_chunk_exceeds_the_embedder_window():
    for path in sorted(CORPUS_DIR.glob("*.txt")):
        for node in chunks_of(path):
            assert count_tokens(node.get_content(metadata_mode=MetadataMode.EMBED)) <= 254, node.node_id


def test_section_and_title_are_embedded_but_not_other_metadata():
    node = chunks_of(CORPUS_DIR / "somerset-target-operating-model-2024.txt")[0]
    embedded = node.get_content(metadata_mode=MetadataMode.EMBED)
    assert embedded.startswith("somerset-target-operating-model-2024\n" + node.metadata["section"])
    assert "chunk_index" not in embedded and "start_char" not in embedded


def test_table_rows_keep_their_header_when_split(tmp_path: Path):
    rows = ["Target Area\tAction\tResponsibility"] + [
        f"Area {i}\t{i}. Do a fairly long and detailed piece of transformation work number {i}\tWorkstream {i}" for i in range(40)
    ]
    path = tmp_path / "table.txt"
    path.write_text("Programme\n\n" + "\n".join(rows) + "\n", encoding="utf-8")
    nodes = chunks_of(path)
    assert len(nodes) > 1
    for node in nodes:
        assert node.text.startswith("Target Area | Action | Responsibility\n")
    body = "\n".join(node.text for node in nodes)
    for i in range(40):
        assert f"Area {i} | {i}. Do a fairly long" in body


def test_merged_first_cell_repeats_the_row_above():
    nodes = chunks_of(CORPUS_DIR / "two-councils-tom-consultation-draft-2021.txt")
    text = "\n".join(node.text for node in nodes)
    assert "Customers | 11. Procure and embed a single CRM system for case management | Next level sharing/digital | Q2 | Q3" in text


def test_long_list_repeats_its_lead_in(tmp_path: Path):
    bullets = "\n".join(f"- item {i}: we will do something specific and measurable about topic {i} this year" for i in range(30))
    path = tmp_path / "list.txt"
    path.write_text(f"Our Commitments\n\nThe council will:\n{bullets}\n", encoding="utf-8")
    nodes = chunks_of(path)
    assert len(nodes) > 1
    assert all(node.text.startswith("The council will:\n- item") for node in nodes)


def test_rich_formats_come_through_intact(tmp_path: Path):
    for maker, name in ((make_docx, "a.docx"), (make_html, "a.html")):
        nodes = chunks_of(maker(tmp_path / name))
        by_section = {n.metadata["section"]: n.text for n in nodes}
        principles = next(text for section, text in by_section.items() if section.endswith("Our Design Principles"))
        assert principles == "A council that is flexible and agile which will:\n" + "\n".join(f"- {b}" for b in BULLETS)
        layers = next(text for section, text in by_section.items() if section.endswith("The nine layers"))
        assert layers.splitlines() == [" | ".join(row) for row in TABLE]


def test_pdf_chunks_know_their_page(tmp_path: Path):
    nodes = chunks_of(make_pdf(tmp_path / "a.pdf"))
    pages = {node.metadata["section"]: node.metadata["page"] for node in nodes}
    assert pages["Appendix 2 - Our Design Principles > Flexible and Agile"] == 1
    assert pages["Appendix 2 - Our Design Principles > Governance"] == 2


def test_chunk_ids_are_stable_from_document_and_position():
    path = CORPUS_DIR / "merton-tom-scrutiny-report.txt"
    first = [node.node_id for node in chunks_of(path)]
    assert first == [node.node_id for node in chunks_of(path)]
    assert first[0] == "merton-tom-scrutiny-report.txt#0000"


def test_document_without_structure_still_chunks():
    document = Document(text="word " * 2000, metadata={"title": "t", "document": "flat.txt"})
    nodes = parser().get_nodes_from_documents([document])
    assert len(nodes) > 5
    assert all(count_tokens(n.get_content(metadata_mode=MetadataMode.EMBED)) <= 254 for n in nodes)
