from pathlib import Path

import pytest

from ingest.loaders import LoadError, load_file
from tests.ingest.conftest import BULLETS, make_docx, make_html, make_pdf


def test_pdf_keeps_text_and_page_starts(tmp_path: Path):
    loaded = load_file(make_pdf(tmp_path / "a.pdf"))
    text = loaded.document.text
    starts = loaded.document.metadata["page_starts"]
    assert len(starts) == 2
    assert "Flexible and Agile" in text[: starts[1]]
    assert "succinct" in text[starts[1]:]


def test_docx_headings_bullets_and_table(tmp_path: Path):
    text = load_file(make_docx(tmp_path / "a.docx")).document.text
    assert "# Target Operating Model" in text
    assert "## Our Design Principles" in text
    assert f"- {BULLETS[0]}" in text
    assert "Customers\tWho are our customers now and in the future?" in text


def test_html_drops_scripts_and_keeps_structure(tmp_path: Path):
    text = load_file(make_html(tmp_path / "a.html")).document.text
    assert "alert" not in text and "color: red" not in text
    assert "## The nine layers" in text
    assert "Layer\tDescription" in text
    assert f"- {BULLETS[1]}" in text


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"   \n\n", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary content"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage without xref", "PDF"),
        ("broken.docx", b"PK\x03\x04 this is not really a zip archive", "DOCX"),
        ("slides.pptx", b"whatever", "unsupported format"),
    ],
)
def test_bad_files_raise_a_clear_reason(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_file(path)


def test_non_utf8_text_is_read_with_a_warning(tmp_path: Path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Caf\xe9 services and the council\u2019s r\xf4le in our TOM\n".encode("cp1252"))
    loaded = load_file(path)
    assert "Café" in loaded.document.text
    assert loaded.warnings and "not UTF-8" in loaded.warnings[0]
