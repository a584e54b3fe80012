"""The corpus .txt files read as blocks (title, headings, paragraphs, bullets, tables) for rendering.

Deliberately simple: it only handles the conventions of `corpus/*.txt` (short heading lines,
`**bold**`, `- `/`• ` bullets, tab-separated tables, stray blank lines). Test tooling for
`eval.render_corpus`, not part of ingestion.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_AUTHOR = "Democratic Services"  # metadata author, as on many published council papers

BULLET_RE = re.compile(r"^[-•]\s+")
BOLD_RE = re.compile(r"\*\*(.+?)\*\*")
ITALIC_RE = re.compile(r"(?<![*\w])\*(?=\S)(.+?)(?<=\S)\*(?![*\w])")
SENTENCE_STARTS = {"we", "our", "i", "it", "this", "these", "they", "there", "you", "he", "she"}
AUXILIARIES = {"will", "is", "are", "was", "were", "can", "should", "must", "has", "have"}
QUESTION_WORDS = {"what", "how", "why", "who", "when", "where", "which"}
MAX_HEADING_WORDS = 11




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


def blocks_of(txt: Path) -> tuple[list[Block], str]:
    """The parsed blocks and the title; an empty file still renders, titled by its name."""
    blocks = parse_text(txt.read_text(encoding="utf-8")) or [Block("title", txt.stem)]
    return blocks, plain(blocks[0].text)
