"""Real PDF, DOCX and HTML files, made by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

TABLE = [
    ("Layer", "Description"),
    ("Customers", "Who are our customers now and in the future?"),
    ("Channels", "How do our customers contact us?"),
    ("Technology", "What technology, support and devices do we need to succeed?"),
]
BULLETS = [
    "be clear on accountability and responsibility.",
    "empower our people to be directly accountable for outcomes.",
    "use agile, iterative, and dynamic approaches to change.",
]


def make_pdf(path: Path) -> Path:
    """Two pages: design principles on page 1, meetings on page 2."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    lines_by_page = [
        ["Appendix 2 - Our Design Principles", "", "Flexible and Agile", "", "A council that is flexible and agile which will:",
         *[f"- {b}" for b in BULLETS]],
        ["Governance", "", "Our boards and meetings will be as succinct as possible and have a clear purpose.",
         "If they do not, we will not hold them."],
    ]
    for lines in lines_by_page:
        y = 800
        for line in lines:
            pdf.drawString(60, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_heading("Target Operating Model", level=1)
    document.add_heading("Our Design Principles", level=2)
    document.add_paragraph("A council that is flexible and agile which will:")
    for bullet in BULLETS:
        document.add_paragraph(bullet, style="List Bullet")
    document.add_heading("The nine layers", level=2)
    table = document.add_table(rows=len(TABLE), cols=2)
    for r, row in enumerate(TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(str(path))
    return path


def make_html(path: Path, extra: str = "") -> Path:
    rows = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in TABLE[1:])
    path.write_text(
        f"""<html><head><title>TOM</title><script>alert('x')</script><style>p {{color: red}}</style></head>
<body><h1>Target Operating Model</h1><h2>Our Design Principles</h2>
<p>A council that is flexible and agile which will:</p>
<ul>{''.join(f'<li>{b}</li>' for b in BULLETS)}</ul>
<h2>The nine layers</h2><table><tr><th>Layer</th><th>Description</th></tr>{rows}</table>{extra}</body></html>""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    """A folder with one document of each supported rich format and a text file."""
    folder = tmp_path / "docs"
    folder.mkdir()
    make_pdf(folder / "principles.pdf")
    make_docx(folder / "model.docx")
    make_html(folder / "layers.html")
    (folder / "notes.txt").write_text(
        "Meeting notes\n\nOur boards will have a clear remit.\n\nActions\n\n- publish the minutes\n- review the remit\n",
        encoding="utf-8",
    )
    return folder
