"""Rendered PDF/DOCX copies of a corpus document keep its text, so format-invariance runs compare like with like."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pypdf
import pytest
import yaml

from corpus import CORPUS_DIR
from eval.render_corpus import looks_like_heading, main, pdf_safe, render_docx, render_pdf

SOURCE = CORPUS_DIR / "somerset-target-operating-model-2024.txt"  # table, bullets, **bold**, ♥ and £


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def flat(text: str) -> str:
    return " ".join(text.split())


def first_table_cells(text: str) -> list[str]:
    """Cells of the first run of two or more tab-separated lines, read independently of the renderer."""
    run: list[str] = []
    for line in text.splitlines() + [""]:
        if "\t" in line:
            run.append(line)
        elif len(run) >= 2:
            return [cell.strip() for row in run for cell in row.split("\t") if cell.strip()]
        else:
            run = []
    raise AssertionError("the source has no table")


def coverage(source: str, extracted: str) -> float:
    source_words, found = words(source), set(words(extracted))
    return sum(w in found for w in source_words) / len(source_words)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rendered")
    return {"pdf": render_pdf(SOURCE, out / f"{SOURCE.stem}.pdf"),
            "docx": render_docx(SOURCE, out / f"{SOURCE.stem}.docx")}


@pytest.fixture(scope="module")
def pdf_text(rendered: dict[str, Path]) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(str(rendered["pdf"]))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def docx_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_pdf_keeps_the_text_tables_and_page_furniture(pdf_text: tuple[pypdf.PdfReader, str]) -> None:
    reader, text = pdf_text
    source = SOURCE.read_text(encoding="utf-8")
    pages = len(reader.pages)
    assert pages > 1
    assert reader.metadata.title == "Target Operating Model"
    for cell in first_table_cells(source):
        assert flat(cell) in flat(text), cell
    for n in range(1, pages + 1):
        assert f"Page {n} of {pages}" in text
    assert SOURCE.stem in reader.pages[-1].extract_text()  # the running header
    assert coverage(source, text) >= 0.9
    assert "£40M" in text and "(heart)" in text and "♥" not in text


def test_docx_has_real_styles_tables_and_the_text(rendered: dict[str, Path]) -> None:
    document = docx.Document(str(rendered["docx"]))
    source = SOURCE.read_text(encoding="utf-8")
    text = docx_text(document)
    styles = {p.style.name for p in document.paragraphs}
    assert document.core_properties.title == "Target Operating Model"
    assert "Title" in styles and "List Bullet" in styles
    assert any(name.startswith("Heading") for name in styles)
    assert document.tables and document.tables[0].style.name == "Table Grid"
    assert any(run.bold for p in document.paragraphs for run in p.runs)
    for cell in first_table_cells(source):
        assert cell in text, cell
    assert coverage(source, text) >= 0.9
    section = document.sections[0]
    assert "Target Operating Model" in section.header.paragraphs[0].text
    assert 'w:instr="PAGE"' in section.footer._element.xml


def test_cli_writes_a_manifest_only_when_asked(tmp_path: Path) -> None:
    source = CORPUS_DIR / "somerset-tom-case-study.txt"
    assert main(["--format", "docx", "--out", str(tmp_path / "plain"), str(source)]) == 0
    assert sorted(p.name for p in (tmp_path / "plain").iterdir()) == ["somerset-tom-case-study.docx"]
    assert main(["--format", "both", "--out", str(tmp_path / "listed"), "--with-manifest", str(source)]) == 0
    manifest = yaml.safe_load((tmp_path / "listed" / "manifest.yaml").read_text(encoding="utf-8"))
    assert set(manifest["documents"]) == {"somerset-tom-case-study.pdf", "somerset-tom-case-study.docx"}
    assert manifest["documents"]["somerset-tom-case-study.pdf"]["council"] == "Somerset Council"


@pytest.mark.parametrize("line, expected", [
    ("Service and Process Design", True),
    ("1 PURPOSE OF REPORT AND EXECUTIVE SUMMARY", True),
    ("What is our Target Operating Model", True),
    ("We maintain a presence through social media", False),  # a one-line paragraph
    ("Customers will input into the design of our services", False),
    ("Our employees will say...", False),
    ("Wards: All", False),
    ("Recommendations:", False),
])
def test_heading_detector(line: str, expected: bool) -> None:
    assert looks_like_heading(line) is expected


def test_pdf_safe_replaces_only_what_standard_fonts_cannot_draw() -> None:
    assert pdf_safe("♥ ● ① ⑫ £5 – ’") == "(heart) • (1) (12) £5 – ’"
