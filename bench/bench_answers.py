"""Answer speed: extractive p50/p95 on the whole set; for LLM answers, the time to the quotations (the
first cited content), to the first verified phrased token, and to the full answer.

Baseline in the same process: retrieval alone for the same questions, so each figure is also a
ratio to it. The LLM part also reports the prompt's size in model tokens. Writes
bench/results/answers.json.

    .venv/bin/python bench/bench_answers.py [--llm-questions 8]
"""

from __future__ import annotations

import argparse
import statistics
import time

import ingest  # noqa: F401  (offline first)
from common import percentile, write_result
from assistant.answering import Assistant
from assistant.components import Components
from assistant.llm import LLM, LLMUnavailable
from assistant.prompts import prompt, render
from eval.dataset import SETS_DIR, load_set


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--llm-questions", type=int, default=8)
    args = parser.parse_args()
    assistant = Components().assistant
    questions = [q.question for q in load_set(SETS_DIR / "tom-questions.jsonl") if not q.follows]
    assistant.ask(questions[-1], mode="extractive")  # warm: embedder, keyword index (a question not timed with the model)
    # the model's questions first: the extractive loop would leave their passages' sentences embedded, and the
    # quotations would then be timed without that work
    timings = llm_timings(assistant, questions[: args.llm_questions])

    retrieval, extractive = [], []
    for question in questions:
        started = time.perf_counter()
        assistant.retriever.search(question)
        retrieval.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assistant.ask(question, mode="extractive")
        extractive.append((time.perf_counter() - started) * 1000)

    base = statistics.median(retrieval)
    result = {
        "questions": len(questions),
        "retrieval_p50_ms": round(base, 1),
        "extractive_p50_ms": round(statistics.median(extractive), 1),
        "extractive_p95_ms": round(percentile(extractive, 0.95), 1),
        "extractive_p50_vs_retrieval": round(statistics.median(extractive) / base, 2),
        **timings,
        "llm_full_answer_p50_vs_retrieval": round(timings["llm_full_answer_p50_ms"] / base, 1),
    }
    write_result("answers", result)


def llm_timings(assistant: Assistant, questions: list[str]) -> dict:
    """Per question: when the quotations came (if any were sent), the first phrased token, the whole answer."""
    try:
        llm = assistant.models.get()
    except LLMUnavailable as error:
        raise SystemExit(f"the language model is unavailable: {error}") from None
    quotations, first_tokens, totals, prompt_tokens, answer_tokens = [], [], [], [], []
    for question in questions:
        marks: dict[str, float] = {}
        started = time.perf_counter()
        answer = assistant.ask(question, mode="llm", on_quotes=lambda _q: marks.setdefault("quotations", time.perf_counter()),
                               on_token=lambda _t: marks.setdefault("token", time.perf_counter()))
        ended = time.perf_counter()
        totals.append((ended - started) * 1000)
        first_tokens.append((marks.get("token", ended) - started) * 1000)
        if "quotations" in marks:
            quotations.append((marks["quotations"] - started) * 1000)
        answer_tokens.append(_count(llm, answer.answer))
        prompt_tokens.append(_prompt_tokens(assistant, llm, question))  # after: its work must not warm the timed answer
    return {
        "llm_model": llm.name,
        "llm_questions": len(totals),
        "llm_quotations_sent": len(quotations),
        "llm_quotations_p50_ms": _ms(quotations, 0.5),
        "llm_quotations_p95_ms": _ms(quotations, 0.95),
        "llm_first_token_p50_ms": _ms(first_tokens, 0.5),
        "llm_first_token_p95_ms": _ms(first_tokens, 0.95),
        "llm_full_answer_p50_ms": _ms(totals, 0.5),
        "llm_full_answer_p95_ms": _ms(totals, 0.95),
        "llm_full_answer_max_ms": round(max(totals)),
        "prompt_tokens_p50": int(statistics.median(prompt_tokens)),
        "prompt_tokens_max": max(prompt_tokens),
        "answer_tokens_p50": int(statistics.median(answer_tokens)),
    }


def _prompt_tokens(assistant: Assistant, llm: LLM, question: str) -> int:
    """The size of the answer prompt the model reads before its first token."""
    context = assistant.contexts.build(assistant.retriever.search(question), question)
    sources = assistant.model_sources(question, context)
    return _count(llm, prompt("answer_system") + render("answer_user", sources=sources, question=question))


def _count(llm: LLM, text: str) -> int:
    return llm.count_tokens(text) if hasattr(llm, "count_tokens") else len(text.split())


def _ms(values: list[float], q: float) -> int | None:
    """The q-th percentile in whole milliseconds (the median for 0.5), or None when nothing was measured."""
    if not values:
        return None
    return round(statistics.median(values) if q == 0.5 else percentile(values, q))


if __name__ == "__main__":
    main()
