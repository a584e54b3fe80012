"""Drafters: what writes an answer from the chosen passages, before grounding checks it.

`LLMDrafter` asks the configured model, streaming; `ExtractiveDrafter` needs no model and picks
the passages' own sentences. Either way the draft goes through the `GroundedStream`, so only
supported, cited sentences reach the user.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import closing
from typing import Protocol

import numpy as np

from assistant import tables
from assistant.grounding import GroundedStream
from assistant.llm import LLM
from assistant.prompts import prompt, render
from assistant.retrieval import Hit, Retriever
from ingest.settings import Settings
from ingest.text import LIST_FOLLOWS, sentences, tokenize, without_words

# Words that shape a question but that an answer need not contain ("how many", "which three")
QUESTION_FORMS = frozenset(tokenize(
    "many much long often take say says ask asks describe mean means list called name named kind type sort "
    "one two three four five six seven eight nine ten twelve"
))
# How the extractive drafter ranks a sentence: closeness in meaning, the question's words it holds,
# how much of the question its passage covers, and a small lean towards better-ranked passages.
MEANING_WEIGHT, WORDS_WEIGHT, PASSAGE_WEIGHT, RANK_PENALTY = 0.5, 0.3, 0.2, 0.02
# A question whose words the documents never use is refused when those words carry more than this share of its
# meaning (1 - cosine between the question with and without them): "salary band" in "What salary band does the
# head have?" is the question; "meant" in "Are we meant to avoid risks?" is not. Chosen on the v2 dev part.
UNKNOWN_MEANING_LIMIT = 0.15
KEEP_WITHIN = 0.75  # keep sentences scoring at least this share of the best one
MOST_SENTENCES = 3


class Drafter(Protocol):
    """Writes the draft; one that streams feeds `sink` as it goes, one that writes it whole leaves it to the
    caller's `sink.finish` (a stream is grounded at each sentence end, and "11. " looks like one)."""

    name: str

    def draft(self, question: str, context: list[Hit], sink: GroundedStream) -> str: ...


class LLMDrafter:
    """The model writes the answer from numbered passages; the stream is grounded as it comes."""

    def __init__(self, settings: Settings, llm: LLM, sources: Callable[[str, list[Hit]], str]) -> None:
        """`sources(question, context)` renders the numbered passages the model reads."""
        self.settings, self.llm, self.name, self.sources = settings, llm, llm.name, sources

    def draft(self, question: str, context: list[Hit], sink: GroundedStream) -> str:
        sources = self.sources(question, context)
        messages = [
            {"role": "system", "content": prompt("answer_system")},
            {"role": "user", "content": render("answer_user", sources=sources, question=question)},
        ]
        draft = ""
        # closed as soon as the loop ends, also when the sink raises (its client gone): the model's lock is released then
        with closing(self.llm.stream(messages, self.settings.llm_max_tokens)) as tokens:
            for token in tokens:
                draft += token
                sink.feed(draft)
        return draft


class QuotedRows:
    """A table question's answer in llm mode: the rows it picks, each cell under its header, as the extractive
    drafter gives them. The model is not asked: phrasing a row, it takes a cell from the neighbouring column
    or drops the row, and the row as the document writes it is already the answer."""

    name = "table rows"

    def __init__(self, rows: str) -> None:
        self.rows = rows

    def draft(self, question: str, context: list[Hit], sink: GroundedStream) -> str:
        return self.rows  # whole at once: grounded and shown by `sink.finish`, not cut at "11. " as a stream is


class ExtractiveDrafter:
    """The sentences that best match the question, verbatim, from the passages that cover it.

    Without a model to judge, the words of the question the documents never use must carry little
    of its meaning ("meant", "supposed": yes; "parking permits": no), a passage must hold most of its
    distinctive words (counting words and question forms aside: a list answers "which three") and
    every figure or year the question names; sentences come only from such passages. A question that
    picks a table row is answered with the row, each cell under its header (`assistant.tables`).
    """

    name = "extractive"

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    def draft(self, question: str, context: list[Hit], sink: GroundedStream) -> str:
        return self._select(question, context)  # whole at once: grounded and shown by `sink.finish`

    def table_answer(self, question: str, context: list[Hit]) -> str | None:
        """The table rows the question picks, each cell under its header (`assistant.tables.answer`); None when it
        picks no row, "" when the picked rows leave the column it names empty."""
        return self._rows(question, context, set().union(*self.retriever.documents_named(question)))

    def _rows(self, question: str, context: list[Hit], named: set[str]) -> str | None:
        """The rows a question picks; "" when it picks some but turns on words the documents never use (a row
        about the CRM does not say which supplier's CRM)."""
        set_aside = self.retriever.identity | self.retriever.name_words() | QUESTION_FORMS
        rows = tables.answer(question, context, set_aside, self._in_scope(question, context, named))
        if rows and self._turns_on_unknown(question):
            return ""
        return rows

    def _turns_on_unknown(self, question: str) -> bool:
        """Do words of the question that no passage uses carry much of its meaning ("parking permits": yes)?"""
        gate_tokens = set(tokenize(question)) - self.retriever.identity - QUESTION_FORMS
        unknown = self.retriever.unknown(gate_tokens - set(re.findall(r"\d+", question)))
        return bool(unknown) and self._meaning_carried(question, unknown) > UNKNOWN_MEANING_LIMIT

    def _select(self, question: str, context: list[Hit]) -> str:
        named = set().union(*self.retriever.documents_named(question))
        rows = self._rows(question, context, named)
        if rows is not None:
            return rows  # the words a row is picked by are in it; the rest name its columns ("owns", "start")
        if self._turns_on_unknown(question):
            return ""  # the question turns on words the documents never use
        q_tokens = set(tokenize(question)) - self.retriever.identity
        gate_tokens = q_tokens - QUESTION_FORMS
        several = self._names_several(q_tokens, named)
        naming = self.retriever.name_words(named) if several else frozenset()
        covering = _covering(question, context, gate_tokens, named, naming)
        candidates = [(n, position, sentence)
                      for n, hit in enumerate(context, start=1) if n in covering
                      for position, sentence in enumerate(sentences(hit.text))]
        if not candidates:
            return ""
        vectors = np.asarray(self.retriever.embedder.get_text_embedding_batch([question] + [c[2] for c in candidates]))
        similarity = vectors[1:] @ vectors[0]
        scores = [
            MEANING_WEIGHT * float(sim) + WORDS_WEIGHT * _share(q_tokens, sentence) + PASSAGE_WEIGHT * covering[n]
            - RANK_PENALTY * (n - 1)
            for (n, _, sentence), sim in zip(candidates, similarity)
        ]
        documents = [context[c[0] - 1].document for c in candidates]
        picked = _pick_each(candidates, scores, documents, named if several else set())
        lines: dict[str, str] = {}  # overlapping chunks repeat sentences: keep the first
        for i in picked:
            lines.setdefault(candidates[i][2], f"{candidates[i][2]} [{candidates[i][0]}]")
        return "\n".join(lines.values())

    def _names_several(self, q_tokens: set[str], named: set[str]) -> bool:
        """Does the question name several documents by different words ("Merton's report and the 2021 draft"), not
        one name that several documents share ("Somerset")?"""
        words = [self.retriever.name_words({document}) & q_tokens for document in named]
        return len(words) > 1 and not frozenset.intersection(*words)

    def _meaning_carried(self, question: str, unknown: set[str]) -> float:
        """How much of the question's meaning the words with these stems carry: 1 - cos(question, question without them)."""
        vectors = np.asarray(self.retriever.embedder.get_text_embedding_batch([question, without_words(question, unknown)]))
        return 1.0 - float(vectors[0] @ vectors[1])

    def _in_scope(self, question: str, context: list[Hit], documents: set[str]) -> set[int]:
        """Numbers of the passages from the `documents` and councils the question names (all, when it names none)."""
        councils = self.retriever.councils_named(question)
        return {n for n, hit in enumerate(context, start=1)
                if (not documents or hit.document in documents) and (not councils or hit.council in councils)}


def _covering(question: str, context: list[Hit], gate_tokens: set[str], named: set[str],
              naming: frozenset[str]) -> dict[int, float]:
    """Passage number -> share of the question's words it holds, for passages holding most of them and its figures.

    When the question names several documents, a passage from one of them is asked only for the words (and
    figures) that do not name them: in "what do Merton's report and the 2021 draft say about channels?" no
    passage could hold both names, and each must hold "channels"."""
    numbers = set(re.findall(r"\d+", question))
    covering: dict[int, float] = {}
    for n, hit in enumerate(context, start=1):
        asked, figures = (gate_tokens - naming, numbers - naming) if hit.document in named else (gate_tokens, numbers)
        text = f"{hit.title} {hit.section} {hit.document} {hit.text}"
        share = len(asked & set(tokenize(text))) / len(asked) if asked else 1.0
        if share > 0.5 and figures <= set(re.findall(r"\d+", text)):
            covering[n] = share
    return covering


def _share(q_tokens: set[str], sentence: str) -> float:
    return len(q_tokens & set(tokenize(sentence))) / len(q_tokens) if q_tokens else 0.0


def _pick_each(candidates: list[tuple[int, int, str]], scores: list[float], documents: list[str],
               named: set[str]) -> list[int]:
    """The best sentences of each of the documents a question names by different words ("what do Merton's report
    and the 2021 draft say about channels?" is answered from both); the best overall otherwise."""
    if not named:
        return _pick(candidates, scores)
    picked: set[int] = set()
    for document in named:
        inside = [score if source == document else -np.inf for score, source in zip(scores, documents)]
        if max(inside) > -np.inf:
            picked.update(_pick(candidates, inside))
    return sorted(picked, key=lambda i: (candidates[i][0], candidates[i][1]))


def _pick(candidates: list[tuple[int, int, str]], scores: list[float]) -> list[int]:
    """The best few sentences, each lead-in with its list, in document order."""
    order = np.argsort(scores)[::-1]
    picked: list[int] = []
    for index in order:
        if len(picked) >= MOST_SENTENCES or scores[index] < KEEP_WITHIN * scores[order[0]]:
            break
        picked.append(int(index))
        n, position, sentence = candidates[index]
        if sentence.endswith(":"):  # a lead-in: bring its list
            picked.extend(i for i, c in enumerate(candidates) if c[0] == n and position < c[1] <= position + LIST_FOLLOWS)
    return sorted(set(picked), key=lambda i: (candidates[i][0], candidates[i][1]))
