"""What of each passage the model reads: the sentences that bear on the question, not whole passages.

On two cores the local model reads about a hundred prompt tokens a second, so every sentence it
reads costs the user time before the first word of the answer. The question's best sentences are
chosen across all passages (closeness in meaning plus the question's words they hold) until a
character budget is spent. A lead-in ("…six key design principles:") brings its list, an item
brings its lead-in, and a table row brings the table's header row, so a list or a row keeps what
makes it readable. Each passage keeps its number and heading path, so citations and grounding are
unchanged; a passage with nothing chosen is left out of the prompt.
"""

from __future__ import annotations

import numpy as np

from assistant.retrieval import Hit
from ingest.text import LIST_FOLLOWS, tokenize

MEANING_WEIGHT, WORDS_WEIGHT = 0.7, 0.3
PASSAGE_WEIGHT = 0.5  # how much a line's score leans on its passage's best line
FOLLOWS = 0.9  # share of a line's score the next line inherits


def units_with_company(lines: list[str], position: int) -> list[int]:
    """The positions that must come with line `position`: a lead-in's list, an item's lead-in, a row's header."""
    line = lines[position]
    if line.endswith(":"):
        following = []
        for p in range(position + 1, min(len(lines), position + 1 + LIST_FOLLOWS)):
            if lines[p].endswith(":") or _starts_paragraph(lines[p]):
                break
            following.append(p)
        return [position] + following
    company = [position]
    for back in range(position - 1, max(-1, position - 1 - LIST_FOLLOWS), -1):
        if lines[back].endswith(":"):
            company.append(back)
            break
        if _starts_paragraph(lines[back]):
            break
    if "|" in line:
        company.append(next(p for p, other in enumerate(lines) if "|" in other))
    return sorted(set(company))


def _starts_paragraph(line: str) -> bool:
    """A numbered paragraph ("3.4 The vision…") starts a new thought, not a list item."""
    head = line.split(" ", 1)[0]
    return len(head) >= 3 and head.replace(".", "").isdigit() and "." in head.strip(".")


class Focus:
    """Chooses the lines of the context the model reads, within a budget of characters of passage text."""

    def __init__(self, embedder, lines_of) -> None:
        """`lines_of(hit)` gives a passage's lines and their embeddings (the grounder's, computed once)."""
        self.embedder, self.lines_of = embedder, lines_of

    def choose(self, question: str, context: list[Hit], budget: int,
               identity: frozenset[str] = frozenset()) -> dict[int, list[str]]:
        """Passage number -> its chosen lines in document order; passages with none are absent."""
        passages = {n: self.lines_of(hit) for n, hit in enumerate(context, start=1)}
        total = sum(len(" ".join(lines)) for lines, _ in passages.values())
        if total <= budget:
            return {n: lines for n, (lines, _) in passages.items()}
        scored = self._scored(question, context, passages, identity)
        chosen: dict[int, set[int]] = {}
        spent = 0
        for _score, n, position in scored:
            lines = passages[n][0]
            new = [p for p in units_with_company(lines, position) if p not in chosen.get(n, set())]
            cost = sum(len(lines[p]) + 1 for p in new)
            if spent and spent + cost > budget:
                continue
            chosen.setdefault(n, set()).update(new)
            spent += cost
        return {n: [passages[n][0][p] for p in sorted(chosen[n])] for n in sorted(chosen)}

    def _scored(self, question: str, context: list[Hit], passages: dict[int, tuple[list[str], np.ndarray]],
                identity: frozenset[str]) -> list[tuple[float, int, int]]:
        """(score, passage number, position) for every line, best first. A line's score leans on its
        passage's best line (a list that answers the question comes whole) and on the line before it
        (a sentence that goes on from a chosen one, "They used video…", comes with it)."""
        query = np.asarray(self.embedder.get_query_embedding(question), dtype=float)
        words = set(tokenize(question)) - identity
        scored = []
        for n, (lines, vectors) in passages.items():
            heading = set(tokenize(f"{context[n - 1].title} {context[n - 1].section}"))
            own = [MEANING_WEIGHT * float(sim) + WORDS_WEIGHT * _share(words, heading | set(tokenize(line)))
                   for line, sim in zip(lines, vectors @ query if len(lines) else [])]
            for position in range(1, len(own)):
                own[position] = max(own[position], FOLLOWS * own[position - 1])
            best = max(own, default=0.0)
            scored += [((1 - PASSAGE_WEIGHT) * score + PASSAGE_WEIGHT * best, n, position)
                       for position, score in enumerate(own)]
        scored.sort(key=lambda s: (-s[0], s[1], s[2]))
        return scored


def _share(words: set[str], found: set[str]) -> float:
    return len(words & found) / len(words) if words else 0.0


def render_sources(context: list[Hit], chosen: dict[int, list[str]] | None = None) -> str:
    """The numbered sources the model reads: heading path, then the chosen lines of each passage (all of
    every passage when `chosen` is None)."""
    chosen = chosen if chosen is not None else {n: [hit.text] for n, hit in enumerate(context, start=1)}
    return "\n\n".join(f"[{n}] {context[n - 1].title} — {context[n - 1].section}\n" + "\n".join(lines)
                       for n, lines in chosen.items())
