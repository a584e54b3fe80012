"""Review speed on the default model: time to the first criterion and to the end, per proposal.

Targets (issue 12): a five-criterion review p50 <= 30 s on 2 cores, first criterion streamed <= 5 s.
Baseline in the same process: one grounded llm-mode answer, so the review's time is also a ratio to
answering a question. Each review counts its model calls; what the model has to read per call is
kept short (llama.cpp reuses the longest common prefix, so only new tokens cost). Writes
bench/results/review.json.

    .venv/bin/python bench/bench_review.py [--proposals p01 p02 p03 p05 p09]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterator

import ingest  # noqa: F401  (offline first)
from common import write_result
from assistant.components import Components
from assistant.llm import LLM, load_llm
from eval.dataset import SETS_DIR, load_proposals
from ingest.settings import load_settings


class Counting:
    """The real model, counting its calls (to see how few, short calls a review makes)."""

    def __init__(self, llm: LLM) -> None:
        self.llm, self.name, self.calls = llm, llm.name, 0

    def stream(self, messages, max_tokens: int, json_schema: dict | None = None) -> Iterator[str]:
        self.calls += 1
        yield from self.llm.stream(messages, max_tokens, json_schema)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", nargs="*", default=["p01", "p02", "p03", "p05", "p09"])
    args = parser.parse_args()
    settings = load_settings()
    counting: list[Counting] = []

    def counted() -> Counting:
        counting.append(Counting(load_llm(settings)))
        return counting[-1]

    components = Components(settings, llm_factory=counted)
    assistant, reviewer = components.assistant, components.reviewer
    assistant.ask("What are the five themes of Somerset's Target Operating Model?", mode="llm")  # load the model
    started = time.perf_counter()
    assistant.ask("What does our TOM say about board meetings?", mode="llm")
    baseline = (time.perf_counter() - started) * 1000

    cases = {c.id: c for c in load_proposals(SETS_DIR / "tom-proposals.jsonl")}
    rows = []
    for pid in args.proposals:
        case = cases[pid]
        marks: list[float] = []
        calls_before = counting[0].calls
        started = time.perf_counter()
        review = reviewer.review(case.proposal, case.framework, on_criterion=lambda _c: marks.append(time.perf_counter()))
        total = (time.perf_counter() - started) * 1000
        rows.append({"proposal": pid, "criteria": len(review.criteria), "model_calls": counting[0].calls - calls_before,
                     "first_criterion_ms": round((marks[0] - started) * 1000), "total_ms": round(total),
                     "total_vs_one_answer": round(total / baseline, 2)})
    result = {"one_llm_answer_ms": round(baseline), "reviews": rows,
              "total_p50_ms": round(statistics.median(r["total_ms"] for r in rows)),
              "first_criterion_p50_ms": round(statistics.median(r["first_criterion_ms"] for r in rows)),
              "targets": {"total_p50_ms": 30000, "first_criterion_p50_ms": 5000}}
    write_result("review", result)


if __name__ == "__main__":
    main()
