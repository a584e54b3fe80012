"""Find a document's structure: headings (with levels), paragraphs, bullets and table rows.

Council documents arrive as text extracted from PDFs and web pages, so headings are seldom
marked. When a text has Markdown `#` headings (as the DOCX and HTML loaders produce), only those
count; otherwise a short line standing alone between blank lines, without closing punctuation,
is a heading. "Appendix 2 - ...", "3. DETAILS OF THE REPORT" and all-capitals lines open a top
level section; other headings sit under the last top-level one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text import BULLET_RE, NUMBERED_RE

MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
TOP_LEVEL_RE = re.compile(r"^(appendix|annex|annexe|part|section|chapter)\b|^\d{1,2}\.?\s+[A-Z]", re.IGNORECASE)
DECORATION_RE = re.compile(r"^[^\w\"'\u201c\u2018(\[£$€]+\s*")


@dataclass
class Block:
    """One unit of a document. `start`/`end` are offsets into the document text."""

    kind: str  # "heading" | "para" | "bullet" | "row"
    text: str
    start: int
    end: int
    level: int = 0  # headings only


def clean_inline(text: str) -> str:
    """Drop Markdown emphasis and collapse white space; what remains is shown and quoted."""
    text = text.replace("**", "").replace("__", "")
    return " ".join(text.split())


def parse_blocks(text: str) -> list[Block]:
    """Split text into blocks, keeping the offsets of each in the original text."""
    lines = _lines_with_offsets(text)
    has_md_headings = any(MD_HEADING_RE.match(line) for line, _ in lines)
    blocks: list[Block] = []
    group: list[tuple[str, int]] = []

    def flush() -> None:
        if group:
            blocks.extend(_group_blocks(group, has_md_headings))
            group.clear()

    for line, offset in lines:
        if line.strip():
            group.append((line, offset))
        else:
            flush()
    flush()
    return _join_continuations(blocks)


def _join_continuations(blocks: list[Block]) -> list[Block]:
    """Rejoin a sentence that a page or column break split across a blank line."""
    out: list[Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        if (
            previous is not None
            and block.kind == "para"
            and previous.kind in ("para", "bullet")
            and block.text[:1].islower()
            and previous.text[-1:] not in ".!?:"
        ):
            previous.text = previous.text + " " + block.text
            previous.end = block.end
        else:
            out.append(block)
    return out


def _lines_with_offsets(text: str) -> list[tuple[str, int]]:
    out, offset = [], 0
    for line in text.split("\n"):
        out.append((line, offset))
        offset += len(line) + 1
    return out


def _group_blocks(group: list[tuple[str, int]], has_md_headings: bool) -> list[Block]:
    """Blocks of one run of non-blank lines: wrapped lines join, bullets and rows stand alone."""
    if len(group) == 1:
        heading = _as_heading(group[0][0], has_md_headings)
        if heading:
            level, title = heading
            line, offset = group[0]
            return [Block("heading", title, offset, offset + len(line), level)]
    blocks: list[Block] = []
    for i, (line, offset) in enumerate(group):
        end = offset + len(line)
        md = MD_HEADING_RE.match(line)
        inline = None if md else _inline_heading(group, i, blocks, has_md_headings)
        if md:
            blocks.append(Block("heading", clean_inline(md.group(2)), offset, end, len(md.group(1))))
        elif inline:
            blocks.append(Block("heading", inline[1], offset, end, inline[0]))
        elif "\t" in line.strip() or (line.startswith("\t") and blocks and blocks[-1].kind == "row"):
            cells = [clean_inline(cell) for cell in line.rstrip("\n").split("\t")]
            blocks.append(Block("row", "\t".join(cells), offset, end))
        elif BULLET_RE.match(line) or (NUMBERED_RE.match(line) and not has_md_headings):
            body = BULLET_RE.sub("", line, count=1) if BULLET_RE.match(line) else line
            body = DECORATION_RE.sub("", body.strip())
            prefix = "" if NUMBERED_RE.match(body) else "- "
            blocks.append(Block("bullet", prefix + clean_inline(body), offset, end))
        elif blocks and blocks[-1].kind in ("para", "bullet"):
            previous = blocks[-1]
            previous.text = clean_inline(previous.text + " " + line)
            previous.end = end
        else:
            blocks.append(Block("para", clean_inline(line), offset, end))
    return [block for block in blocks if block.text.strip("- \t")]


def _inline_heading(
    group: list[tuple[str, int]], i: int, blocks: list[Block], has_md_headings: bool
) -> tuple[int, str] | None:
    """A heading inside a run of lines (PDF text keeps no blank lines): it must sit between sentences."""
    heading = _as_heading(group[i][0], has_md_headings)
    if heading is None or i + 1 >= len(group):
        return None
    previous = blocks[-1] if blocks else None
    after_sentence = previous is None or previous.kind == "heading" or previous.text[-1:] in ".!?:"
    following = group[i + 1][0].strip()
    starts_new = bool(following) and (following[0].isupper() or bool(BULLET_RE.match(following)))
    return heading if after_sentence and starts_new else None


def _as_heading(line: str, has_md_headings: bool) -> tuple[int, str] | None:
    md = MD_HEADING_RE.match(line)
    if md:
        return len(md.group(1)), clean_inline(md.group(2))
    if has_md_headings:
        return None
    text = clean_inline(line)
    words = text.split()
    if not words or len(text) > 90 or len(words) > 12 or "\t" in line:
        return None
    if BULLET_RE.match(line) or text[-1] in ".,;:" or not re.search(r"[A-Za-z]{2}", text):
        return None
    if text[0].islower() or text.startswith(("\u201c", '"', "(")):
        return None
    if len(words) >= 6 and not text.endswith("?") and not _mostly_capitalised(words):
        return None
    level = 1 if TOP_LEVEL_RE.match(text) or (text.isupper() and len(words) > 1) else 2
    return level, text


SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with"}


def _mostly_capitalised(words: list[str]) -> bool:
    """Titles capitalise most content words; a short sentence without a full stop does not."""
    content = [word for word in words if word.lower() not in SMALL_WORDS]
    capitalised = sum(1 for word in content if word[0].isupper() or word[0].isdigit())
    return capitalised * 2 > len(content)
