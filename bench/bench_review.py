"""Review speed on the default model: time to the first criterion and to the end, per proposal.

Targets (issue 12): a five-criterion review p50 <= 30 s on 2 cores, first criterion streamed <= 5 s.
Baseline in the same process: one grounded llm-mode answer, so the review's time is also a ratio to
answering a question. Each review counts its model calls; what the model has to read per call is
kept short (llama.cpp reuses the longest common prefix, so only new tokens cost). With `--compare`,
each proposal is reviewed three ways, in turn order rotating per proposal, and the verdicts compared:
the judgements written as JSON under a grammar (before `llm.choose`), read in one pass without kept
prefixes, and in one pass with them (the default). Writes bench/results/review.json.

    .venv/bin/python bench/bench_review.py [--proposals p01 p02 p03 p05 p09] [--compare]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Iterator, Sequence

import ingest  # noqa: F401  (offline first)
from common import write_result
from assistant.components import Components
from assistant.llama_choice import KeptPrefixes
from assistant.llm import LLM, choose, load_llm
from eval.dataset import SETS_DIR, load_proposals
from ingest.settings import load_settings


class Counting:
    """The real model, counting its calls (to see how few, short calls a review makes)."""

    def __init__(self, llm: LLM) -> None:
        self.llm, self.name, self.calls = llm, llm.name, 0
        self.way = WAYS[-1]
        self.kept: KeptPrefixes | None = None  # the default's kept prefixes, kept across its reviews

    def stream(self, messages, max_tokens: int, json_schema: dict | None = None) -> Iterator[str]:
        self.calls += 1
        yield from self.llm.stream(messages, max_tokens, json_schema)

    def choose(self, messages, field: str, options: Sequence[str]) -> str | None:
        self.calls += 1
        if self.way == "written":  # hide the backend's `choose`: the reply is written under a schema
            return choose(Written(self.llm), messages, field, options)
        chooser = self.llm._chooser
        self.kept = self.kept or chooser.prefixes
        chooser.prefixes = KeptPrefixes(chooser.llama, 0) if self.way == "one pass" else self.kept
        return choose(self.llm, messages, field, options)


WAYS = ("written", "one pass", "one pass, kept prefixes")


class Written:
    """The model with only `stream`: a choice is written as JSON under a grammar."""

    def __init__(self, llm: LLM) -> None:
        self.llm, self.name = llm, llm.name

    def stream(self, messages, max_tokens: int, json_schema: dict | None = None) -> Iterator[str]:
        yield from self.llm.stream(messages, max_tokens, json_schema)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--proposals", nargs="*", default=["p01", "p02", "p03", "p05", "p09"])
    parser.add_argument("--compare", action="store_true", help="also review with the judgements written as JSON")
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

    def review_once(case, way: str) -> dict:
        counting[0].way = way
        marks: list[float] = []
        calls_before = counting[0].calls
        started = time.perf_counter()
        review = reviewer.review(case.proposal, case.framework, on_criterion=lambda _c: marks.append(time.perf_counter()))
        total = (time.perf_counter() - started) * 1000
        return {"proposal": case.id, "criteria": len(review.criteria), "model_calls": counting[0].calls - calls_before,
                "first_criterion_ms": round((marks[0] - started) * 1000), "total_ms": round(total),
                "total_vs_one_answer": round(total / baseline, 2), "verdicts": [c.verdict for c in review.criteria]}

    cases = {c.id: c for c in load_proposals(SETS_DIR / "tom-proposals.jsonl")}
    ways = list(WAYS) if args.compare else [WAYS[-1]]
    rows: dict[str, list[dict]] = {way: [] for way in ways}
    for n, pid in enumerate(args.proposals):
        for way in ways[n % len(ways):] + ways[:n % len(ways)]:
            rows[way].append(review_once(cases[pid], way))
    default = rows[WAYS[-1]]
    result = {"one_llm_answer_ms": round(baseline), "reviews": default, **_p50s(default),
              "targets": {"total_p50_ms": 30000, "first_criterion_p50_ms": 5000}}
    if args.compare:
        result["ways"] = {way: {**_p50s(rows[way]), "total_ratio_to_written": round(
                              _p50s(rows[way])["total_p50_ms"] / _p50s(rows["written"])["total_p50_ms"], 2),
                              "same_verdicts_as_written": sum(a["verdicts"] == b["verdicts"]
                                                              for a, b in zip(rows[way], rows["written"])),
                              "reviews": rows[way]} for way in ways}
    write_result("review", result)


def _p50s(rows: list[dict]) -> dict:
    return {"total_p50_ms": round(statistics.median(r["total_ms"] for r in rows)),
            "first_criterion_p50_ms": round(statistics.median(r["first_criterion_ms"] for r in rows))}


if __name__ == "__main__":
    main()
