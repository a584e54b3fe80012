"""BM25 over the same chunks as the vector store, rebuilt whenever the store's revision changes.

Deriving the keyword index from the collection (rather than keeping a second file) keeps the two
in step by construction, in every process and with a Chroma server shared between processes.
Title and section path are indexed with the text, as they are embedded with it.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ingest.store import ChunkStore, StoredChunk
from ingest.text import tokenize

log = logging.getLogger(__name__)


def index_text(chunk: StoredChunk) -> str:
    """What BM25 reads: the section path counts twice, as a heading says what a passage is about."""
    meta = chunk.metadata
    section = str(meta.get("section", ""))
    return f"{meta.get('title', '')}\n{section}\n{section}\n{chunk.text}"


@dataclass(frozen=True)
class _Snapshot:
    """Everything built from one revision of the store, published in one assignment: a reader
    never sees the chunks of one revision with the index of another, or an index half built."""

    revision: str | None = None
    chunks: tuple[StoredChunk, ...] = ()
    text: Any = None  # bm25s.BM25 over title, section and text
    headings: Any = None  # bm25s.BM25 over section paths
    acronyms: dict[str, str] = field(default_factory=dict)
    identity: frozenset[str] = frozenset()
    names: dict[str, frozenset[str]] = field(default_factory=dict)
    councils: frozenset[str] = frozenset()


class KeywordIndex:
    """BM25 (bm25s) over every chunk in the store."""

    def __init__(self, store: ChunkStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._current = _Snapshot()

    def _snapshot(self) -> _Snapshot:
        """The index for the store's current revision, rebuilt first if the store changed."""
        revision = self.store.revision()
        if revision != self._current.revision:
            with self._lock:
                if revision != self._current.revision:
                    self._current = _build(revision, self.store.all_chunks())
        return self._current

    def refresh(self) -> None:
        self._snapshot()

    def unknown(self, tokens: set[str]) -> set[str]:
        """The tokens no chunk contains: words the documents never use."""
        index = self._snapshot().text
        vocab = index.vocab_dict if index is not None else {}
        return {token for token in tokens if token not in vocab}

    def search(self, query: str, n: int, matches: Callable[[dict[str, Any]], bool] | None = None) -> list[tuple[StoredChunk, float]]:
        """Top chunks by BM25 score, only those whose metadata `matches`; zero scores dropped."""
        snapshot = self._snapshot()
        return _top(snapshot, snapshot.text, query, n, matches)

    def search_headings(self, query: str, n: int, matches: Callable[[dict[str, Any]], bool] | None = None) -> list[tuple[StoredChunk, float]]:
        """Chunks whose section path matches the question: a heading names what its passages are about."""
        snapshot = self._snapshot()
        return _top(snapshot, snapshot.headings, query, n, matches)

    @property
    def identity(self) -> frozenset[str]:
        """Stemmed words that name the corpus itself (in most titles), which tell passages apart poorly."""
        return self._snapshot().identity

    @property
    def acronyms(self) -> dict[str, str]:
        """Abbreviations the documents define, e.g. {"TOM": "Target Operating Model"}."""
        return self._snapshot().acronyms

    @property
    def names(self) -> dict[str, frozenset[str]]:
        """For each document, the words a question would use to name it (title, council, kind, date, file)."""
        return self._snapshot().names

    @property
    def councils(self) -> frozenset[str]:
        """The councils whose documents are indexed, computed once per rebuild."""
        return self._snapshot().councils

    @property
    def chunks(self) -> tuple[StoredChunk, ...]:
        return self._snapshot().chunks


def _build(revision: str, chunks: list[StoredChunk]) -> _Snapshot:
    import bm25s

    text = headings = None
    if chunks:
        text, headings = bm25s.BM25(), bm25s.BM25()
        text.index([tokenize(index_text(chunk)) for chunk in chunks], show_progress=False)
        headings.index([tokenize(str(c.metadata.get("section", ""))) for c in chunks], show_progress=False)
    acronyms = find_acronyms(chunk.text for chunk in chunks)
    identity = identity_terms(chunks, acronyms)
    log.info("keyword index rebuilt: %d chunks, %d acronyms", len(chunks), len(acronyms))
    return _Snapshot(revision, tuple(chunks), text, headings, acronyms, identity, document_names(chunks, identity),
                     frozenset(str(c.metadata.get("council", "")) for c in chunks) - {""})


def _top(snapshot: _Snapshot, index, query: str, n: int, matches) -> list[tuple[StoredChunk, float]]:
    if index is None:
        return []
    known = [token for token in tokenize(query) if token in index.vocab_dict and token not in snapshot.identity]
    if not known:
        return []
    scores = np.asarray(index.get_scores(known), dtype=float)
    out = []
    for i in np.argsort(-scores):
        if scores[i] <= 0 or len(out) >= n:
            break
        chunk = snapshot.chunks[i]
        if matches is None or matches(chunk.metadata):
            out.append((chunk, float(scores[i])))
    return out


ACRONYM_RE = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")
LINKING_WORDS = frozenset({"and", "of", "for", "the", "&"})


def find_acronyms(texts) -> dict[str, str]:
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


GENERIC_WORDS = ("council", "councils", "document", "documents")


def document_names(chunks: list[StoredChunk], identity: frozenset[str]) -> dict[str, frozenset[str]]:
    names: dict[str, frozenset[str]] = {}
    for chunk in chunks:
        meta = chunk.metadata
        document = str(meta.get("document", ""))
        if document not in names:
            fields = [meta.get("title", ""), meta.get("council", ""), meta.get("kind", ""), meta.get("date", ""),
                      re.sub(r"[-_.]", " ", document.rsplit(".", 1)[0])]
            names[document] = frozenset(tokenize(" ".join(str(f) for f in fields))) - identity
    return names


def identity_terms(chunks: list[StoredChunk], acronyms: dict[str, str]) -> frozenset[str]:
    """Words in at least half the document titles, their abbreviations, and generic council words."""
    titles = {str(c.metadata.get("title", "")) for c in chunks}
    counts: dict[str, int] = {}
    for title in titles:
        for token in set(tokenize(title)):
            counts[token] = counts.get(token, 0) + 1
    common = {token for token, count in counts.items() if len(titles) > 1 and count * 2 >= len(titles)}
    for short, long in acronyms.items():
        if set(tokenize(long)) <= common:
            common.update(tokenize(short))
    return frozenset(common | set(tokenize(" ".join(GENERIC_WORDS))))
