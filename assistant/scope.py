"""Questions about a council or body the documents never mention.

"What did Wiltshire Council's case study conclude?" over a corpus with no Wiltshire document must
not be answered from another council's case study: every passage retrieved would be about
someone else, and a grounded sentence from it would still be an answer about the wrong council.
A name counts as a body when it is written as one ("X Council", "X Borough", "X's") and as
unknown when no passage uses any of its words.

A yes/no question asks whether all it says holds, so any name in it is part of what is asked: "Will the
councils use Salesforce for their CRM?" cannot be settled by documents that never mention Salesforce, however
much they say about the CRM.
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


NAME_WORD_RE = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*\b")  # "Salesforce", "Wiltshire", "SharePoint"; not "CRM"
SENTENCE_START_RE = re.compile(r"(?:^|[.?!:;]\s+|\n)\W*$")  # what comes before a capital that only starts a sentence


def unknown_names(question: str, unknown: Callable[[set[str]], set[str]]) -> list[str]:
    """Capitalised words inside a sentence that no passage uses: in a yes/no question, names the documents cannot settle."""
    names = []
    for match in NAME_WORD_RE.finditer(question):
        stems = set(tokenize(match.group(0)))
        starts_sentence = SENTENCE_START_RE.search(question[:match.start()]) is not None
        if not starts_sentence and stems and unknown(stems) == stems:
            names.append(match.group(0))
    return names
