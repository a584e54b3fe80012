"""How the corpus names things: the acronyms its documents define, the words that name the corpus
itself, and the words that name each document and council.

Acronyms and a document's name words are found once per document, when it is written (the
registry keeps them); the corpus-wide view (`Names`) is derived from those per-document rows,
which are few (one per document), whenever the store's revision changes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.text import council_name_words, tokenize

ACRONYM_RE = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")
LINKING_WORDS = frozenset({"and", "of", "for", "the", "&"})
GENERIC_WORDS = ("council", "councils", "document", "documents")


def find_acronyms(texts: Iterable[str]) -> dict[str, str]:
    """'Target Operating Model (TOM)' defines TOM when the capitals' initials spell it.

    Each "(ABC)" looks back at most six capitalised words (with linking words between them) in
    the 80 characters before it: linear in the text, whatever the text holds.
    """
    found: dict[str, str] = {}
    for text in texts:
        for match in ACRONYM_RE.finditer(text):
            short = match.group(1)
            if short in found:
                continue
            words = _words_before(text[max(0, match.start() - 80):match.start()])
            for start in range(len(words)):
                candidate = [w for w in words[start:] if w[0].isupper()]
                if "".join(w[0] for w in candidate).upper() == short.upper():
                    found[short] = " ".join(words[start:])
                    break
    return found


def _words_before(window: str) -> list[str]:
    """The run of capitalised words (and linking words between them) that ends the window."""
    words: list[str] = []
    for word in reversed(re.split(r"[\s-]+", window.strip())):
        if word and word[0].isupper() and len(words) < 12:
            words.append(word)
        elif word.lower() in LINKING_WORDS and words:
            words.append(word)
        else:
            break
    while words and words[-1].lower() in LINKING_WORDS:
        words.pop()
    return list(reversed(words))


def name_tokens(document: str, metadata: dict) -> list[str]:
    """The words a question would use to name a document: title, council, kind, date, file name."""
    fields = [metadata.get("title", ""), metadata.get("council", ""), metadata.get("kind", ""), metadata.get("date", ""),
              re.sub(r"[-_.]", " ", document.rsplit(".", 1)[0])]
    return sorted(set(tokenize(" ".join(str(f) for f in fields))))


def identity_terms(titles: set[str], acronyms: dict[str, str]) -> frozenset[str]:
    """Words in at least half the document titles, their abbreviations, and generic council words."""
    counts: dict[str, int] = {}
    for title in titles:
        for token in set(tokenize(title)):
            counts[token] = counts.get(token, 0) + 1
    common = {token for token, count in counts.items() if len(titles) > 1 and count * 2 >= len(titles)}
    for short, long in acronyms.items():
        if set(tokenize(long)) <= common:
            common.update(tokenize(short))
    return frozenset(common | set(tokenize(" ".join(GENERIC_WORDS))))


@dataclass(frozen=True)
class DocumentNames:
    """What the registry keeps per document for naming (in the order documents were first stored)."""

    document: str
    title: str
    council: str
    names: tuple[str, ...]
    acronyms: dict[str, str]


@dataclass(frozen=True)
class Names:
    """The corpus-wide naming view for one revision of the store, computed once per revision."""

    revision: str = ""
    chunks: int = 0
    acronyms: dict[str, str] = field(default_factory=dict)
    identity: frozenset[str] = frozenset()
    names: dict[str, frozenset[str]] = field(default_factory=dict)  # document -> its name words
    weights: dict[str, float] = field(default_factory=dict)  # name word -> log(documents / documents it names)
    councils: dict[str, frozenset[str]] = field(default_factory=dict)  # council -> its distinctive name words

    @property
    def name_words(self) -> frozenset[str]:
        return frozenset(self.weights)


def corpus_names(revision: str, chunks: int, documents: list[DocumentNames]) -> Names:
    """The naming view from the registry's rows: first definition of an acronym wins, as in document order."""
    acronyms: dict[str, str] = {}
    for row in documents:
        for short, long in row.acronyms.items():
            acronyms.setdefault(short, long)
    identity = identity_terms({row.title for row in documents}, acronyms)
    names = {row.document: frozenset(row.names) - identity for row in documents}
    df: dict[str, int] = {}
    for tokens in names.values():
        for token in tokens:
            df[token] = df.get(token, 0) + 1
    weights = {token: math.log(len(names) / count) for token, count in df.items()}
    councils = {row.council: council_name_words(row.council) for row in documents if row.council}
    return Names(revision, chunks, acronyms, identity, names, weights, councils)
