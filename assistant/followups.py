"""A follow-up ("who is responsible for it?") rewritten to stand on its own for retrieval.

The model's rewrite is used only when it brings in a word from the conversation and is still a
question: a 1.5B model sometimes repeats the follow-up unchanged, or answers it. Otherwise, and
without a model, the follow-up is searched with the previous question attached.
"""

from __future__ import annotations

import logging
import re

from assistant.llm import LLM, LLMUnavailable
from assistant.prompts import render
from ingest.text import tokenize

FOLLOW_UP_RE = re.compile(r"\b(it|its|they|them|their|this|that|these|those|he|she|there|one|ones)\b|^(and|what about|how about|also)\b", re.I)
REWRITE_TOKENS = 60
log = logging.getLogger(__name__)


def standalone(question: str, history: list[dict], llm: LLM | None) -> str:
    """`question` as a question that needs no conversation to be understood."""
    if not history or not FOLLOW_UP_RE.search(question):
        return question
    previous = history[-1]["standalone"]
    if llm is not None:
        rewritten = _rewrite(question, history, llm)
        brought = set(tokenize(rewritten)) - set(tokenize(question))  # a rewrite must bring the referent in
        still_a_question = rewritten.endswith("?") or not question.endswith("?")  # not an answer to it
        if 3 <= len(rewritten) <= 3 * len(question) + len(previous) and brought and still_a_question:
            return rewritten
        log.debug("rewrite %r of %r not used", rewritten, question)
    return f"{question} ({previous})"


def _rewrite(question: str, history: list[dict], llm: LLM) -> str:
    lines = "\n".join(f"User: {turn['standalone']}\nAssistant: {turn['answer'][:200]}" for turn in history[-2:])
    try:
        text = "".join(llm.stream([{"role": "user", "content": render("rewrite", history=lines, question=question)}], REWRITE_TOKENS))
    except LLMUnavailable as error:
        log.warning("follow-up rewrite failed: %s", error)
        return ""
    return text.strip().splitlines()[0].strip(" \"'") if text.strip() else ""
