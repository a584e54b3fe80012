"""A corpus .txt rendered as an A4 council-style PDF: running header, "Page N of M" footer, real
headings, lists and tables, and a stretch of two-column pages (what makes real PDFs hard to extract)."""

from __future__ import annotations

import logging
import unicodedata
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from eval.render_text import DEFAULT_AUTHOR, Block, blocks_of, inline_runs, plain

logger = logging.getLogger(__name__)

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


def render_pdf(txt: Path, out: Path) -> Path:
    """Render one corpus .txt as an A4 council-style PDF (see `pdf_safe` for replaced characters)."""
    blocks, title = blocks_of(txt)
    styles = _pdf_styles()
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = _pdf_document(out, pdf_safe(title), txt.stem, DEFAULT_AUTHOR, styles["accent"])
    doc.build(_pdf_flowables(blocks, styles), canvasmaker=_numbered_canvas_class())
    logger.info("rendered %s -> %s", txt.name, out)
    return out
