"""A chat message is either a question or a pasted proposal with "does this fit?": route it.

Every face (CLI, API, OpenAI endpoint, web UI) hands chat messages here, so they all decide the
same way. `check_message` is the one home of a message's checks (the web faces call it before a
request queues, `Chat.respond` first thing): the length before any pattern reads the message, then
the question's or the pasted proposal's own checks. The patterns are linear in the message.
"""

from __future__ import annotations

import re
import time

from assistant.answering import Answer, Assistant, QuestionError, QuestionTooLong, QuotesSink, check_question
from assistant.conversations import AnswerLog
from assistant.grounding import TokenSink
from assistant.llm import ModelTurn, StopCheck
from assistant.retrieval import Filters
from assistant.review import ReviewError, Reviewer, check_proposal
from ingest.settings import Settings

REQUEST_RE = re.compile(
    r"\b(review this|review the following|does (this|it|the (following|above)( proposal)?) (fit|align|meet|match)"
    r"|is (this|it) (aligned|in line|consistent)|(fit|fits|align) (with )?(our|the) (tom|target operating model|design principles"
    r"|principles|operating model|themes|values)|check (this|it) against)\b",
    re.I,
)
SENTENCE_END_RE = re.compile(r"[.!?:\n]")
MIN_PROPOSAL_WORDS = 12


def split_review_request(message: str) -> str | None:
    """The pasted proposal when a chat message asks for a review of it, else None.

    The request is the sentence holding a review phrase ("does this fit our design principles?");
    the rest of the message is the proposal.
    """
    spans = []
    for match in list(REQUEST_RE.finditer(message))[:3]:
        start = max(message.rfind(mark, 0, match.start()) for mark in ".!?\n") + 1
        end_match = SENTENCE_END_RE.search(message, match.end())
        end = end_match.end() if end_match else len(message)
        spans.append((start, end))
    if not spans:
        return None
    kept, position = [], 0
    for start, end in spans:
        kept.append(message[position:max(start, position)])
        position = max(position, end)
    proposal = (" ".join(kept) + " " + message[position:]).strip(" \n:")
    return proposal if len(re.findall(r"\w+", proposal)) >= MIN_PROPOSAL_WORDS else None


def check_message(message: str | None, settings: Settings) -> str | None:
    """Refuse a message that cannot be answered (QuestionError, ReviewError, with their status) before any
    work; returns the pasted proposal when the message asks for a review of one, else None. A message may
    be a question or a proposal, so the larger limit applies before anything reads it."""
    limit = max(settings.max_question_chars, settings.max_proposal_chars)
    if len(message or "") > limit:
        raise QuestionTooLong(f"the message is {len(message or '')} characters; the limit is {limit}")
    proposal = split_review_request(message or "")
    if proposal is None:
        check_question(message, settings.max_question_chars)
    else:
        check_proposal(proposal, settings)
    return proposal


class Chat:
    """Answers chat messages: a question goes to the assistant, a proposal to the reviewer."""

    def __init__(self, assistant: Assistant, reviewer: Reviewer) -> None:
        self.assistant, self.reviewer = assistant, reviewer

    def respond(self, message: str, session: str | None = None, mode: str | None = None, filters: Filters | None = None,
                on_token: TokenSink | None = None, history: list[dict] | None = None,
                should_stop: StopCheck | None = None, on_quotes: QuotesSink | None = None,
                model_turn: ModelTurn | None = None) -> Answer:
        """The answer (or review) to a chat message; `should_stop` ends an answer's generation at its next token.
        `on_quotes` gets an llm answer's quotations before the model is asked (a review sends none); `model_turn`
        is called before the model's first call."""
        proposal = check_message(message, self.assistant.settings)
        if proposal is None:
            return self.assistant.ask(message, session=session, mode=mode, filters=filters, on_token=on_token,
                                      history=history, should_stop=should_stop, on_quotes=on_quotes,
                                      model_turn=model_turn)
        return self._review(message, proposal, session, on_token, should_stop, model_turn)

    def _review(self, message: str, proposal: str, session: str | None, on_token: TokenSink | None,
                should_stop: StopCheck | None, model_turn: ModelTurn | None) -> Answer:
        """A pasted proposal with "does this fit?": answered with the review, criterion by criterion."""
        started = time.perf_counter()
        session = session or AnswerLog.new_session()
        on_criterion = (lambda c: on_token(f"{c.name}: {c.verdict}\n")) if on_token else None
        try:
            review = self.reviewer.review(proposal, on_criterion=on_criterion, should_stop=should_stop,
                                          model_turn=model_turn)
        except ReviewError as error:
            raise QuestionError(str(error)) from None
        answer = Answer(answer=review.to_markdown(), citations=review.all_citations(), refused=False, mode="review",
                        model=review.model or "none", latency_ms=int((time.perf_counter() - started) * 1000),
                        session=session, standalone=f"review against {review.framework}")
        answer.answer_id = self.assistant.log.record(answer.record(message[:2000]))
        return answer
