"""Questions about a council or body the documents never mention.

"What did Wiltshire Council's case study conclude?" over a corpus with no Wiltshire document must
not be answered from another council's case study: every passage retrieved would be about
someone else, and a grounded sentence from it would still be an answer about the wrong council.
A name counts as a body when it is written as one ("X Council", "X Borough", "X's") and as
unknown when no passage uses any of its words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest.text import GENERIC_COUNCIL_WORDS, tokenize

BODY_RE = re.compile(r"\b((?:[A-Z][a-z]+[ -]){0,2}[A-Z][a-z]+)(?:\s+(?:Council|Borough|County|District|City|Authority)\b|['’]s\b)")


def unknown_bodies(question: str, unknown: Callable[[set[str]], set[str]]) -> list[str]:
    """Names of councils or bodies the question asks about that no passage mentions (`unknown` gives the
    stemmed words no passage uses). The question's first word is not taken for part of a name."""
    names = []
    for match in BODY_RE.finditer(question):
        name = match.group(1)
        if match.start() == 0:  # the first capital only starts the sentence ("Does X Borough…", "Today's…")
            name = name.partition(" ")[2] or name.partition("-")[2]
            if not name:
                continue
        stems = set(tokenize(" ".join(w for w in re.split(r"[ -]", name) if w.lower() not in GENERIC_COUNCIL_WORDS)))
        if stems and unknown(stems) == stems:
            names.append(name)
    return names
