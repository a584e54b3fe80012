"""Proposal review: does a draft proposal fit the TOM's criteria? One verdict per criterion, from what it does.

1. The proposal becomes statements (`assistant.statements`): its real sentences and list items,
   verbatim, without titles, greetings or email footers. Text that addresses the reviewer instead
   of describing the change (`assistant.review_injection`) is set aside, reported, never judged.
2. Only concrete actions are judged (`assistant.review_vague`): a statement that names what will
   change, not an aspiration ("modernise", "work smarter") or a plan to plan. A proposal with no
   concrete action is vague: every criterion is `not_addressed`, with a request for the detail it
   lacks, and the model is not asked (so it cannot invent praise).
3. For each criterion, the actions closest by meaning to its towards/against lines, of those that
   are mostly about it (`assistant.review_match`), go to the model one at a time
   (`assistant.review_judge`): helps, hinders or neither, shown what the criterion asks for and
   what working against it looks like.
4. The verdict is computed: `conflicts` when any concrete action hinders the criterion (a false
   "fits" is the costliest error; the reason says how many actions help it), `supports` when only
   helping, else `not_addressed`. A `supports` must rest on a concrete action; one that does not is
   refused. The reason quotes the action and the TOM aim
   it helps or hinders, cited; a conflict gets a suggestion (`assistant.review_explain`). The
   overall verdict and summary are computed from the criteria.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant import review_explain as explain
from assistant.citations import Citation
from assistant.errors import TooLarge, UserError
from assistant.frameworks import Criterion, Framework, criterion_chunks, get_framework
from assistant.llm import LLM, LLMUnavailable, ModelSlot, ModelTurn, Priority, StopCheck, stoppable
from assistant.review_judge import JudgeError, judge
from assistant.review_match import AimIndex, Matches
from assistant.review_vague import is_action, missing_details
from assistant.statements import parse_proposal
from ingest.settings import Settings
from ingest.store import ChunkStore
from ingest.text import sentences

VERDICTS = ("supports", "conflicts", "not_addressed")
OVERALLS = ("fits", "partly_fits", "conflicts")
CANDIDATES = 3  # actions asked about per criterion (the closest by meaning); settings.review_statements is the floor
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
            marks = "".join(f"[{x.n}]" for x in c.citations if f"[{x.n}]" not in c.reason)
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
        self.aims = AimIndex(embedder)

    def review(self, proposal: str, framework: str | None = None,
               on_criterion: Callable[[CriterionReview], None] | None = None,
               should_stop: StopCheck | None = None, model_turn: ModelTurn | None = None) -> Review:
        """A verdict per criterion; once `should_stop()` is true the model stops at its next token (raises Cancelled).
        `model_turn` is called (as a review) before the model's first call."""
        started = time.perf_counter()
        proposal = check_proposal(proposal, self.settings)
        chosen = get_framework(self.settings, framework)
        parsed = parse_proposal(proposal)
        warnings = []
        if parsed.injected:
            warnings.append("The proposal contained instructions to the reviewer, which were set aside and not followed: "
                            + " / ".join(f"“{explain.clip(s, 30)}”" for s in parsed.injected))
        actions = [s.text for s in parsed.statements if is_action(s.text, s.context)]
        gaps = missing_details(actions, parsed.lines)
        if not actions:
            warnings.append(f"The proposal is too vague to judge against {chosen.title}: it names no concrete change. "
                            + explain.detail_request(gaps))
        matches = self.aims.match(chosen, actions)
        llm: LLM | None = None
        results: list[CriterionReview] = []
        for index, criterion in enumerate(chosen.criteria):
            asked = matches.candidates(index, max(CANDIDATES, self.settings.review_statements),
                                       self.settings.review_min_relevance, self.settings.review_focus_margin) if actions else []
            if asked and llm is None:
                llm = stoppable(self._llm(), should_stop, model_turn, Priority.REVIEW)
            effects = self._judge(llm, criterion, [actions[i] for i in asked]) if asked else []
            start = 1 + sum(len(r.citations) for r in results)
            result = self._verdict(chosen, criterion, index, matches, asked, effects, gaps if not actions else None, start)
            results.append(result)
            if on_criterion:
                on_criterion(result)
        overall, summary = verdict_overall(results)
        if not actions:
            summary = "Not enough detail to judge: " + explain.detail_request(gaps) + " " + summary
        return Review(overall, summary, chosen.name, results, warnings, model=getattr(llm, "name", "") if llm else "",
                      latency_ms=int((time.perf_counter() - started) * 1000))

    # Steps
    def _llm(self) -> LLM:
        try:
            return self.models.get()
        except LLMUnavailable as error:
            raise ReviewError(f"the review needs the language model, which is unavailable ({error})") from None

    @staticmethod
    def _judge(llm: LLM, criterion: Criterion, statements: list[str]) -> list[str]:
        try:
            return judge(llm, criterion, statements)
        except JudgeError as error:
            raise ReviewError(str(error)) from None

    def _verdict(self, framework: Framework, criterion: Criterion, index: int, matches: Matches, asked: list[int],
                 effects: list[str], gaps: list[str] | None, start: int) -> CriterionReview:
        """The criterion's verdict, reason, evidence, citations and suggestion from the model's answers."""
        actions = matches.actions
        helping = [i for i, e in zip(asked, effects) if e == "helps" and _concrete(actions[i])]
        hindering = [i for i, e in zip(asked, effects) if e == "hinders" and _concrete(actions[i])]
        focus = (hindering or helping or asked or [None])[0]
        aim = matches.nearest(index, focus, "towards") if focus is not None else criterion.aims()[0]
        citations = self._citations(framework, criterion, aim, start)
        marker = f" [{citations[0].n}]" if citations else ""
        if hindering:
            against = matches.nearest(index, hindering[0], "against") or f"the opposite of “{explain.clip(aim)}”"
            evidence = [actions[i] for i in hindering + helping]
            return CriterionReview(criterion.name, "conflicts",
                                   explain.conflicts_reason([actions[i] for i in hindering], aim, against, marker, len(helping)),
                                   evidence, citations, explain.conflict_suggestion(actions[hindering[0]], aim, against))
        if helping:
            return CriterionReview(criterion.name, "supports", explain.supports_reason([actions[i] for i in helping], aim, marker),
                                   [actions[i] for i in helping + hindering], citations, "")
        if gaps is not None:
            return CriterionReview(criterion.name, "not_addressed", explain.vague_reason(criterion.name, gaps), [], citations,
                                   explain.detail_request(gaps))
        return CriterionReview(criterion.name, "not_addressed", explain.silent_reason(aim, marker), [], citations,
                               explain.silent_suggestion(aim))

    def _citations(self, framework: Framework, criterion: Criterion, aim: str, start: int) -> list[Citation]:
        """The criterion's TOM passages, each quoted by its sentence closest to the aim; the one holding it first."""
        target = self.aims.vector(framework, aim)
        citations = []
        for chunk in criterion_chunks(self.store, framework, criterion)[:2]:
            lines = ([s for s in sentences(chunk.text) if len(s.split()) > 3 and not s.endswith(":")]
                     or sentences(chunk.text))  # a lead-in ("…which will:") says nothing on its own
            if not lines:
                continue
            vectors = self.aims.sentences(f"{chunk.chunk_id}:{hash(chunk.text)}", lines)
            best = int(np.argmax(vectors @ target)) if target is not None else 0
            citations.append((_overlap(lines[best], aim), chunk, lines[best]))
        citations.sort(key=lambda c: -c[0])
        return [Citation.of_chunk(start + i, chunk.chunk_id, chunk.metadata, quote) for i, (_, chunk, quote) in enumerate(citations)]


def _concrete(statement: str) -> bool:
    """A verdict rests only on a concrete action: a model's "helps" for anything else is refused."""
    if is_action(statement):
        return True
    log.info("refused a judgement on a statement that is not a concrete action: %s", statement[:80])
    return False


def _overlap(quote: str, aim: str) -> int:
    """Words an aim shares with a quoted passage: the passage that holds the aim is cited first."""
    return len(set(quote.lower().split()) & set(aim.lower().split()))


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
