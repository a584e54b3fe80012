"""A corpus .txt rendered as a Word file: Title, Heading 1/2, List Bullet, Table Grid tables, a header
and a footer with a page-number field."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from eval.render_text import DEFAULT_AUTHOR, blocks_of, inline_runs, plain

logger = logging.getLogger(__name__)

def _add_runs(paragraph: Any, text: str) -> None:
    for run_text, bold, italic in inline_runs(text):
        run = paragraph.add_run(run_text)
        run.bold = bold or None
        run.italic = italic or None


def _add_page_field(paragraph: Any) -> None:
    """A PAGE field, so Word shows the page number in the footer."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field_el = OxmlElement("w:fldSimple")
    field_el.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_el.append(run)
    paragraph._p.append(field_el)


def _docx_table(document: Any, rows: list[list[str]]) -> None:
    """A "Table Grid" table; the first row is bold and repeats on each page, as Word does it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            paragraph = table.cell(r, c).paragraphs[0]
            if r == 0:
                paragraph.add_run(plain(value)).bold = True
            else:
                _add_runs(paragraph, value)
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(header)
    document.add_paragraph()


def _docx_header_footer(document: Any, title: str, stem: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.text = f"{title}\t\t{stem}"
    footer = section.footer.paragraphs[0]
    footer.text = f"{title} – Page "
    _add_page_field(footer)
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER


def render_docx(txt: Path, out: Path) -> Path:
    """Render one corpus .txt as a Word document with real styles, lists and tables."""
    import docx
    from docx.shared import Cm, Pt

    blocks, title = blocks_of(txt)
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = DEFAULT_AUTHOR
    document.core_properties.subject = txt.stem
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    _docx_header_footer(document, title, txt.stem)
    for block in blocks:
        if block.kind == "table":
            _docx_table(document, block.rows)
            continue
        style = {"title": "Title", "bullet": "List Bullet",
                 "heading": f"Heading {min(block.level, 2)}"}.get(block.kind, "Normal")
        _add_runs(document.add_paragraph(style=style), block.text)
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    logger.info("rendered %s -> %s", txt.name, out)
    return out
