"""BM25 as bm25s scored it before the index moved to SQLite (Lucene variant, k1 1.5, b 0.75).

FTS5's own bm25() differs (k1 1.2, an idf that is zero for words in half the passages), so FTS5
only picks the candidates and their final scores are computed here from the index's statistics
(passage count, total length, each word's passage count): the same numbers bm25s gave, so a
keyword score means what it meant, and the fused ranking is unchanged when every matching passage
is a candidate, which it always is in a small corpus.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

K1 = 1.5
B = 0.75


@dataclass(frozen=True)
class Stats:
    """The index's statistics for one field: passages, their total length, and words' passage counts."""

    rows: int
    length: int
    df: dict[str, int]

    @property
    def average(self) -> float:
        return self.length / self.rows if self.rows else 1.0


def idf(df: int, rows: int) -> float:
    return math.log(1 + (rows - df + 0.5) / (df + 0.5))


def score(query: list[str], fields: Iterable[tuple[str, int]], stats: Stats) -> float:
    """BM25 of one passage whose text is `fields`: (space-separated tokens, weight) pairs, a weight of
    2 counting a field twice (as the section path was written twice into the text bm25s indexed).
    Each query token counts as often as it occurs in the query, as in bm25s. Only the query's words
    the passage holds are counted (a set intersection, then `list.count`, both in C)."""
    wanted = set(query)
    tf = dict.fromkeys(wanted, 0)
    length = 0
    for text, weight in fields:
        if not weight:
            continue
        tokens = text.split()
        length += weight * len(tokens)
        for token in wanted.intersection(tokens):
            tf[token] += weight * tokens.count(token)
    norm = K1 * (1 - B + B * length / stats.average)
    total = 0.0
    for token in query:
        if tf[token] and stats.df.get(token):
            total += idf(stats.df[token], stats.rows) * tf[token] / (norm + tf[token])
    return total
