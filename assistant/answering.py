"""Answer a question from the documents: rewrite, retrieve, gate, draft, ground, record.

Two modes. `llm` drafts with the configured model from the top passages; `extractive` needs no
model and answers with the best-matching sentences of those passages, verbatim. Either way the
draft goes through the Grounder, sentence by sentence as it streams, so only supported, cited
sentences ever reach the user. When retrieval finds nothing that covers the question, or no
sentence survives grounding, the assistant says it could not find the answer and shows the
closest passages instead.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from assistant.citations import Citation, Grounder, passage_sentences
from assistant.conversations import AnswerLog
from assistant.llm import LLM, LLMUnavailable, get_llm
from assistant.prompts import prompt, render
from assistant.retrieval import Filters, Hit, Retriever
from assistant.review import split_review_request
from ingest.keyword_index import tokenize
from ingest.settings import Settings

REFUSAL = "I could not find the answer to this in the documents. The closest passages are listed below."
FOLLOW_UP_RE = re.compile(r"\b(it|its|they|them|their|this|that|these|those|he|she|there|one|ones)\b|^(and|what about|how about|also)\b", re.I)
# Words that shape a question but that an answer need not contain ("how many", "which three")
QUESTION_FORMS = frozenset(tokenize(
    "many much long often take say says ask asks describe mean means list called name named kind type sort "
    "one two three four five six seven eight nine ten twelve"
))
BOUNDARY_RE = re.compile(r"[.!?](?=\s)|\n")

TokenSink = Callable[[str], None]


class QuestionError(ValueError):
    """A question that cannot be asked (empty or too long); the message says why."""


@dataclass
class Answer:
    answer: str
    citations: list[Citation]
    refused: bool
    mode: str
    model: str
    latency_ms: int
    session: str
    standalone: str
    answer_id: str = ""
    closest: list[Hit] = field(default_factory=list)
    notice: str = ""
    retrieved: list[Hit] = field(default_factory=list)  # every passage retrieval returned, best first

    def to_dict(self) -> dict:
        return {
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "refused": self.refused,
            "mode": self.mode,
            "model": self.model,
            "latency_ms": self.latency_ms,
            "session": self.session,
            "standalone_question": self.standalone,
            "answer_id": self.answer_id,
            "closest": [h.to_dict() for h in self.closest],
            "notice": self.notice,
            "retrieved": [{"chunk_id": h.chunk_id, "document": h.document, "rank": h.rank} for h in self.retrieved],
        }


class Assistant:
    """Holds the loaded pieces (retriever, grounder, answer log, LLM) for the life of a process."""

    def __init__(self, settings: Settings, retriever: Retriever, log: AnswerLog | None = None, reviewer=None,
                 llm_factory: Callable[[], LLM] | None = None) -> None:
        self.settings = settings
        self.reviewer = reviewer  # a Reviewer: chat messages that paste a proposal are answered with a review
        self.retriever = retriever
        self.grounder = Grounder(retriever.embedder, settings.min_support)
        self.log = log or AnswerLog(settings.db_path)
        self._llm: LLM | None = None
        self._llm_factory = llm_factory or (lambda: get_llm(settings))
        self._llm_error: str | None = None

    # The public entry point
    def ask(
        self,
        question: str,
        session: str | None = None,
        mode: str | None = None,
        filters: Filters | None = None,
        on_token: TokenSink | None = None,
        history: list[dict] | None = None,
    ) -> Answer:
        started = time.perf_counter()
        proposal = split_review_request(question or "") if self.reviewer is not None else None
        if proposal is not None:
            return self._review(question, proposal, session, started, on_token)
        question = " ".join((question or "").split())
        if not question:
            raise QuestionError("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(f"the question is {len(question)} characters; the limit is {self.settings.max_question_chars}")
        session = session or AnswerLog.new_session()
        mode = mode or self.settings.answer_mode
        notice = ""
        llm = None
        if mode == "llm":
            llm, notice = self.llm()
            if llm is None:
                mode = "extractive"
        standalone = self.standalone(question, self.log.history(session) if history is None else history, llm)
        hits = self.retriever.search(standalone, k=self.settings.top_k, filters=filters)
        context = self.context(hits, standalone, filters)
        refused, text, citations = True, REFUSAL, []
        if context and self.covered(standalone, context):
            draft_sink = _GroundedStream(self.grounder, context, on_token, standalone)
            if llm is not None:
                draft = self._draft_with_llm(llm, standalone, context, draft_sink)
            else:
                draft = self._draft_extractive(standalone, context)
                draft_sink.feed(draft)
            grounded = draft_sink.finish(draft)
            if not grounded.empty and not draft.strip().upper().startswith("NOT FOUND"):
                refused, text, citations = False, grounded.text, grounded.citations
        if refused and on_token:
            on_token(REFUSAL)
        answer = Answer(
            answer=text, citations=citations, refused=refused, mode=mode,
            model=llm.name if llm is not None else "extractive", latency_ms=int((time.perf_counter() - started) * 1000),
            session=session, standalone=standalone, closest=hits[:3] if refused else [], notice=notice,
            retrieved=hits,
        )
        answer.answer_id = self.log.record({**asdict(answer), "question": question, "citations": [c.to_dict() for c in citations]})
        return answer

    def _review(self, message: str, proposal: str, session: str | None, started: float, on_token: TokenSink | None) -> Answer:
        """A pasted proposal with "does this fit?": answered with the review, criterion by criterion."""
        from assistant.review import ReviewError

        session = session or AnswerLog.new_session()
        try:
            review = self.reviewer.review(proposal, on_criterion=(lambda c: on_token(f"{c.name}: {c.verdict}\n")) if on_token else None)
        except ReviewError as error:
            raise QuestionError(str(error)) from None
        answer = Answer(answer=review.to_markdown(), citations=review.all_citations(), refused=False, mode="review",
                        model=review.model or "none", latency_ms=int((time.perf_counter() - started) * 1000),
                        session=session, standalone=f"review against {review.framework}")
        answer.answer_id = self.log.record({**asdict(answer), "question": message[:2000], "citations": [c.to_dict() for c in answer.citations]})
        return answer

    @property
    def llm_loaded(self) -> bool:
        return self._llm is not None

    def llm_name(self) -> str:
        """The configured model's name, without loading it."""
        if self._llm is not None:
            return self._llm.name
        if self.settings.llm_backend == "openai":
            return self.settings.openai_model
        return self.settings.resolved_llm_path.stem

    # Steps
    def llm(self) -> tuple[LLM | None, str]:
        """The model, loaded on first use; if it cannot load, say so once and answer extractively."""
        if self._llm is None and self._llm_error is None:
            try:
                self._llm = self._llm_factory()
            except LLMUnavailable as error:
                self._llm_error = str(error)
                return None, f"The language model is unavailable ({error}); answering in extractive mode."
        return self._llm, ""

    def standalone(self, question: str, history: list[dict], llm: LLM | None) -> str:
        """A follow-up ("who is responsible for it?") rewritten to stand on its own for retrieval."""
        if not history or not FOLLOW_UP_RE.search(question):
            return question
        previous = history[-1]["standalone"]
        if llm is not None:
            lines = "\n".join(f"User: {turn['standalone']}\nAssistant: {turn['answer'][:200]}" for turn in history[-2:])
            try:
                text = "".join(llm.stream([{"role": "user", "content": render("rewrite", history=lines, question=question)}], 60))
            except LLMUnavailable:
                text = ""
            rewritten = text.strip().splitlines()[0].strip(" \"'") if text.strip() else ""
            brought = set(tokenize(rewritten)) - set(tokenize(question))  # a rewrite must bring the referent in
            still_a_question = rewritten.endswith("?") or not question.endswith("?")  # not an answer to it
            if 3 <= len(rewritten) <= 3 * len(question) + len(previous) and brought and still_a_question:
                return rewritten
        return f"{question} ({previous})"

    def context(self, hits: list[Hit], question: str = "", filters: Filters | None = None) -> list[Hit]:
        """The passages for the prompt: the best few, the next part of the top passage's section, and
        a passage from each document the question names ("do Merton and the 2024 draft differ…")."""
        limit = self.settings.context_passages
        chosen = hits[:limit]
        if chosen:
            for neighbour in self.retriever.neighbours(chosen[0], before=0, after=1):
                if neighbour.chunk_id not in {h.chunk_id for h in chosen}:
                    chosen = chosen[:-1] + [neighbour] if len(chosen) >= limit else chosen + [neighbour]
        for group in self.retriever.documents_named(question) if question else []:
            if any(h.document in group for h in chosen):
                continue
            best = self._best_in(group, hits, question, filters)
            if best is None:
                continue
            # make room by dropping the weakest retrieved passage of a document that has another
            crowded = [i for i, h in enumerate(chosen) if i > 0 and sum(x.document == h.document for x in chosen) > 1]
            if len(chosen) >= limit and crowded:
                chosen.pop(max(crowded, key=lambda i: (chosen[i].rank != 0, chosen[i].rank)))
            chosen.append(best)
        chosen.sort(key=lambda h: (h.rank == 0, h.rank))
        return chosen

    def _best_in(self, documents: set[str], hits: list[Hit], question: str, filters: Filters | None) -> Hit | None:
        """The best passage of any of `documents`: from the hits if there is one, else the closest in
        meaning among the top few of a search within each."""
        for hit in hits:
            if hit.document in documents:
                return hit
        filters = filters or Filters()
        name_words = set().union(*self.retriever.keyword.names.values())
        # within one document, name words (its own or another's) say nothing: search by what the question is about
        topic = " ".join(w for w in question.split() if not set(tokenize(w)) & name_words) or question
        found = [
            hit for document in sorted(documents) if filters.document in (None, document)
            for hit in self.retriever.search(topic, k=3, filters=Filters(filters.council, filters.kind, document))
        ]
        for hit in found:
            hit.rank = len(hits) + 1
        return max(found, key=lambda h: h.dense, default=None)

    def covered(self, question: str, context: list[Hit]) -> bool:
        """Do the passages hold the question's distinctive words? Below the threshold we do not answer."""
        return coverage(question, context, self.retriever.keyword.identity) >= self.settings.refuse_below

    def _draft_with_llm(self, llm: LLM, question: str, context: list[Hit], sink: "_GroundedStream") -> str:
        sources = "\n\n".join(f"[{n}] {hit.title} — {hit.section}\n{hit.text}" for n, hit in enumerate(context, start=1))
        messages = [
            {"role": "system", "content": prompt("answer_system")},
            {"role": "user", "content": render("answer_user", sources=sources, question=question)},
        ]
        draft = ""
        for token in llm.stream(messages, self.settings.llm_max_tokens):
            draft += token
            sink.feed(draft)
        return draft

    def _draft_extractive(self, question: str, context: list[Hit]) -> str:
        """The sentences that best match the question, verbatim, from the passages that cover it.

        Without a model to judge, every distinctive word of the question must be one the documents
        use, a passage must hold most of them (counting words and question forms aside: a list
        answers "which three") and every figure or year the question names; sentences come only
        from such passages.
        """
        q_tokens = set(tokenize(question)) - self.retriever.keyword.identity
        gate_tokens = q_tokens - QUESTION_FORMS
        if self.retriever.keyword.unknown(gate_tokens - set(re.findall(r"\d+", question))):
            return ""  # the question turns on a word the documents never use
        numbers = set(re.findall(r"\d+", question))
        covering: dict[int, float] = {}
        for n, hit in enumerate(context, start=1):
            text = f"{hit.title} {hit.section} {hit.document} {hit.text}"
            share = len(gate_tokens & set(tokenize(text))) / len(gate_tokens) if gate_tokens else 1.0
            if share > 0.5 and numbers <= set(re.findall(r"\d+", text)):
                covering[n] = share
        candidates: list[tuple[int, int, str]] = [
            (n, position, sentence)
            for n, hit in enumerate(context, start=1) if n in covering
            for position, sentence in enumerate(passage_sentences(hit.text))
        ]
        if not candidates:
            return ""
        vectors = np.asarray(self.retriever.embedder.get_text_embedding_batch([question] + [c[2] for c in candidates]))
        similarity = vectors[1:] @ vectors[0]
        scores = []
        for (n, _, sentence), sim in zip(candidates, similarity):
            overlap = len(q_tokens & set(tokenize(sentence))) / len(q_tokens) if q_tokens else 0.0
            scores.append(0.5 * float(sim) + 0.3 * overlap + 0.2 * covering[n] - 0.02 * (n - 1))
        order = np.argsort(scores)[::-1]
        picked: list[int] = []
        for index in order:
            if len(picked) >= 3 or scores[index] < 0.75 * scores[order[0]]:
                break
            picked.append(int(index))
            n, position, sentence = candidates[index]
            if sentence.endswith(":"):  # a lead-in: bring its list
                picked.extend(i for i, c in enumerate(candidates) if c[0] == n and position < c[1] <= position + 8)
        picked = sorted(set(picked), key=lambda i: (candidates[i][0], candidates[i][1]))
        lines: dict[str, str] = {}  # overlapping chunks repeat sentences: keep the first
        for i in picked:
            lines.setdefault(candidates[i][2], f"{candidates[i][2]} [{candidates[i][0]}]")
        return "\n".join(lines.values())


class _GroundedStream:
    """Grounds the draft at each finished sentence and passes on only what survives."""

    def __init__(self, grounder: Grounder, context: list[Hit], on_token: TokenSink | None, question: str) -> None:
        self.grounder, self.context, self.on_token, self.question = grounder, context, on_token, question
        self.emitted = ""
        self.checked_upto = 0

    def feed(self, draft: str) -> None:
        if self.on_token is None:
            return
        boundaries = [m.end() for m in BOUNDARY_RE.finditer(draft)]
        if not boundaries or boundaries[-1] <= self.checked_upto:
            return
        self.checked_upto = boundaries[-1]
        self._emit(self.grounder.ground(draft[: boundaries[-1]], self.context, self.question).text)

    def finish(self, draft: str):
        grounded = self.grounder.ground(draft, self.context, self.question)
        if self.on_token is not None:
            self._emit(grounded.text)
        return grounded

    def _emit(self, text: str) -> None:
        if text.startswith(self.emitted) and len(text) > len(self.emitted):
            self.on_token(text[len(self.emitted):])
            self.emitted = text


def coverage(question: str, context: list[Hit], identity: frozenset[str]) -> float:
    """Share of the question's distinctive words found in the best passage (with its title and section)."""
    tokens = set(tokenize(question)) - identity
    if not tokens:
        return 1.0
    return max(len(tokens & set(tokenize(f"{h.title} {h.section} {h.text}"))) / len(tokens) for h in context)


def get_assistant() -> Assistant:
    """One assistant per process, over the process-wide settings and retriever."""
    global _assistant
    if _assistant is None:
        from assistant.retrieval import get_retriever

        from assistant.review import get_reviewer

        retriever = get_retriever()
        _assistant = Assistant(retriever.settings, retriever, reviewer=get_reviewer())
    return _assistant


_assistant: Assistant | None = None
