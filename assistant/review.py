"""Proposal review: does a draft proposal fit the TOM's criteria? One verdict per criterion.

The proposal is split into statements (sentences, verbatim). Lines that address the assistant
("ignore previous instructions…")
are taken out before anything reaches the model and reported as ignored. For each criterion, the
statements closest to it by meaning (above a threshold) are paired with the criterion line they
are closest to; with none, the verdict is `not_addressed` and the model is not asked. Otherwise
the model answers one small question per pair in a JSON schema: does the statement move the
council towards the aim, away from it, or neither? (A 1.5B model judges such a pair far more
reliably than a whole proposal against a whole principle.) An "away" counts only if a second,
differently put question ("would this make the aim harder to achieve?") agrees: a conflict stops
a project, and the model says "away" too readily on its own. The verdict, reason, evidence and
suggestion are built from those answers, so every evidence quote is verbatim by construction;
the criterion's TOM passages are cited with quotes checked to be in their chunks. The overall
verdict and the summary are computed from the criteria, not written by the model.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.citations import Citation
from assistant.errors import TooLarge, UserError
from assistant.frameworks import Criterion, Framework, criterion_chunks, get_framework
from assistant.llm import LLM, LLMUnavailable, ModelSlot, StopCheck, complete, stoppable
from assistant.prompts import prompt, render
from assistant.statements import split_statements
from ingest.settings import Settings
from ingest.store import ChunkStore
from ingest.text import sentences

VERDICTS = ("supports", "conflicts", "not_addressed")
OVERALLS = ("fits", "partly_fits", "conflicts")
DIRECTION_SCHEMA = {"type": "object", "properties": {"direction": {"type": "string", "enum": ["towards", "away", "neither"]}},
                    "required": ["direction"]}
HARDER_SCHEMA = {"type": "object", "properties": {"harder": {"type": "boolean"}}, "required": ["harder"]}
VAGUE_HINT = ("say what will change, for whom, who decides and how, how it is delivered (digital or not), "
              "and what it costs or saves")
log = logging.getLogger(__name__)


class ReviewError(UserError):
    """A proposal that cannot be reviewed (empty, unreadable, no model); the message says why."""


class ProposalTooLong(ReviewError, TooLarge):
    """A proposal over the length limit."""


@dataclass
class CriterionReview:
    name: str
    verdict: str
    reason: str
    evidence: list[str]
    citations: list[Citation]
    suggestion: str

    def to_dict(self) -> dict:
        return asdict(self) | {"citations": [c.to_dict() for c in self.citations]}


@dataclass
class Review:
    overall: str
    summary: str
    framework: str
    criteria: list[CriterionReview]
    warnings: list[str] = field(default_factory=list)
    model: str = ""
    latency_ms: int = 0

    def to_dict(self) -> dict:
        return {"overall": self.overall, "summary": self.summary, "framework": self.framework,
                "criteria": [c.to_dict() for c in self.criteria], "warnings": self.warnings,
                "model": self.model, "latency_ms": self.latency_ms}

    def to_markdown(self) -> str:
        lines = [f"**Overall: {self.overall.replace('_', ' ')}** — {self.summary}", ""]
        lines += [f"> ⚠ {w}" for w in self.warnings] + ([""] if self.warnings else [])
        for c in self.criteria:
            marks = "".join(f"[{x.n}]" for x in c.citations)
            lines.append(f"- **{c.name}: {c.verdict.replace('_', ' ')}** {c.reason} {marks}".rstrip())
            lines += [f"  - evidence: “{quote}”" for quote in c.evidence]
            if c.suggestion and c.verdict != "supports":
                lines.append(f"  - suggestion: {c.suggestion}")
        return "\n".join(lines)

    def all_citations(self) -> list[Citation]:
        return [x for c in self.criteria for x in c.citations]


def check_proposal(proposal: str | None, settings: Settings) -> str:
    """The proposal with its line ends folded and outer space stripped; refused when empty or over the limit.
    The one home of these checks (linear in the text): `Reviewer.review` makes them, and the web faces
    before a request queues."""
    limit = settings.max_proposal_chars
    proposal = (proposal or "").replace("\r\n", "\n").strip()
    if not proposal:
        raise ReviewError("the proposal is empty: paste its text or upload a .txt, .md, .docx or .pdf file")
    if len(proposal) > limit:
        raise ProposalTooLong(f"the proposal is {len(proposal)} characters; the limit is {limit}"
                              " (review the relevant section, or raise TOM_MAX_PROPOSAL_CHARS)")
    return proposal


def read_proposal(path: Path) -> str:
    """Text of a proposal file (.txt, .md, .docx, .pdf) through the ingestion loaders."""
    from ingest.loaders import LoadError, load_file

    try:
        return load_file(path).document.text
    except LoadError as error:
        raise ReviewError(str(error)) from None


class Reviewer:
    """Holds the store, embedder and model; one review at a time per model (llama.cpp is not re-entrant)."""

    def __init__(self, settings: Settings, store: ChunkStore, embedder, models: ModelSlot) -> None:
        self.settings, self.store, self.embedder, self.models = settings, store, embedder, models

    def review(self, proposal: str, framework: str | None = None,
               on_criterion: Callable[[CriterionReview], None] | None = None,
               should_stop: StopCheck | None = None) -> Review:
        """A verdict per criterion; once `should_stop()` is true the model stops at its next token (raises Cancelled)."""
        started = time.perf_counter()
        proposal = check_proposal(proposal, self.settings)
        chosen = get_framework(self.settings, framework)
        statements, injected = split_statements(proposal)
        warnings = []
        if injected:
            warnings.append("The proposal contained instructions to the assistant, which were ignored: "
                            + " / ".join(f"“{s}”" for s in injected))
        vague = len(re.findall(r"\w+", " ".join(statements))) < self.settings.review_min_words
        relevance, aims = self._relevance(statements, chosen.criteria)
        if vague or not statements:
            warnings.append(f"The proposal is too short or vague to judge against {chosen.title}: {VAGUE_HINT}.")
        llm: LLM | None = None
        results: list[CriterionReview] = []
        n = 0
        for index, criterion in enumerate(chosen.criteria):
            relevant = [] if vague or not statements else self._relevant(relevance[:, index])
            citations = self._citations(chosen, criterion, [statements[i] for i in relevant], start=n + 1)
            n += len(citations)
            if llm is None and relevant:
                llm = stoppable(self._llm(), should_stop)
            pairs = [(statements[i], aims[i][index]) for i in relevant]
            result = self._judge(llm, criterion, pairs, citations) if pairs else self._silent(criterion, citations)
            results.append(result)
            if on_criterion:
                on_criterion(result)
        overall, summary = verdict_overall(results)
        if vague or not statements:
            summary = f"Not enough detail to judge: {VAGUE_HINT}. " + summary
        return Review(overall, summary, chosen.name, results, warnings,
                      model=getattr(llm, "name", "") if llm else "", latency_ms=int((time.perf_counter() - started) * 1000))

    # Steps
    def _llm(self) -> LLM:
        try:
            return self.models.get()
        except LLMUnavailable as error:
            raise ReviewError(f"the review needs the language model, which is unavailable ({error})") from None

    def _relevance(self, statements: list[str], criteria: list[Criterion]) -> tuple[np.ndarray, list[list[str]]]:
        """Statement × criterion similarity (best over the criterion's lines), and for each pair that line."""
        if not statements:
            return np.zeros((0, len(criteria))), []
        pieces = [(i, line) for i, c in enumerate(criteria) for line in (c.statements or [f"{c.name}: {c.description}"])]
        vectors = np.asarray(self.embedder.get_text_embedding_batch(statements + [p[1] for p in pieces]))
        sims = vectors[: len(statements)] @ vectors[len(statements):].T
        out = np.full((len(statements), len(criteria)), -1.0)
        aims = [["" for _ in criteria] for _ in statements]
        for column, (i, line) in enumerate(pieces):
            better = sims[:, column] > out[:, i]
            out[:, i] = np.where(better, sims[:, column], out[:, i])
            for row in np.nonzero(better)[0]:
                aims[row][i] = line
        return out, aims

    def _relevant(self, scores: np.ndarray) -> list[int]:
        order = [int(i) for i in np.argsort(scores)[::-1] if scores[i] >= self.settings.review_min_relevance]
        return sorted(order[: self.settings.review_statements])

    def _citations(self, framework: Framework, criterion: Criterion, evidence: list[str], start: int) -> list[Citation]:
        """The criterion's TOM passages, each quoted by its sentence closest to the criterion and evidence."""
        chunks = criterion_chunks(self.store, framework, criterion)[:2]
        citations = []
        probe = " ".join([criterion.name, criterion.description, *evidence])
        for offset, chunk in enumerate(chunks):
            lines = ([s for s in sentences(chunk.text) if len(s.split()) > 3 and not s.endswith(":")]
                     or sentences(chunk.text))  # a lead-in ("…which will:") says nothing on its own
            if not lines:
                continue
            vectors = np.asarray(self.embedder.get_text_embedding_batch([probe] + lines))
            quote = lines[int(np.argmax(vectors[1:] @ vectors[0]))]
            citations.append(Citation.of_chunk(start + offset, chunk.chunk_id, chunk.metadata, quote))
        return citations

    def _judge(self, llm: LLM, criterion: Criterion, pairs: list[tuple[str, str]], citations: list[Citation]) -> CriterionReview:
        """Ask, per proposal statement, whether it moves towards or away from the aim it is closest to."""
        asked = [(statement, aim, render("review_user", criterion=criterion.name, aim=aim, statement=statement))
                 for statement, aim in pairs]
        # all first questions, then the second ones: llama.cpp reuses the shared prompt prefix between calls
        directions = [self._ask(llm, criterion, "review_system", text, DIRECTION_SCHEMA).get("direction") for *_, text in asked]
        towards = [(s, a) for (s, a, _), d in zip(asked, directions) if d == "towards"]
        away = [(s, a) for (s, a, text), d in zip(asked, directions)  # a conflict stops a project: it must be confirmed
                if d == "away" and self._ask(llm, criterion, "review_verify", text, HARDER_SCHEMA).get("harder") is True]
        if not towards and not away:
            return self._silent(criterion, citations, "The statements closest to this criterion neither help nor hinder it.")
        if len(away) >= len(towards):
            statement, aim = away[0]
            also = f" (although {len(towards)} other statement{'s' if len(towards) > 1 else ''} support it)" if towards else ""
            return CriterionReview(criterion.name, "conflicts", f"The proposal works against “{_clip(aim)}”{also}.",
                                   [s for s, _ in away + towards], citations,
                                   f"Rework “{_clip(statement)}” so that it helps to {_lower(aim)}")
        statement, aim = towards[0]
        return CriterionReview(criterion.name, "supports", f"The proposal helps to {_lower(aim)}", [s for s, _ in towards],
                               citations, "")

    @staticmethod
    def _ask(llm: LLM, criterion: Criterion, system: str, pair: str, schema: dict) -> dict:
        messages = [{"role": "system", "content": prompt(system)}, {"role": "user", "content": pair}]
        try:
            return json.loads(complete(llm, messages, 16, schema))
        except (json.JSONDecodeError, LLMUnavailable) as error:
            raise ReviewError(f"the model gave no usable judgement for '{criterion.name}' ({error})") from None

    def _silent(self, criterion: Criterion, citations: list[Citation],
                reason: str = "The proposal says nothing that bears on this criterion.") -> CriterionReview:
        return CriterionReview(criterion.name, "not_addressed", reason, [], citations, self._suggestion(criterion))

    @staticmethod
    def _suggestion(criterion: Criterion) -> str:
        """A concrete prompt drawn from the criterion's own words, for a criterion the proposal leaves out."""
        aim = criterion.statements[0] if criterion.statements else criterion.description or criterion.name
        aim = aim.rstrip(". ")
        return f"Say how the proposal will {aim[0].lower() + aim[1:]}." if aim else ""


def _clip(text: str, words: int = 18) -> str:
    parts = text.rstrip(". ").split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def _lower(text: str) -> str:
    text = _clip(text)
    return (text[0].lower() + text[1:] if text else text) + "."


def verdict_overall(criteria: list[CriterionReview]) -> tuple[str, str]:
    """fits / partly_fits / conflicts from the criteria, with a summary naming them."""
    by = {v: [c.name for c in criteria if c.verdict == v] for v in VERDICTS}
    supports, conflicts = len(by["supports"]), len(by["conflicts"])
    if conflicts > supports:
        overall = "conflicts"
    elif conflicts or not supports:
        overall = "partly_fits"
    else:
        overall = "fits"
    parts = []
    if by["supports"]:
        parts.append(f"supports {supports} of {len(criteria)} criteria ({', '.join(by['supports'])})")
    if by["conflicts"]:
        parts.append(f"conflicts with {', '.join(by['conflicts'])}")
    if by["not_addressed"]:
        parts.append(f"does not address {', '.join(by['not_addressed'])}")
    return overall, ("The proposal " + "; ".join(parts) + ".") if parts else "No criteria."
