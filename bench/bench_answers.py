"""Answer speed: extractive p50/p95 on the whole set, LLM time to first token and to the full answer.

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
from assistant.components import Components
from assistant.prompts import prompt, render
from eval.dataset import SETS_DIR, load_set



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--llm-questions", type=int, default=8)
    args = parser.parse_args()
    components = Components()
    assistant = components.assistant
    questions = [q.question for q in load_set(SETS_DIR / "tom-questions.jsonl") if not q.follows]
    assistant.ask(questions[0], mode="extractive")  # warm: embedder, keyword index

    retrieval, extractive = [], []
    for question in questions:
        started = time.perf_counter()
        assistant.retriever.search(question)
        retrieval.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assistant.ask(question, mode="extractive")
        extractive.append((time.perf_counter() - started) * 1000)

    llm, notice = assistant.llm()
    if llm is None:
        raise SystemExit(notice)
    first_tokens, totals, prompt_tokens, answer_tokens = [], [], [], []
    for question in questions[: args.llm_questions]:
        hits = assistant.retriever.search(question)
        context = assistant.context(hits, question)
        sources = "\n\n".join(f"[{n}] {h.title} — {h.section}\n{h.text}" for n, h in enumerate(context, start=1))
        text = prompt("answer_system") + render("answer_user", sources=sources, question=question)
        prompt_tokens.append(llm.count_tokens(text) if hasattr(llm, "count_tokens") else len(text.split()))
        marks: list[float] = []
        started = time.perf_counter()
        answer = assistant.ask(question, mode="llm", on_token=lambda _t: marks.append(time.perf_counter()))
        totals.append((time.perf_counter() - started) * 1000)
        first_tokens.append(((marks[0] if marks else time.perf_counter()) - started) * 1000)
        answer_tokens.append(llm.count_tokens(answer.answer) if hasattr(llm, "count_tokens") else len(answer.answer.split()))

    base = statistics.median(retrieval)
    result = {
        "questions": len(questions),
        "retrieval_p50_ms": round(base, 1),
        "extractive_p50_ms": round(statistics.median(extractive), 1),
        "extractive_p95_ms": round(percentile(extractive, 0.95), 1),
        "extractive_p50_vs_retrieval": round(statistics.median(extractive) / base, 2),
        "llm_model": llm.name,
        "llm_questions": len(totals),
        "llm_first_token_p50_ms": round(statistics.median(first_tokens)),
        "llm_full_answer_p50_ms": round(statistics.median(totals)),
        "llm_full_answer_max_ms": round(max(totals)),
        "llm_full_answer_p50_vs_retrieval": round(statistics.median(totals) / base, 1),
        "prompt_tokens_p50": int(statistics.median(prompt_tokens)),
        "prompt_tokens_max": max(prompt_tokens),
        "answer_tokens_p50": int(statistics.median(answer_tokens)),
    }
    write_result("answers", result)


if __name__ == "__main__":
    main()
