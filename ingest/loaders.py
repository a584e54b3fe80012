"""Read .txt, .md, .pdf, .docx and .html files into llama-index Documents.

Every format is rendered into one plain-text shape the chunker understands: `#` headings,
`- ` bullets, tab-separated table rows, blank lines between blocks. PDF pages are joined and
their start offsets kept in `page_starts`, so each chunk knows its page. Anything that cannot be
read raises `LoadError` with a reason a person can act on; soft problems (an encoding guessed)
are returned as warnings beside the document. Nothing is expanded without a bound: a DOCX (a zip)
whose declared contents are far larger than the file is refused before it is opened, and no
document may yield more than MAX_TEXT_CHARS of text.

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
MAX_TEXT_CHARS = 20_000_000  # extracted text per document; beyond it the document is refused (split it)
MAX_UNZIPPED_BYTES = 200_000_000  # a DOCX's declared uncompressed contents, whatever its size
MAX_ZIP_RATIO = 100  # declared contents over file size, checked once the contents pass ZIP_RATIO_FLOOR
ZIP_RATIO_FLOOR = 10_000_000


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
    if suffix not in (".pdf", ".docx") and len(data) > 4 * MAX_TEXT_CHARS:  # 4 bytes per character at most
        raise LoadError(_too_much_text(len(data), "bytes"))
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
    if len(text) > MAX_TEXT_CHARS:
        raise LoadError(_too_much_text(len(text), "characters of text"))
    metadata = {"file_name": path.name, "source": str(path.resolve()), "format": suffix.lstrip(".")}
    if page_starts:
        metadata["page_starts"] = page_starts
    document = Document(text=text, metadata=metadata, id_=path.name)
    return Loaded(document=document, warnings=warnings)


def _too_much_text(size: int, unit: str) -> str:
    return (f"too large: the file holds {size:,} {unit}; the limit is {MAX_TEXT_CHARS:,} characters of text "
            "per document (split it into parts)")


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
        if len(text) > MAX_TEXT_CHARS:
            raise LoadError(_too_much_text(len(text), "characters of text (and more)"))
    return text, starts


def _docx_text(path: Path) -> str:
    """The body of a DOCX, once its zip is known not to expand beyond the limits. A DOCX that python-docx
    cannot parse (bad XML, an unsupported compression method, a damaged zip) raises LoadError."""
    import zlib

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    _check_zip(path)
    try:
        return _docx_blocks(docx.Document(str(path)))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, NotImplementedError, XMLSyntaxError,
            zlib.error, EOFError) as error:
        raise LoadError(f"corrupt or unreadable DOCX ({type(error).__name__}: {error})") from None


def _check_zip(path: Path) -> None:
    """Refuse a zip bomb before expanding anything, from the sizes the archive declares (zipfile then
    stops any member at its declared size: one that inflates further fails its CRC check)."""
    try:
        with zipfile.ZipFile(path) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise LoadError(f"corrupt or unreadable DOCX ({type(error).__name__}: {error})") from None
    size = max(path.stat().st_size, 1)
    if declared > MAX_UNZIPPED_BYTES or (declared > ZIP_RATIO_FLOOR and declared > MAX_ZIP_RATIO * size):
        raise LoadError(f"refused: this {size:,}-byte DOCX would expand to {declared:,} bytes (limits: "
                        f"{MAX_UNZIPPED_BYTES:,} bytes, or {MAX_ZIP_RATIO} times the file's size); is it a zip bomb?")


def _docx_blocks(document) -> str:
    import docx
    from docx.oxml.ns import qn

    blocks: list[str] = []
    length = 0
    for child in document.element.body.iterchildren():
        block = ""
        if child.tag == qn("w:p"):
            block = _docx_paragraph(docx.text.paragraph.Paragraph(child, document), child)
        elif child.tag == qn("w:tbl"):
            table = docx.table.Table(child, document)
            block = "\n".join("\t".join(cell.text.strip().replace("\n", " ") for cell in row.cells) for row in table.rows)
        if block:
            blocks.append(block)
            length += len(block) + 2
            if length > MAX_TEXT_CHARS:
                raise LoadError(_too_much_text(length, "characters of text (and more)"))
    return "\n\n".join(blocks) + "\n"


def _docx_paragraph(paragraph, element) -> str:
    from docx.oxml.ns import qn

    text = paragraph.text.strip()
    if not text:
        return ""
    style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    level = _heading_level(style)
    if level:
        return "#" * level + " " + text
    if "list" in style or element.find(qn("w:pPr") + "/" + qn("w:numPr")) is not None:
        return "- " + text
    return text


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
