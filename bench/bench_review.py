"""Review speed on the default model: time to the first criterion and to the end, per proposal.

Baseline in the same process: one grounded llm-mode answer, so the review's time is also a
ratio to answering a question. Writes bench/results/review.json.

    .venv/bin/python bench/bench_review.py [--proposals p01 p02 p05]
"""

from __future__ import annotations

import argparse
import statistics
import time

import ingest  # noqa: F401  (offline first)
from common import write_result
from assistant.components import Components
from eval.dataset import SETS_DIR, load_proposals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", nargs="*", default=["p01", "p02", "p05"])
    args = parser.parse_args()
    components = Components()
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
        started = time.perf_counter()
        review = reviewer.review(case.proposal, case.framework, on_criterion=lambda _c: marks.append(time.perf_counter()))
        total = (time.perf_counter() - started) * 1000
        rows.append({"proposal": pid, "criteria": len(review.criteria),
                     "judged_by_model": sum(1 for c in review.criteria if c.reason != "The proposal says nothing that bears on this criterion."),
                     "first_criterion_ms": round((marks[0] - started) * 1000), "total_ms": round(total),
                     "total_vs_one_answer": round(total / baseline, 2)})
    result = {"one_llm_answer_ms": round(baseline), "reviews": rows,
              "total_p50_ms": round(statistics.median(r["total_ms"] for r in rows)),
              "first_criterion_p50_ms": round(statistics.median(r["first_criterion_ms"] for r in rows))}
    write_result("review", result)


if __name__ == "__main__":
    main()
