"""Render the plain-text corpus as realistic PDF and DOCX files, to test format invariance.

Councils publish PDFs and Word files, not text. Ingesting a rendered copy of each corpus
document instead of its .txt, and comparing eval scores, shows whether ingestion and answers
depend on the file format. The renderings aim to look like real council papers: running
headers, "Page N of M" footers, real headings, bullet lists and tables, and (PDF) a stretch
of two-column pages, which is what makes real PDFs hard to extract.

The parser here is deliberately simple: it only needs to handle the conventions of
`corpus/*.txt` (short heading lines, `**bold**`, `- `/`• ` bullets, tab-separated tables,
stray blank lines). It is test tooling, not part of ingestion.

    python -m eval.render_corpus --format pdf|docx|both --out DIR [FILES...] [--with-manifest]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml

from corpus import CORPUS_DIR
from ingest.manifest import MANIFEST_NAME, ManifestError, read_manifest

logger = logging.getLogger(__name__)

DEFAULT_AUTHOR = "Democratic Services"  # metadata author, as on many published council papers

BULLET_RE = re.compile(r"^[-•]\s+")
BOLD_RE = re.compile(r"\*\*(.+?)\*\*")
ITALIC_RE = re.compile(r"(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?![*\w])")
SENTENCE_STARTS = {"we", "our", "i", "it", "this", "these", "they", "there", "you", "he", "she"}
AUXILIARIES = {"will", "is", "are", "was", "were", "can", "should", "must", "has", "have"}
QUESTION_WORDS = {"what", "how", "why", "who", "when", "where", "which"}
MAX_HEADING_WORDS = 11


# --------------------------------------------------------------------------- parsing


@dataclass
class Block:
    """One unit of the document: title, heading, paragraph, bullet item or table."""

    kind: str  # "title" | "heading" | "paragraph" | "bullet" | "table"
    text: str = ""
    level: int = 1
    rows: list[list[str]] = field(default_factory=list)


def looks_like_heading(line: str) -> bool:
    """A short line that names a section rather than says something.

    Rules (tuned on the corpus, good enough for test material): 1-11 words, starts with a
    capital or a section number, no final . , ; or : (a "?" is allowed), and does not read
    like a sentence: no leading "We/Our/This..." and no auxiliary verb ("will", "is", ...)
    unless it is a question ("What is our Target Operating Model").
    """
    text = line.strip()
    words = text.split()
    if not words or len(words) > MAX_HEADING_WORDS or len(text) > 90:
        return False
    if text[-1] in ".,;:" or not (text[0].isupper() or text[0].isdigit()) or BULLET_RE.match(text):
        return False
    if not any(ch.isalpha() for ch in text):
        return False
    lowered = [w.strip("\"“”‘’'()").lower() for w in words]
    if lowered[0] in SENTENCE_STARTS or _is_field_line(text):
        return False
    return lowered[0] in QUESTION_WORDS or not AUXILIARIES.intersection(lowered)


def _is_field_line(text: str) -> bool:
    """A "Label: value" line of a cover sheet ("Wards: All", "Lead officer: ..."), not a heading."""
    label, colon, _ = text.partition(": ")
    words = label.split()
    return bool(colon) and (len(words) == 1 or any(w[0].islower() for w in words[1:]))


def heading_level(text: str, blank_lines_before: int) -> int:
    """Level 1 for numbered, ALL-CAPS or appendix headings and ones after a wide gap, else 2."""
    if re.match(r"^\d+\.?\s", text) or text.startswith("Appendix"):
        return 1
    letters = [ch for ch in text if ch.isalpha()]
    if len(text.split()) > 1 and all(ch.isupper() for ch in letters):
        return 1
    return 1 if blank_lines_before >= 2 else 2


def _clean(line: str) -> str:
    """Strip spaces and no-break spaces, but keep tabs: a leading tab is an empty table cell."""
    return line.replace("\xa0", " ").strip(" \r\n")


def _groups(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated groups of lines, each with the number of blank lines before it."""
    groups: list[tuple[int, list[str]]] = []
    current: list[str] = []
    blanks = 0
    for raw in text.splitlines():
        line = _clean(raw)
        if line.strip():
            current.append(line)
            continue
        if current:
            groups.append((blanks, current))
            current, blanks = [], 0
        blanks += 1
    if current:
        groups.append((blanks, current))
    return groups


def _table_rows(lines: list[str]) -> list[list[str]]:
    rows = [[cell.strip() for cell in line.split("\t")] for line in lines]
    width = max(len(row) for row in rows)
    return [row + [""] * (width - len(row)) for row in rows]


def _group_blocks(lines: list[str], blocks: list[Block]) -> None:
    """Append one group's blocks: tables (runs of tab lines), bullets and paragraphs.

    A line starting in lower case continues the paragraph or bullet before it, even across a
    blank line: extraction from PDFs hard-wraps lines and leaves stray blank lines mid-sentence.
    """
    i = 0
    while i < len(lines):
        line = lines[i]
        if "\t" in line:
            j = i
            while j < len(lines) and "\t" in lines[j]:
                j += 1
            if j - i >= 2:
                blocks.append(Block("table", rows=_table_rows(lines[i:j])))
            else:
                blocks.append(Block("paragraph", " ".join(line.split())))
            i = j
            continue
        text = " ".join(line.split())
        if BULLET_RE.match(text):
            blocks.append(Block("bullet", BULLET_RE.sub("", text)))
        elif text in {"-", "•"}:
            pass  # a bullet marker left alone by extraction: nothing to render
        elif blocks and blocks[-1].kind in {"paragraph", "bullet"} and text[0].islower():
            blocks[-1].text += " " + text
        else:
            blocks.append(Block("paragraph", text))
        i += 1


def parse_text(text: str) -> list[Block]:
    """The document as blocks; the first non-empty line is the title."""
    blocks: list[Block] = []
    for blanks, lines in _groups(text):
        if not blocks:
            blocks.append(Block("title", " ".join(lines[0].split())))
            lines = lines[1:]
            if not lines:
                continue
        first = lines[0].strip()
        rest_is_new = len(lines) == 1 or lines[1].strip()[:1].isupper() or BULLET_RE.match(lines[1].strip())
        if "\t" not in lines[0] and looks_like_heading(first) and rest_is_new:
            blocks.append(Block("heading", " ".join(first.split()), level=heading_level(first, blanks)))
            lines = lines[1:]
        _group_blocks(lines, blocks)
    return blocks


def inline_runs(text: str) -> list[tuple[str, bool, bool]]:
    """`**bold**` and `*italic*` spans as (text, bold, italic) runs; the asterisks are dropped."""
    runs: list[tuple[str, bool, bool]] = []
    for k, part in enumerate(BOLD_RE.split(text)):
        bold = k % 2 == 1
        for m, sub in enumerate(ITALIC_RE.split(part)):
            if sub:
                runs.append((sub, bold, m % 2 == 1))
    return runs


def plain(text: str) -> str:
    """The text without inline markup, for headers, metadata and table cells."""
    return "".join(run for run, _, _ in inline_runs(text))


# --------------------------------------------------------------------------- PDF

CELL_FONT_SIZE = 8.5
PDF_REPLACEMENTS = {"♥": "(heart)", "●": "•", "\xa0": " ", "\t": " "}


def pdf_safe(text: str) -> str:
    """Text that the standard (WinAnsi) fonts can draw and pypdf can extract.

    Characters outside WinAnsi would print as blanks, so: ♥ -> "(heart)", ● -> •, circled
    digits ① -> "(1)", any other -> "(unicode name)". £, –, —, ’ and “” are kept.
    """
    out: list[str] = []
    for ch in text:
        if ch in PDF_REPLACEMENTS:
            out.append(PDF_REPLACEMENTS[ch])
            continue
        try:
            ch.encode("cp1252")
            out.append(ch)
        except UnicodeEncodeError:
            name = unicodedata.name(ch, "")
            folded = unicodedata.normalize("NFKC", ch)
            if name.startswith("CIRCLED") and folded.isalnum():
                out.append(f"({folded})")
            else:
                out.append(f"({name.lower() or 'symbol'})")
    return "".join(out)


def _markup(text: str) -> str:
    """Reportlab paragraph markup: escaped text with <b>/<i> for the inline spans."""
    parts = []
    for run, bold, italic in inline_runs(text):
        piece = escape(pdf_safe(run))
        if italic:
            piece = f"<i>{piece}</i>"
        if bold:
            piece = f"<b>{piece}</b>"
        parts.append(piece)
    return "".join(parts)


def _pdf_styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    base = getSampleStyleSheet()
    accent = colors.HexColor("#1F4E79")
    body = ParagraphStyle("CouncilBody", parent=base["BodyText"], fontName="Helvetica", fontSize=10,
                          leading=13.5, spaceAfter=6, alignment=TA_JUSTIFY)
    return {
        "title": ParagraphStyle("CouncilTitle", parent=base["Title"], fontName="Helvetica-Bold", fontSize=22,
                                leading=27, textColor=accent, alignment=0, spaceAfter=14),
        "h1": ParagraphStyle("CouncilH1", parent=base["Heading1"], fontName="Helvetica-Bold", fontSize=15,
                             leading=19, textColor=accent, spaceBefore=12, spaceAfter=6, keepWithNext=1),
        "h2": ParagraphStyle("CouncilH2", parent=base["Heading2"], fontName="Helvetica-Bold", fontSize=12,
                             leading=15, textColor=accent, spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "body": body,
        "bullet": ParagraphStyle("CouncilBullet", parent=body, alignment=0, spaceAfter=3),
        "cell": ParagraphStyle("CouncilCell", parent=body, fontSize=CELL_FONT_SIZE, leading=10.5, alignment=0,
                               spaceAfter=0),
        "head_cell": ParagraphStyle("CouncilHeadCell", parent=body, fontName="Helvetica-Bold", fontSize=CELL_FONT_SIZE,
                                    leading=10.5, alignment=0, spaceAfter=0, textColor=colors.white),
        "accent": accent,
    }


def _col_widths(rows: list[list[str]], avail: float, padding: float = 12) -> list[float]:
    """Column widths that fit `avail`: each at least its longest word, the rest by mean text length.

    Words are never broken inside a cell unless the table cannot fit at all, as a word processor
    would lay it out (broken words would also fail the extraction check).
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def width(text: str, bold: bool) -> float:
        font = "Helvetica-Bold" if bold else "Helvetica"
        return max((stringWidth(w, font, CELL_FONT_SIZE) for w in plain(text).split()), default=0)

    columns = range(len(rows[0]))
    least = [max(width(row[c], r == 0) for r, row in enumerate(rows)) + padding for c in columns]
    if sum(least) >= avail:
        return [w * avail / sum(least) for w in least]
    body = rows[1:] or rows
    weights = [sum(len(row[c]) for row in body) / len(body) + 1 for c in columns]
    spare = avail - sum(least)
    return [least[c] + spare * weights[c] / sum(weights) for c in columns]


def _fit_table_class() -> type:
    """A Table that sizes its columns to the frame it lands in (one or two columns)."""
    from reportlab.platypus import Table

    class FitTable(Table):
        source_rows: list[list[str]] | None = None

        def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
            if self.source_rows is not None:
                self._argW = self._colWidths = _col_widths(self.source_rows, availWidth)
            return super().wrap(availWidth, availHeight)

    return FitTable


def _pdf_table(rows: list[list[str]], styles: dict[str, Any]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, TableStyle

    data = [[Paragraph(_markup(cell), styles["head_cell"] if r == 0 else styles["cell"]) for cell in row]
            for r, row in enumerate(rows)]
    table = _fit_table_class()(data, repeatRows=1, hAlign="LEFT", spaceBefore=4, spaceAfter=10)
    table.source_rows = [[pdf_safe(cell) for cell in row] for row in rows]
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), styles["accent"]),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#EEF3F8")]),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8EA9C1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _column_range(blocks: list[Block]) -> tuple[int, int]:
    """The middle third of the blocks, set in two columns; no boundary right after a heading."""
    start, end = len(blocks) // 3, 2 * len(blocks) // 3
    while start > 1 and blocks[start - 1].kind in {"heading", "title"}:
        start -= 1
    while end > start + 1 and blocks[end - 1].kind in {"heading", "title"}:
        end -= 1
    return start, end


def _pdf_flowables(blocks: list[Block], styles: dict[str, Any]) -> list[Any]:
    """Flowables for the blocks, with the middle third switched to the two-column template."""
    from reportlab.platypus import ListFlowable, ListItem, NextPageTemplate, PageBreak, Paragraph

    start, end = _column_range(blocks)
    story: list[Any] = []
    bullets: list[Any] = []

    def flush() -> None:
        if bullets:
            story.append(ListFlowable(list(bullets), bulletType="bullet", start="•", leftIndent=14,
                                      bulletFontName="Helvetica", bulletFontSize=9, spaceAfter=6))
            bullets.clear()

    for index, block in enumerate(blocks):
        if index in (start, end) and start < end:
            flush()
            story += [NextPageTemplate("TwoColumn" if index == start else "OneColumn"), PageBreak()]
        if block.kind == "bullet":
            bullets.append(ListItem(Paragraph(_markup(block.text), styles["bullet"]), value="•"))
            continue
        flush()
        if block.kind == "table":
            story.append(_pdf_table(block.rows, styles))
        else:
            style = {"title": "title", "heading": f"h{min(block.level, 2)}"}.get(block.kind, "body")
            story.append(Paragraph(_markup(block.text), styles[style]))
    flush()
    return story


def _numbered_canvas_class() -> type:
    """A canvas that knows the page count when it saves, for "Page N of M" footers."""
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", 8)
                self.setFillGray(0.35)
                self.drawCentredString(self._pagesize[0] / 2, 28, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    return NumberedCanvas


def _draw_header(canvas: Any, doc: Any, title: str, stem: str, accent: Any) -> None:
    """Running header on every page: document title left, file reference right, a rule below."""
    width, height = doc.pagesize
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.setFillGray(0.35)
    canvas.drawString(doc.leftMargin, height - 34, title[:90])
    canvas.drawRightString(width - doc.rightMargin, height - 34, stem)
    canvas.setStrokeColor(accent)
    canvas.setLineWidth(1.2)
    canvas.line(doc.leftMargin, height - 40, width - doc.rightMargin, height - 40)
    canvas.line(doc.leftMargin, 40, width - doc.rightMargin, 40)
    canvas.restoreState()


def _pdf_document(out: Path, title: str, stem: str, author: str, accent: Any) -> Any:
    """An A4 document with a one-column and a two-column page template."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    doc = BaseDocTemplate(str(out), pagesize=A4, leftMargin=2.2 * cm, rightMargin=2.2 * cm, topMargin=2.2 * cm,
                          bottomMargin=2 * cm, title=title, author=author, subject=f"{title} ({stem})",
                          creator="eval.render_corpus (test rendering)", keywords="council, target operating model")
    gap = 0.7 * cm
    column = (doc.width - gap) / 2
    on_page = partial(_draw_header, title=title, stem=stem, accent=accent)
    doc.addPageTemplates([
        PageTemplate("OneColumn", [Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")],
                     onPage=on_page),
        PageTemplate("TwoColumn", [
            Frame(doc.leftMargin, doc.bottomMargin, column, doc.height, id="left"),
            Frame(doc.leftMargin + column + gap, doc.bottomMargin, column, doc.height, id="right"),
        ], onPage=on_page),
    ])
    return doc


def _blocks_of(txt: Path) -> tuple[list[Block], str]:
    """The parsed blocks and the title; an empty file still renders, titled by its name."""
    blocks = parse_text(txt.read_text(encoding="utf-8")) or [Block("title", txt.stem)]
    return blocks, plain(blocks[0].text)


def render_pdf(txt: Path, out: Path) -> Path:
    """Render one corpus .txt as an A4 council-style PDF (see `pdf_safe` for replaced characters)."""
    blocks, title = _blocks_of(txt)
    styles = _pdf_styles()
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = _pdf_document(out, pdf_safe(title), txt.stem, DEFAULT_AUTHOR, styles["accent"])
    doc.build(_pdf_flowables(blocks, styles), canvasmaker=_numbered_canvas_class())
    logger.info("rendered %s -> %s", txt.name, out)
    return out


# --------------------------------------------------------------------------- DOCX


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

    blocks, title = _blocks_of(txt)
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


# --------------------------------------------------------------------------- manifest and CLI


def write_manifest(rendered: dict[Path, list[Path]], out_dir: Path) -> Path | None:
    """Copy the source manifest entries into out_dir, keyed by the rendered files' names."""
    documents: dict[str, Any] = {}
    manifests: dict[Path, dict[str, dict[str, Any]]] = {}
    for txt, outputs in rendered.items():
        if txt.parent not in manifests:
            try:
                manifests[txt.parent] = read_manifest(txt.parent)
            except ManifestError as error:
                logger.warning("%s: %s", txt.parent, error)
                manifests[txt.parent] = {}
        entry = manifests[txt.parent].get(txt.name)
        if entry is None:
            logger.warning("%s is not in %s; its renderings get no manifest entry", txt.name, MANIFEST_NAME)
            continue
        for output in outputs:
            documents[output.name] = dict(entry)
    if not documents:
        return None
    path = out_dir / MANIFEST_NAME
    header = "# Copied from the source corpus manifest by eval.render_corpus, keys renamed to the rendered files.\n"
    path.write_text(header + yaml.safe_dump({"documents": documents}, sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def render_files(files: Iterable[Path], out_dir: Path, formats: Sequence[str],
                 with_manifest: bool = False) -> dict[Path, list[Path]]:
    """Render every file to every format in out_dir; the manifest only when asked for."""
    renderers = {"pdf": render_pdf, "docx": render_docx}
    rendered: dict[Path, list[Path]] = {}
    for txt in files:
        rendered[txt] = [renderers[fmt](txt, out_dir / f"{txt.stem}.{fmt}") for fmt in formats]
    if with_manifest:
        manifest = write_manifest(rendered, out_dir)
        logger.info("manifest: %s", manifest or "none (no listed files)")
    return rendered


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.render_corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=("pdf", "docx", "both"), default="both")
    parser.add_argument("--out", type=Path, required=True, help="folder for the rendered files")
    parser.add_argument("--with-manifest", action="store_true",
                        help="copy manifest.yaml with keys renamed (without it: no manifest, as a new user's)")
    parser.add_argument("files", nargs="*", type=Path, help="plain-text documents (default: corpus/*.txt)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    files = args.files or sorted(CORPUS_DIR.glob("*.txt"))
    missing = [f for f in files if not f.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(map(str, missing))}")
    formats = ("pdf", "docx") if args.format == "both" else (args.format,)
    args.out.mkdir(parents=True, exist_ok=True)
    rendered = render_files(files, args.out, formats, with_manifest=args.with_manifest)
    print(f"rendered {len(rendered)} document(s) as {', '.join(formats)} into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
