"""A proposal as statements: its real sentences and list items, verbatim, with what is not one set aside.

Statements are what the review judges and quotes as evidence, so each is a whole sentence or list
item of the proposal, exactly as written (a substring of it; a bracketed aside that addresses the
reviewer is cut out and shown as " … ", so the judge reads the sentence as it would read it without
the aside). The shared rule in `ingest.text` cuts sentences (keeping "1.6" and "e.g." whole); here,
before it runs, hard-wrapped lines are joined (a line that stops mid-sentence and a next line that
carries on in lower case) and hidden HTML comments and such asides are cut out, all by same-length
substitution so every span still points into the original text. What is not a statement:

- a heading or title: a line on its own without a full stop that is the first line, a table row,
  a signature line ("A | B"), or short and not an action; or a short "Label: value" line. A short
  unpunctuated line that reads as an action ("What phase 2 will deliver") is judged, and it still
  opens a new section, so a "Background" section above it ends there;
- the greeting, and everything after a sign-off ("Thanks,", "Best wishes,", "--"): an email's
  footer is not the proposal;
- text that addresses the reviewer (`assistant.review_injection`): reported, never judged.

Statements under a heading such as "Background", or that open with "At the moment"/"Currently",
describe what exists now, not the change: they are kept but marked as context.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from assistant.review_injection import hidden_comments, reviewer_addressing
from assistant.review_vague import is_action
from ingest.text import list_item, sentence_spans

log = logging.getLogger(__name__)

MIN_STATEMENT_WORDS = 3
SHORT_HEADING_WORDS = 8  # a line without a full stop, this short and not an action, is a heading
_END_RE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
_LABEL_RE = re.compile(r"^[A-Z][\w /&'()-]{0,30}:\s")
_GREETING_RE = re.compile(r"^(hi|hello|dear|morning|good (morning|afternoon|evening))\b[^.!?]{0,40},?$", re.I)
_SIGN_OFF_RE = re.compile(r"^(-{2,}|_{3,}|(many |best |kind |warm )?(thanks|regards|wishes)|thank you|best|cheers"
                          r"|yours (sincerely|faithfully|truly)|all the best)\s*[,.!]?\s*$", re.I)
_CONTEXT_HEADING_RE = re.compile(r"^(background|context|current (position|situation|state|arrangements?)|the problem|problem"
                                 r"|issues?|why( change)?|today|as is|where we are( now)?)\b", re.I)
_CONTEXT_OPENING_RE = re.compile(r"^(at the moment|at present|currently|today|presently|until now|so far|last year|this year"
                                 r"|in (19|20)\d\d|since\b|historically|previously|in the past|over the (past|last))\b", re.I)
_MARKER_ONLY_RE = re.compile(r"\s*(\d{1,2}[.)]|[a-h][.)]|\(?[ivx]{1,4}\))\s+")
_ASIDE_RE = re.compile(r"\([^()\n]{12,400}\)|\[[^\[\]\n]{12,400}\]|\{[^{}\n]{12,400}\}")
# An abbreviation the shared splitter does not know, cut before a figure: "c. 200", "approx 3", "p.a. 5"
_CUT_BEFORE_FIGURE_RE = re.compile(r"(?:^|\s)(c|ca|circa|approx|est|av|avg|max|min|p\.a|no|nos|tel|ext)\.$", re.I)


@dataclass(frozen=True)
class Statement:
    text: str  # verbatim: a substring of the proposal, or two joined by " … " where an aside was set aside
    start: int  # where it starts in the proposal
    item: bool = False  # a list item (its marker is left out of `text`)
    heading: str = ""  # the heading it stands under
    context: bool = False  # describes what exists now, not the change


@dataclass
class Parsed:
    statements: list[Statement] = field(default_factory=list)
    injected: list[str] = field(default_factory=list)  # text addressing the reviewer, set aside
    lines: list[str] = field(default_factory=list)  # every content line, headings and tables too (for detail checks)


def parse_proposal(proposal: str) -> Parsed:
    """The proposal's statements, the reviewer-addressing text taken out of it, and its content lines."""
    parsed = Parsed()
    masked, asides = _mask_comments(_join_wrapped_lines(proposal), parsed)
    footer = _footer_start(masked)
    heading, first = "", True
    for start, end in _spans(masked):
        text = masked[start:end]
        if not re.search(r"\w\w", text):
            continue
        item = list_item(text)
        body_start = start + (len(text) - len(item) if item is not None else 0)
        if item is None and _MARKER_ONLY_RE.fullmatch(masked[masked.rfind("\n", 0, start) + 1:start]):
            item = text  # "2. Merge…": the shared splitter cut the number off as a sentence of its own
        body = _quote(proposal, body_start, end, asides)
        kind = reviewer_addressing(masked[body_start:end].strip())
        if kind:
            log.info("set aside text addressing the reviewer (%s): %s", kind, body[:80])
            parsed.injected.append(body)
            continue
        if start >= footer:
            continue
        parsed.lines.append(body)
        line = _line_kind(masked, start, end, first) if item is None else None
        first = False
        if line is not None:
            heading = body  # a new section starts: a "Background" section above it ends here
            if line == "heading":
                continue
        if len(re.findall(r"\w+", body)) < MIN_STATEMENT_WORDS or _GREETING_RE.match(body):
            continue
        previous = parsed.statements[-1] if parsed.statements else None
        same_line = previous is not None and "\n" not in masked[previous.start:start]
        context = bool(_CONTEXT_HEADING_RE.match(heading) or _CONTEXT_OPENING_RE.match(body)
                       or (same_line and previous.context))  # the rest of a paragraph that opens "Today…"
        parsed.statements.append(Statement(body, body_start, item is not None, heading, context))
    return parsed


def split_statements(proposal: str) -> tuple[list[str], list[str]]:
    """Verbatim statements of the proposal, and the reviewer-addressing text taken out of it."""
    parsed = parse_proposal(proposal)
    return [s.text for s in parsed.statements], parsed.injected


def _mask_comments(text: str, parsed: Parsed) -> tuple[str, list[tuple[int, int]]]:
    """Hidden comments replaced by a line break and spaces, and bracketed asides that address the reviewer by
    spaces (the sentence around one stays one sentence); the reviewer-addressing ones are reported. Returns
    the masked text and the asides' spans."""
    masks, asides = [], []
    for start, end in hidden_comments(text):
        inner = text[start + 4:end - 3].strip()
        if inner and reviewer_addressing(inner) is not None:
            parsed.injected.append(text[start:end])
        elif inner:
            log.info("set aside a hidden comment: %s", inner[:80])
        masks.append((start, end))
    for match in _ASIDE_RE.finditer(text):
        if reviewer_addressing(match.group(0)[1:-1]) is not None:
            parsed.injected.append(match.group(0))
            asides.append(match.span())
    for start, end in masks:
        text = text[:start] + "\n" + " " * (end - start - 1) + text[end:]
    for start, end in asides:
        text = text[:start] + " " * (end - start) + text[end:]
    return text, asides


def _quote(text: str, start: int, end: int, asides: list[tuple[int, int]]) -> str:
    """The statement as written, with an aside set aside inside it shown as an ellipsis: the judge reads the
    whole sentence, as it would without the aside, and the evidence quotes it."""
    piece = text[start:end]
    for aside_start, aside_end in sorted(asides, reverse=True):
        if start <= aside_start and aside_end <= end:
            before, after = piece[:aside_start - start].rstrip(), piece[aside_end - start:].lstrip()
            if not before or not after or after[0] in ".,;:!?":
                piece = before + after  # at either end of the sentence: nothing was left out between two parts
            else:
                piece = before + " … " + after
    return piece.strip()


def _join_wrapped_lines(text: str) -> str:
    """A line that stops mid-sentence, followed by one that carries on in lower case, joined with a space."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1].lstrip() if i + 1 < len(lines) else ""
        wrapped = (line.strip() and not _END_RE.search(line.rstrip()) and not line.rstrip().endswith((":", ";"))
                   and nxt[:1].islower() and list_item(nxt) is None)
        out.append(line + (" " if wrapped else "\n"))
    return "".join(out)[:len(text)]


def _spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans, with a cut after an abbreviation before a figure ("c. 200 staff") mended."""
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        if spans and _CUT_BEFORE_FIGURE_RE.search(text[spans[-1][0]:spans[-1][1]]) and "\n" not in text[spans[-1][1]:start] \
                and text[start:start + 1].isdigit():
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _footer_start(text: str) -> int:
    """Where an email's sign-off starts (its footer is not the proposal), or the end of the text."""
    position = 0
    for line in text.split("\n"):
        if _SIGN_OFF_RE.match(line.strip()) and position > 0:
            return position
        position += len(line) + 1
    return len(text)


def _line_kind(text: str, start: int, end: int, first: bool) -> str | None:
    """"heading" for a title, heading, table row or signature line: a whole line that is not a sentence of the
    proposal. "section" for a short whole line without a full stop that reads as an action ("What phase 2 will
    deliver"): it opens a section like a heading, and is judged like a sentence. None for anything else."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start:line_end if line_end >= 0 else len(text)].strip()
    piece = text[start:end].strip()
    if piece != line:
        return None
    words = len(re.findall(r"\w+", piece))
    if _LABEL_RE.match(piece) and words <= SHORT_HEADING_WORDS:
        return "heading"
    if _END_RE.search(piece):
        return None
    if first or "\t" in piece or " | " in piece:
        return "heading"
    if words <= SHORT_HEADING_WORDS:
        return "section" if is_action(piece) else "heading"
    return None
