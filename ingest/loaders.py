"""Read .txt, .md, .pdf, .docx and .html files into llama-index Documents.

Every format is rendered into one plain-text shape the chunker understands: `#` headings,
`- ` bullets, tab-separated table rows, blank lines between blocks. PDF pages are joined and
their start offsets kept in `page_starts`, so each chunk knows its page. Anything that cannot be
read raises `LoadError` with a reason a person can act on; soft problems (an encoding guessed)
are returned as warnings beside the document.

PDF pages come through llama-index's `PDFReader`; DOCX and HTML are walked with python-docx and
BeautifulSoup directly because llama-index's readers for them flatten headings, lists and tables,
which is the structure the chunker needs.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core import Document

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")


class LoadError(Exception):
    """A file that cannot be ingested; the message is the reason shown in the summary."""


@dataclass
class Loaded:
    document: Document
    warnings: list[str] = field(default_factory=list)


def load_file(path: Path) -> Loaded:
    """Load one file by its suffix, or raise LoadError saying why not."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported format '{suffix or path.name}' (supported: {', '.join(SUPPORTED_SUFFIXES)})")
    data = path.read_bytes()
    if not data.strip():
        raise LoadError("empty file: no text to ingest")
    warnings: list[str] = []
    page_starts: list[int] = []
    if suffix in (".txt", ".md"):
        text = _decode_text(data, warnings)
    elif suffix == ".pdf":
        text, page_starts = _pdf_text(path)
    elif suffix == ".docx":
        text = _docx_text(path)
    else:
        text = html_to_text(_decode_text(data, warnings))
    if not text.strip():
        raise LoadError("no text found in the file" + (" (a scanned PDF needs OCR first)" if suffix == ".pdf" else ""))
    metadata = {"file_name": path.name, "source": str(path.resolve()), "format": suffix.lstrip(".")}
    if page_starts:
        metadata["page_starts"] = page_starts
    document = Document(text=text, metadata=metadata, id_=path.name)
    return Loaded(document=document, warnings=warnings)


def _decode_text(data: bytes, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM) first; otherwise a detected encoding, with a warning."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError("binary content in a text file (NUL bytes): is it a renamed PDF, image or archive?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise LoadError("not valid UTF-8 and no known text encoding fits: is it a binary file?") from None
        text = str(best)
        warnings.append(f"not UTF-8: read as {best.encoding}; check accented characters and symbols")
    control = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > max(8, len(text[:4096]) // 50):
        raise LoadError("binary content in a text file (control characters): is it a renamed binary file?")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _pdf_text(path: Path) -> tuple[str, list[int]]:
    from llama_index.core.readers.file.base import SimpleDirectoryReader  # noqa: F401  (registers readers)
    from llama_index.readers.file import PDFReader

    try:
        pages = PDFReader(return_full_document=False).load_data(path)
    except Exception as error:  # pypdf raises many types for damaged files
        raise LoadError(f"corrupt or unreadable PDF ({type(error).__name__}: {error})") from None
    text, starts = "", []
    for page in pages:
        starts.append(len(text))
        text += page.text.replace("\r\n", "\n").rstrip() + "\n\n"
    return text, starts


def _docx_text(path: Path) -> str:
    import docx
    from docx.oxml.ns import qn

    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        raise LoadError(f"corrupt or unreadable DOCX ({type(error).__name__}: {error})") from None
    blocks: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = docx.text.paragraph.Paragraph(child, document)
            text = paragraph.text.strip()
            if not text:
                continue
            style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
            level = _heading_level(style)
            if level:
                blocks.append("#" * level + " " + text)
            elif "list" in style or child.find(qn("w:pPr") + "/" + qn("w:numPr")) is not None:
                blocks.append("- " + text)
            else:
                blocks.append(text)
        elif child.tag == qn("w:tbl"):
            table = docx.table.Table(child, document)
            rows = ["\t".join(cell.text.strip().replace("\n", " ") for cell in row.cells) for row in table.rows]
            blocks.append("\n".join(rows))
    return "\n\n".join(blocks) + "\n"


def _heading_level(style: str) -> int:
    if style == "title":
        return 1
    match = re.match(r"heading (\d)", style)
    return int(match.group(1)) if match else 0


def html_to_text(html: str) -> str:
    """Headings, list items, table rows and paragraphs of an HTML page; scripts and styles dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "nav", "footer"]):
        tag.decompose()
    blocks: list[str] = []
    for element in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre", "blockquote", "dt", "dd"]):
        if element.find_parent(["li", "tr", "p", "blockquote"]) is not None and element.name != "tr":
            continue
        if element.name == "tr":
            cells = [cell.get_text(" ", strip=True) for cell in element.find_all(["th", "td"])]
            line = "\t".join(cells)
            if blocks and "\t" in blocks[-1].split("\n")[-1]:
                blocks[-1] += "\n" + line
            else:
                blocks.append(line)
            continue
        text = " ".join(element.get_text(" ", strip=True).split())
        if not text:
            continue
        if element.name[0] == "h":
            blocks.append("#" * int(element.name[1]) + " " + text)
        elif element.name == "li":
            blocks.append("- " + text)
        else:
            blocks.append(text)
    if not blocks:
        text = soup.get_text("\n", strip=True)
        return text
    return "\n\n".join(blocks) + "\n"
