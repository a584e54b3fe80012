"""Answer-quality metrics: pure functions over one result, then aggregation overall and per type.

A result is the dict the runner writes to results.jsonl: the question's fields plus the answer's
(`answer`, `citations`, `refused`, `retrieved`, `latency_ms`) and `chunk_texts`, the stored text of
every cited chunk, so validity is checked against the store and not against the answer itself.
Metrics that do not apply to a question (key facts of a negative question) are None and left
out of the means.
"""

from __future__ import annotations

import re
from collections import defaultdict
from statistics import mean
from typing import Any

import numpy as np

from ingest.text import alternatives, markers, sentences

HIT_KS = (1, 2, 3, 5, 10)


def _ranked_documents(documents: list[str]) -> list[str]:
    """Documents in the order they first appear."""
    seen: list[str] = []
    for document in documents:
        if document not in seen:
            seen.append(document)
    return seen


def first_rank(documents: list[str], expected: list[str]) -> int | None:
    """1-based position of the first passage from an expected document, or None."""
    for position, document in enumerate(documents, start=1):
        if document in expected:
            return position
    return None


def hit_at(documents: list[str], expected: list[str], k: int) -> bool:
    rank = first_rank(documents, expected)
    return rank is not None and rank <= k


def key_facts(answer: str, alternatives: list[list[str]]) -> tuple[float, bool]:
    """Share of key facts present (any one alternative counts, case-insensitive), and all present."""
    if not alternatives:
        return 1.0, True
    lowered = answer.lower()
    found = [any(alt.lower() in lowered for alt in group) for group in alternatives]
    return sum(found) / len(found), all(found)


def citation_problems(answer: str, citations: list[dict], chunk_texts: dict[str, str]) -> list[str]:
    """Everything wrong with the citations: unresolved markers, unknown chunks, quotes not verbatim."""
    problems: list[str] = []
    numbers = {c["n"] for c in citations}
    for marker in sorted(set(markers(answer))):
        if marker not in numbers:
            problems.append(f"marker [{marker}] has no citation")
    for citation in citations:
        text = chunk_texts.get(citation["chunk_id"])
        if text is None:
            problems.append(f"[{citation['n']}] {citation['chunk_id']} is not in the store")
        elif not citation.get("quote") or citation["quote"] not in text:
            problems.append(f"[{citation['n']}] quote is not verbatim in {citation['chunk_id']}")
        if f"[{citation['n']}]" not in answer:
            problems.append(f"[{citation['n']}] is listed but not used in the answer")
    return problems


def citation_support(answer: str, citations: list[dict], chunk_texts: dict[str, str]) -> float | None:
    """Share of answer lines/sentences carrying a marker whose citation resolves to a stored chunk."""
    valid = {c["n"] for c in citations if c["chunk_id"] in chunk_texts}
    pieces = [s for s in sentences(answer) if re.search(r"[A-Za-z]", s)]
    if not pieces:
        return None
    backed = [any(m in valid for m in markers(s)) for s in pieces]
    return sum(backed) / len(backed)


def score(result: dict[str, Any]) -> dict[str, Any]:
    """The per-question metrics of one result."""
    expected = result.get("sources") or []
    answerable = bool(expected)
    refused = bool(result["refused"])
    retrieved = [r["document"] for r in result.get("retrieved", [])]
    cited = _ranked_documents([c["document"] for c in sorted(result["citations"], key=lambda c: c["n"])])
    facts = [alternatives(fact) for fact in result.get("must_include", [])]
    recall, all_facts = key_facts("" if refused else result["answer"], facts) if answerable else (None, None)
    problems = citation_problems(result["answer"], result["citations"], result.get("chunk_texts", {}))
    metrics: dict[str, Any] = {
        "id": result["id"],
        "type": result["type"],
        "document": expected[0] if expected else "(negative)",
        "answerable": answerable,
        "refused": refused,
        "refusal_correct": (not refused) if answerable else refused,
        "false_refusal": refused if answerable else None,
        "key_fact_recall": recall,
        "all_facts": all_facts,
        "citations": len(result["citations"]),
        "citation_valid": not problems,
        "citation_problems": problems,
        "citation_support": None if refused else citation_support(result["answer"], result["citations"], result.get("chunk_texts", {})),
        "latency_ms": result["latency_ms"],
        "retrieved_rank": first_rank(retrieved, expected) if answerable else None,
        "cited_rank": first_rank(cited, expected) if answerable and not refused else None,
    }
    if answerable:
        for k in HIT_KS:
            metrics[f"retrieved_hit@{k}"] = hit_at(retrieved, expected, k)
        metrics["retrieved_rr"] = 1 / metrics["retrieved_rank"] if metrics["retrieved_rank"] else 0.0
        if not refused:
            metrics["cited_hit"] = metrics["cited_rank"] is not None
            metrics["cited_rr"] = 1 / metrics["cited_rank"] if metrics["cited_rank"] else 0.0
    return metrics


SUMMARY_KEYS = (
    "key_fact_recall", "all_facts", "refusal_accuracy", "false_refusal_rate", "citation_validity",
    "citation_support", "retrieved_hit@1", "retrieved_hit@5", "retrieved_mrr", "cited_hit", "cited_mrr",
)


def _mean(values: list[Any]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return round(mean(present), 4) if present else None


def aggregate(scores: list[dict[str, Any]]) -> dict[str, Any]:
    """Means of the per-question metrics over the questions they apply to, with latency percentiles."""
    answerable = [s for s in scores if s["answerable"]]
    negatives = [s for s in scores if not s["answerable"]]
    latencies = [s["latency_ms"] for s in scores]
    summary: dict[str, Any] = {
        "questions": len(scores),
        "answerable": len(answerable),
        "negative": len(negatives),
        "key_fact_recall": _mean([s["key_fact_recall"] for s in answerable]),
        "all_facts": _mean([s["all_facts"] for s in answerable]),
        "refusal_accuracy": _mean([s["refused"] for s in negatives]),
        "false_refusal_rate": _mean([s["false_refusal"] for s in answerable]),
        "citation_validity": _mean([s["citation_valid"] for s in scores]),
        "citation_support": _mean([s["citation_support"] for s in scores]),
        "retrieved_mrr": _mean([s.get("retrieved_rr") for s in answerable]),
        "cited_hit": _mean([s.get("cited_hit") for s in answerable]),
        "cited_mrr": _mean([s.get("cited_rr") for s in answerable]),
        "latency_p50_ms": int(np.percentile(latencies, 50)) if latencies else None,
        "latency_p95_ms": int(np.percentile(latencies, 95)) if latencies else None,
    }
    for k in HIT_KS:
        summary[f"retrieved_hit@{k}"] = _mean([s.get(f"retrieved_hit@{k}") for s in answerable])
    return summary


def aggregate_by(scores: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """The aggregate per value of `key` ("type", or "document": a question's main source)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in scores:
        groups[str(s.get(key))].append(s)
    return {value: aggregate(group) for value, group in sorted(groups.items())}


def aggregate_by_type(scores: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return aggregate_by(scores, "type")


def gate(summary: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """Failures against a thresholds table ({"min": {...}, "max": {...}}); an empty list passes."""
    failures: list[str] = []
    for metric, bound in (thresholds.get("min") or {}).items():
        value = summary.get(metric)
        if value is None or value < bound:
            failures.append(f"{metric} = {value} is below the minimum {bound}")
    for metric, bound in (thresholds.get("max") or {}).items():
        value = summary.get(metric)
        if value is None or value > bound:
            failures.append(f"{metric} = {value} is above the maximum {bound}")
    return failures
