"""Citation markers in, verified citations out: grounding enforced in code, not only in the prompt.

A draft answer is split into claims (sentences or list lines) with the markers the model wrote.
Each claim is scored against every passage it was shown: lexical support (how many of the
claim's content words the passage has) and meaning (embedding similarity to the passage's best
sentence); any number or date in the claim must appear in the passage (or be spelled out there, or
be its document's date). A claim keeps the markers whose passage supports it; with no supporting
marker, the best-supporting passage is attached; with no support at all, the claim is dropped.
Markers that point nowhere are removed. Every citation carries a quote: sentences copied verbatim
from the cited chunk.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.citations import Citation
from assistant.consistency import Passage as ConsistencyPassage
from assistant.consistency import contradiction
from assistant.retrieval import Hit
from ingest.text import MARKER_RE, list_item, markers, numbers_in, sentence_spans, sentences, spelled_numbers, strip_markers, tokenize

FULL_WIDTH = str.maketrans({"［": "[", "］": "]", "【": "[", "】": "]", "，": ",", "、": ",", **{chr(0xFF10 + d): str(d) for d in range(10)}})
SHORT_CLAIM_WORDS = 4  # claims shorter than this are judged as the answer to the question
REPLY_WORDS = "yes no not none true false correct right wrong indeed"
REPLY_TOKENS = frozenset(tokenize(REPLY_WORDS))  # words a bare reply adds nothing with
log = logging.getLogger(__name__)
TokenSink = Callable[[str], None]


@dataclass(frozen=True)
class _Passage:
    sentences: list[str]
    vectors: np.ndarray  # one row per sentence
    tokens: frozenset[str]  # with title and section
    numbers: frozenset[str]  # see _passage_numbers


@dataclass
class Claim:
    text: str
    markers: list[int] = field(default_factory=list)
    list_item: bool = False


@dataclass
class Grounded:
    text: str
    citations: list[Citation]
    dropped: list[str]

    @property
    def empty(self) -> bool:
        return not self.text.strip()


def claim_spans(answer: str) -> list[tuple[int, int, bool]]:
    """(start, end, is list item) of each claim of `answer`: a list line is one claim, prose is cut into
    `sentence_spans`. Shared by `split_claims` and the stream, which must agree on where a claim ends."""
    spans: list[tuple[int, int, bool]] = []
    position = 0
    for line in answer.split("\n"):
        stripped = line.strip()
        if stripped:
            start = position + line.index(stripped)
            if list_item(stripped) is not None:
                spans.append((start, start + len(stripped), True))
            else:
                spans.extend((start + s, start + e, False) for s, e in sentence_spans(stripped))
        position += len(line) + 1
    return spans


def split_claims(answer: str) -> list[Claim]:
    """Sentences and list lines, each with the source numbers written after (or glued to) it."""
    answer = answer.translate(FULL_WIDTH)
    claims: list[Claim] = []
    for start, end, is_item in claim_spans(answer):
        leading, piece = _leading_markers(answer[start:end])
        if leading and claims:
            claims[-1].markers.extend(leading)
        text = strip_markers(piece)
        if re.search(r"\w", text):
            claims.append(Claim(text, markers(piece), is_item))
    return claims


def _leading_markers(piece: str) -> tuple[list[int], str]:
    """Markers at the very start of a piece belong to the sentence before it ("... Somerset. [2] The ...")."""
    found: list[int] = []
    position = 0
    while match := MARKER_RE.match(piece, position):
        found.extend(markers(match.group(0)))
        position = match.end()
    return found, piece[position:]


class Grounder:
    """Scores claims against passages; the embedder is the retriever's, already loaded."""

    def __init__(self, embedder, min_support: float, councils: Callable[[], frozenset[str]] = frozenset) -> None:
        """`councils` gives the councils the store knows, for the check that a claim names the right one."""
        self.embedder = embedder
        self.min_support = min_support
        self.councils = councils
        self._passages: dict[tuple[str, str], _Passage] = {}

    def _passage(self, hit: Hit) -> _Passage:
        """What grounding needs of a chunk, computed once: streaming grounds the same passages at every sentence."""
        key = (hit.chunk_id, hit.text)
        passage = self._passages.get(key)  # another answer's thread may clear the dict at any moment
        if passage is None:
            if len(self._passages) > 512:
                self._passages.clear()
            lines = sentences(hit.text) or [hit.text]
            passage = _Passage(
                lines, np.asarray(self.embedder.get_text_embedding_batch(lines), dtype=float),
                frozenset(tokenize(f"{hit.title} {hit.section} {hit.text}")), frozenset(_passage_numbers(hit)),
            )
            self._passages[key] = passage
        return passage

    def lines(self, hit: Hit) -> tuple[list[str], np.ndarray]:
        """A passage's sentences and lines with their embeddings (computed once, shared with grounding)."""
        passage = self._passage(hit)
        return passage.sentences, passage.vectors

    def ground(self, answer: str, sources: list[Hit], question: str = "") -> Grounded:
        """Keep the supported claims of `answer`, cited. A bare reply ("5", "the Merton Improvement
        Board") says nothing alone, so it is judged as the answer to `question`."""
        claims = split_claims(answer)
        if not claims or not sources:
            return Grounded("", [], [c.text for c in claims])
        scores, quotes = self._support(claims, sources, question)
        kept: list[tuple[str, Claim]] = []
        numbering: dict[int, int] = {}
        citations: list[Citation] = []
        dropped: list[str] = []
        for i, claim in enumerate(claims):
            valid = [m for m in dict.fromkeys(claim.markers) if 1 <= m <= len(sources)]
            chosen = [m for m in valid if scores[i, m - 1] >= self.min_support]
            if not chosen:
                best = int(np.argmax(scores[i]))
                if scores[i, best] >= self.min_support:
                    chosen = [best + 1]
            if not chosen:
                dropped.append(claim.text)
                continue
            labels = []
            for m in chosen:
                if m not in numbering:
                    numbering[m] = len(numbering) + 1
                    hit = sources[m - 1]
                    citations.append(hit.cite(numbering[m], quotes[i][m - 1]))
                labels.append(f"[{numbering[m]}]")
            kept.append((claim.text + " " + "".join(labels), claim))
        text = _join(kept)
        return Grounded(text, citations, dropped)

    def _support(self, claims: list[Claim], sources: list[Hit], question: str) -> tuple[np.ndarray, list[list[str]]]:
        asked = set(tokenize(question))
        judged = [_in_context(c.text, question, asked) for c in claims]
        claim_vectors = np.asarray(self.embedder.get_text_embedding_batch(judged), dtype=float)
        scores = np.zeros((len(claims), len(sources)))
        quotes: list[list[str]] = [["" for _ in sources] for _ in claims]
        for j, hit in enumerate(sources):
            passage = self._passage(hit)
            for i, claim in enumerate(claims):
                tokens = set(tokenize(judged[i]))
                lexical = len(tokens & passage.tokens) / len(tokens) if tokens else 0.0
                similarity = passage.vectors @ claim_vectors[i]
                best = int(np.argmax(similarity))
                if not numbers_in(claim.text) <= passage.numbers:
                    scores[i, j] = 0.0
                else:
                    scores[i, j] = 0.5 * lexical + 0.5 * float(similarity[best])
                if scores[i, j] >= self.min_support and self._contradicts(claim.text, hit):
                    scores[i, j] = 0.0
                quotes[i][j] = _quote(judged[i], hit.text, passage.sentences, similarity)
        return scores, quotes

    def _contradicts(self, claim: str, hit: Hit) -> bool:
        """A claim that resembles the passage but says something else: it cannot cite it."""
        document = f"{hit.title} {hit.metadata.get('date', '')} {hit.document}"
        reason = contradiction(claim, ConsistencyPassage(hit.text, hit.council, hit.section, document), self.councils())
        if reason:
            log.info("claim %r not supported by %s: %s", claim[:80], hit.chunk_id, reason)
        return reason is not None


def _in_context(claim: str, question: str, asked: set[str]) -> str:
    """A short claim that adds something to the question (whose words are `asked`) is judged together
    with it; a bare "yes" or "no" adds nothing a passage could support."""
    tokens = set(tokenize(claim)) - REPLY_TOKENS
    if question and len(claim.split()) < SHORT_CLAIM_WORDS and (tokens - asked or numbers_in(claim)):
        return f"{question} {claim}"
    return claim


def _quote(claim: str, text: str, sentences: list[str], similarity: np.ndarray) -> str:
    """The chunk sentence(s) that best support the claim: by meaning, then by shared words."""
    tokens = set(tokenize(claim))
    ranked = sorted(
        range(len(sentences)),
        key=lambda k: float(similarity[k]) + (len(tokens & set(tokenize(sentences[k]))) / len(tokens) if tokens else 0.0),
        reverse=True,
    )
    best = sentences[ranked[0]]
    if best.endswith(":") and ranked[0] + 1 < len(sentences):  # a lead-in alone says little: add the next line
        start = text.find(best)
        end = text.find(sentences[ranked[0] + 1], start) + len(sentences[ranked[0] + 1])
        if start >= 0 and end > start:
            return text[start:end]
    return best


def _passage_numbers(hit: Hit) -> set[str]:
    """The numbers a passage vouches for: its own, spelled-out ones ("five" backs a claim of 5), and its
    document's date and name ("the 2021 draft" is the document the passage comes from)."""
    text = " ".join([hit.text, hit.title, hit.section, str(hit.metadata.get("date", "")), hit.document])
    return numbers_in(re.sub(r"[-_]", " ", text)) | spelled_numbers(hit.text)


def _join(kept: list[tuple[str, Claim]]) -> str:
    """Sentences run on as prose; list items keep their own lines."""
    out, previous_was_item = "", False
    for line, claim in kept:
        if out:
            out += "\n" if claim.list_item or previous_was_item else " "
        out += line
        previous_was_item = claim.list_item
    return out


class GroundedStream:
    """Grounds the draft at each finished sentence and passes on only what survives."""

    def __init__(self, grounder: Grounder, context: list[Hit], on_token: TokenSink | None, question: str) -> None:
        self.grounder, self.context, self.on_token, self.question = grounder, context, on_token, question
        self.emitted = ""
        self.checked_upto = 0

    def feed(self, draft: str) -> None:
        """Ground the pieces the draft has finished: a piece is finished once the next one has begun.

        The pieces are `claim_spans`, the ones grounding judges, so an item number ("11. ") or an
        abbreviation is not taken for a sentence's end, nor half a list line for a whole one.
        """
        if self.on_token is None:
            return
        spans = claim_spans(draft)
        if len(spans) < 2 or spans[-2][1] <= self.checked_upto:
            return
        self.checked_upto = spans[-2][1]
        self._emit(self.grounder.ground(draft[: self.checked_upto], self.context, self.question).text)

    def finish(self, draft: str):
        grounded = self.grounder.ground(draft, self.context, self.question)
        if self.on_token is not None:
            self._emit(grounded.text)
        return grounded

    def _emit(self, text: str) -> None:
        if text.startswith(self.emitted) and len(text) > len(self.emitted):
            self.on_token(text[len(self.emitted):])
            self.emitted = text
