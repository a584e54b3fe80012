"""A proposal as statements: its sentences and list items, verbatim, with instructions taken out.

Statements are what the review judges and quotes as evidence, so they are real sentences (cut
with the shared rule in `ingest.text`, which keeps "1.6" and "e.g." whole) and never a title
line. A line that addresses the assistant instead of describing the change is not a statement:
it is set aside, reported, and never reaches the model.
"""

from __future__ import annotations

import re

from ingest.text import list_item, sentences

INJECTION_RE = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.\n]{0,40}\b(instructions?|prompts?|rules|criteria|above|previous)\b"
    r"|\b(you are now|you must now|new instructions|system prompt|as an ai)\b"
    r"|\b(rate|mark|score|judge|classify|label|treat)\b[^.\n]{0,30}\b(proposal|this|it)\b[^.\n]{0,20}\bas\b[^.\n]{0,30}"
    r"\b(aligned|fits?|supports?|compliant|approved|excellent)\b"
    r"|^\s*(system|assistant|ai|model)\s*:",
    re.I | re.M,
)
MIN_STATEMENT_WORDS = 3
TITLE_WORDS = 8  # a line of at most this many words with a colon, standing alone, is a title ("Proposal: …")


def split_statements(proposal: str) -> tuple[list[str], list[str]]:
    """Verbatim statements of the proposal, and the instruction-like ones taken out of them."""
    statements, injected = [], []
    lines = {line.strip() for line in proposal.splitlines()}
    for piece in sentences(proposal):
        text = list_item(piece) or piece.strip()
        words = len(re.findall(r"\w+", text))
        if INJECTION_RE.search(text):
            injected.append(text)
        elif words >= MIN_STATEMENT_WORDS and not _is_title(piece, lines, words):
            statements.append(text)
    return statements, injected


def _is_title(piece: str, lines: set[str], words: int) -> bool:
    return piece.strip() in lines and ":" in piece and words <= TITLE_WORDS
