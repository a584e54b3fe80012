"""Which of a proposal's actions bear on which criterion, and which of the criterion's lines each is nearest.

Closeness by meaning (MiniLM) chooses what the model is asked about: for each criterion, the
actions nearest to any of its towards/against lines (above a floor), among the actions that are
about this criterion at least as much as (within a small margin of) any other. An action is judged
on what it is about: a new approval board bears on governance, and the model, asked about it
against a digital or a local-access criterion, still calls it "against" (on the v2 dev proposals
most wrong verdicts were this: one conflict repeated on every criterion). It never decides a verdict:
an embedding cannot tell "the online form will be removed" from "an online form will be added",
so direction is the model's question. The nearest towards line is the aim a reason quotes and
cites; the nearest against line names what a conflict means. The criteria's lines are embedded
once per framework and kept.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from assistant.frameworks import Framework

log = logging.getLogger(__name__)


@dataclass
class Matches:
    """Similarities of actions to each criterion's lines."""

    actions: list[str]
    towards: list[tuple[list[str], np.ndarray]]  # per criterion: its towards lines, and action x line similarity
    against: list[tuple[list[str], np.ndarray]]

    def relevance(self, criterion: int) -> np.ndarray:
        """Each action's closeness to the criterion: its best similarity to any of its lines."""
        parts = [sims for _, sims in (self.towards[criterion], self.against[criterion]) if sims.size]
        return np.max(np.concatenate(parts, axis=1), axis=1) if parts else np.zeros(len(self.actions))

    def candidates(self, criterion: int, most: int, floor: float, margin: float) -> list[int]:
        """The actions to ask about for a criterion: the `most` closest above `floor`, in proposal order, of
        those whose closeness to it is within `margin` of their closeness to the criterion they are most about."""
        scores, best = self.relevance(criterion), self.closest
        order = [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] >= max(floor, best[i] - margin)]
        return sorted(order[:most])

    @cached_property
    def closest(self) -> np.ndarray:
        """Each action's closeness to the criterion it is most about."""
        return np.max([self.relevance(i) for i in range(len(self.towards))], axis=0)

    def nearest(self, criterion: int, action: int, kind: str) -> str:
        """The criterion's towards (or against) line closest to an action."""
        lines, sims = (self.towards if kind == "towards" else self.against)[criterion]
        return lines[int(np.argmax(sims[action]))] if lines else ""


class AimIndex:
    """The embedded towards/against lines of each framework, made on first use and kept."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self._vectors: dict[str, tuple[list[list[str]], list[list[str]], np.ndarray]] = {}
        self._lock = threading.Lock()

    def match(self, framework: Framework, actions: list[str]) -> Matches:
        towards, against, vectors = self._lines(framework)
        found = self._embed(actions) if actions else np.zeros((0, vectors.shape[1] if vectors.size else 0))
        sims = found @ vectors.T if found.size and vectors.size else np.zeros((len(actions), len(vectors)))
        out_towards, out_against, column = [], [], 0
        for lines_t, lines_a in zip(towards, against):
            out_towards.append((lines_t, sims[:, column:column + len(lines_t)]))
            column += len(lines_t)
            out_against.append((lines_a, sims[:, column:column + len(lines_a)]))
            column += len(lines_a)
        return Matches(actions, out_towards, out_against)

    def vector(self, framework: Framework, line: str) -> np.ndarray | None:
        """The embedding of one of the framework's towards/against lines (None for any other text)."""
        towards, against, vectors = self._lines(framework)
        flat = [x for t, a in zip(towards, against) for x in t + a]
        return vectors[flat.index(line)] if line in flat else None

    def sentences(self, key: str, lines: list[str]) -> np.ndarray:
        """Embeddings of a passage's sentences, made once per passage (`key` names it and its text)."""
        with self._lock:
            if key not in self._vectors:
                self._vectors[key] = ([], [], self._embed(lines))
            return self._vectors[key][2]

    def _lines(self, framework: Framework) -> tuple[list[list[str]], list[list[str]], np.ndarray]:
        towards = [c.aims() for c in framework.criteria]
        against = [list(c.against) for c in framework.criteria]
        flat = [line for t, a in zip(towards, against) for line in t + a]
        key = hashlib.sha256("\n".join([framework.name, *flat]).encode()).hexdigest()
        with self._lock:
            if key not in self._vectors:
                self._vectors[key] = (towards, against, self._embed(flat))
            return self._vectors[key]

    def _embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.embedder.get_text_embedding_batch(texts))
