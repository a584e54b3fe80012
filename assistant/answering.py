"""Answer a question from the documents: rewrite, retrieve, choose passages, draft, ground, record.

Two modes. `llm` drafts with the configured model from the chosen passages; `extractive` needs
no model and answers with the best-matching sentences of those passages, verbatim. Either way
the draft is grounded sentence by sentence as it streams, so only supported, cited sentences
ever reach the user. When the passages do not cover the question, or no sentence survives
grounding, the assistant says it could not find the answer and shows the closest passages. If
the model fails (cannot load, or its server goes away mid-answer) the answer is extractive and
says why.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from assistant.answer_type import answers, asked_kind, yes_no
from assistant.citations import Citation
from assistant.context import ContextBuilder
from assistant.conversations import AnswerLog
from assistant.errors import TooLarge, UserError
from assistant.drafting import Drafter, ExtractiveDrafter, LLMDrafter, QuotedRows
from assistant.focus import Focus, render_sources
from assistant.followups import standalone
from assistant.grounding import Grounded, Grounder, GroundedStream, TokenSink
from assistant.llm import LLM, LLMUnavailable, ModelSlot, ModelTurn, Priority, StopCheck, stoppable
from assistant.retrieval import Filters, Hit, Retriever
from assistant.scope import unknown_bodies, unknown_names
from ingest.settings import Settings
from ingest.text import council_name_words

REFUSAL = "I could not find the answer to this in the documents. The closest passages are listed below."
log = logging.getLogger(__name__)


class QuestionError(UserError):
    """A question that cannot be asked (empty or too long); the message says why."""


class QuestionTooLong(QuestionError, TooLarge):
    """A question over the length limit."""


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
        """The answer as every face returns it (`tom ask --json`, `/api/ask`), plus what was retrieved."""
        return {
            "answer": self.answer, "citations": [c.to_dict() for c in self.citations], "refused": self.refused,
            "mode": self.mode, "model": self.model, "latency_ms": self.latency_ms, "session": self.session,
            "standalone_question": self.standalone, "answer_id": self.answer_id,
            "closest": [h.to_dict() for h in self.closest], "notice": self.notice,
            "retrieved": [{"chunk_id": h.chunk_id, "document": h.document, "rank": h.rank} for h in self.retrieved],
        }

    def record(self, question: str) -> dict:
        """What the answer log keeps of it."""
        return {**asdict(self), "question": question, "citations": [c.to_dict() for c in self.citations]}


@dataclass
class Quotations:
    """The passages' best sentences, verbatim, grounded and cited as an answer is: what the user reads while
    the model is still reading its prompt (seconds on 2 cores). Shown as quotations, never as the answer.
    `answers` is False when they do not hold what the question asks for (no date for "when"): then they are
    shown as the closest sentences, which may not answer it."""

    text: str
    citations: list[Citation]
    answers: bool = True

    def to_dict(self) -> dict:
        """As the API sends it: the citations serialised as an answer's are."""
        return {"text": self.text, "citations": [c.to_dict() for c in self.citations], "answers": self.answers}


QuotesSink = Callable[[Quotations], None]


def check_question(question: str | None, limit: int) -> str:
    """The question with its white space folded; the length is checked before anything else reads it."""
    question = question or ""
    if len(question) > 4 * limit:  # folding white space cannot bring it under the limit: refuse unread
        raise QuestionTooLong(f"the question is {len(question)} characters; the limit is {limit}")
    question = " ".join(question.split())
    if not question:
        raise QuestionError("the question is empty")
    if not re.search(r"[^\W\d_]{2}", question):
        raise QuestionError("the question has no words to search for: ask it in words, e.g. 'What does our TOM say about boards?'")
    if len(question) > limit:
        raise QuestionTooLong(f"the question is {len(question)} characters; the limit is {limit}")
    return question


class Assistant:
    """Answers questions with the retriever, grounder, answer log and model slot it is given."""

    def __init__(self, settings: Settings, retriever: Retriever, log: AnswerLog, models: ModelSlot) -> None:
        self.settings, self.retriever, self.log, self.models = settings, retriever, log, models
        self.grounder = Grounder(retriever.embedder, settings.min_support, retriever.councils)
        self.contexts = ContextBuilder(settings, retriever)
        self.extractive = ExtractiveDrafter(retriever)
        self.focus = Focus(retriever.embedder, self.grounder.lines)

    def ask(self, question: str, session: str | None = None, mode: str | None = None, filters: Filters | None = None,
            on_token: TokenSink | None = None, history: list[dict] | None = None,
            should_stop: StopCheck | None = None, on_quotes: QuotesSink | None = None,
            model_turn: ModelTurn | None = None) -> Answer:
        """The grounded answer; once `should_stop()` is true the model stops at its next token (raises Cancelled).
        In llm mode `on_quotes` gets the extractive answer's quotations before the model is asked, if any survive,
        and `model_turn` is called (as a question) before the model's first call."""
        started = time.perf_counter()
        question = check_question(question, self.settings.max_question_chars)
        session = session or AnswerLog.new_session()
        llm, notice = self._model(mode or self.settings.answer_mode)
        llm = stoppable(llm, should_stop, model_turn, Priority.QUESTION)
        standalone_question = standalone(question, self.log.history(session) if history is None else history, llm)
        hits = self.retriever.search(standalone_question, k=self.settings.top_k, filters=filters)
        context = self.contexts.build(hits, standalone_question, filters)
        refused, text, citations, drafter, notice = self._answer(standalone_question, context, llm, on_token, notice,
                                                                 on_quotes)
        if refused and on_token:
            on_token(REFUSAL)
        answer = Answer(
            answer=text, citations=citations, refused=refused, mode="llm" if drafter is not self.extractive else "extractive",
            model=drafter.name, latency_ms=int((time.perf_counter() - started) * 1000), session=session,
            standalone=standalone_question, closest=hits[:3] if refused else [], notice=notice, retrieved=hits,
        )
        answer.answer_id = self.log.record(answer.record(question))
        return answer

    def model_sources(self, question: str, context: list[Hit]) -> str:
        """The numbered sources the model reads: the lines of each passage that bear on the question."""
        if not self.settings.source_chars:
            return render_sources(context)
        return render_sources(context, self.focus.choose(question, context, self.settings.source_chars, self.retriever.identity))

    def _model(self, mode: str) -> tuple[LLM | None, str]:
        """The model for llm mode, or None (with the reason) when it cannot be had."""
        if mode != "llm":
            return None, ""
        try:
            return self.models.get(), ""
        except LLMUnavailable as error:
            return None, f"The language model is unavailable ({error}); answering in extractive mode."

    def _answer(self, question: str, context: list[Hit], llm: LLM | None, on_token: TokenSink | None,
                notice: str, on_quotes: QuotesSink | None = None) -> tuple[bool, str, list[Citation], Drafter, str]:
        """Draft and ground; a model that fails mid-answer gives way to the extractive drafter."""
        drafter = self._drafter(question, context, llm)
        if not context or not self.contexts.covers(question, context):
            return True, REFUSAL, [], drafter, notice
        outside = unknown_bodies(question, self.retriever.unknown)
        outside = outside or (unknown_names(question, self.retriever.unknown) if yes_no(question) else [])
        if outside:  # every passage would be about someone or something else
            log.info("refused: the documents never mention %s", ", ".join(outside))
            return True, REFUSAL, [], drafter, notice
        if isinstance(drafter, LLMDrafter) and on_quotes is not None:
            self._send_quotations(question, context, on_quotes)
        sink = GroundedStream(self.grounder, context, on_token, question)
        try:
            draft = drafter.draft(question, context, sink)
        except LLMUnavailable as error:
            log.warning("the model failed mid-answer, answering extractively: %s", error)
            notice = f"The language model failed ({error}); answering in extractive mode."
            if on_token and sink.emitted:
                on_token("\n\n")  # what was shown stays; the extractive answer follows it
            drafter, sink = self.extractive, GroundedStream(self.grounder, context, on_token, question)
            draft = drafter.draft(question, context, sink)
        grounded = sink.finish(draft)
        if reason := _refusal(question, draft, grounded) or self._about_others(question, grounded):
            log.info("refused: %s", reason)
            log.debug("the refused reply: %r", draft[:500])
            return True, REFUSAL, [], drafter, notice
        return False, grounded.text, grounded.citations, drafter, notice

    def _about_others(self, question: str, grounded: Grounded) -> str | None:
        """A question that names councils is answered from their documents, a document it names ("the borough's 2024
        draft") or passages that name them: a reply citing only other councils' passages answers it about someone
        else, however well each sentence is supported."""
        named = self.retriever.councils_named(question)
        if not named or not grounded.citations:
            return None
        documents = set().union(*self.retriever.documents_named(question))
        for citation in grounded.citations:
            words = set(re.findall(r"[a-z]+", f"{citation.title} {citation.quote}".lower()))
            if (citation.council in named or citation.document in documents
                    or any(council_name_words(council) <= words for council in named)):
                return None
        return f"the question names {', '.join(sorted(named))}; every cited passage is another council's"

    def _drafter(self, question: str, context: list[Hit], llm: LLM | None) -> Drafter:
        """The extractive drafter without a model; with one, the model, unless the question picks table rows:
        then the rows, quoted under their headers, are the answer (`QuotedRows`)."""
        if llm is None:
            return self.extractive
        rows = self.extractive.table_answer(question, context) if context else None
        if rows is not None:
            log.info("answered from table rows: the model is not asked")
            return QuotedRows(rows)
        return LLMDrafter(self.settings, llm, self.model_sources)

    def _send_quotations(self, question: str, context: list[Hit], on_quotes: QuotesSink) -> None:
        """The extractive answer, grounded and checked as the final answer is, sent before the model reads its
        prompt; when it would be refused for not holding what was asked, as the closest sentences; nothing
        when no sentence survives grounding."""
        sink = GroundedStream(self.grounder, context, None, question)
        draft = self.extractive.draft(question, context, sink)
        grounded = sink.finish(draft)
        if grounded.empty:
            log.info("no quotations: no sentence survived grounding")
            return
        reason = _refusal(question, draft, grounded) or self._about_others(question, grounded)
        if reason:
            log.info("quotations are the closest sentences, not an answer: %s", reason)
        on_quotes(Quotations(grounded.text, grounded.citations, answers=reason is None))


def _refusal(question: str, draft: str, grounded: Grounded) -> str | None:
    """Why a grounded reply cannot be shown as the answer to `question`, or None when it can."""
    if draft.strip().upper().startswith("NOT FOUND"):
        return "the reply says NOT FOUND"
    if grounded.empty:
        return "nothing in the reply survived grounding"
    if not answers(question, grounded.text):  # supported, but not what was asked (no date for "when")
        return f"the grounded reply holds no {asked_kind(question)} for {question[:80]!r}"
    return None
