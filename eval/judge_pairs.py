"""Scoring the review's one small question alone: does this action move towards this criterion, against it, or neither?

A proposals set scores whole reviews, where a wrong answer can hide behind another action. A judge-pairs
set (`eval/sets/tom-judge-pairs.jsonl`, written blind from the framework files) holds single action and
criterion pairs with the expected effect and a kind (`direct`, `other-criterion`, `mixed-surface`,
`trade-off`). Each pair is scored twice: as the review asks it (only a concrete action, and only where
the matcher finds it about this criterion, goes to the model; otherwise the answer is "neither") and by
the model alone, so a change to either step shows where it helped.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.frameworks import load_frameworks
from assistant.review import Reviewer
from assistant.review_judge import judge
from assistant.review_vague import is_action
from eval.dataset import SetError, _records, _resolve, first_record

LABELS = {"helps": "towards", "hinders": "against", "neither": "neither"}  # the judge's effects, in the set's words


class JudgePair(BaseModel):
    id: str = Field(min_length=1)
    split: Literal["dev", "test"]
    framework: str = Field(min_length=1)
    criterion: str = Field(min_length=1)
    action: str = Field(min_length=1)
    expected: Literal["towards", "against", "neither"]
    kind: Literal["direct", "other-criterion", "mixed-surface", "trade-off"]
    note: str = ""
    group: str = ""  # pairs sharing an action text share a group, and a group sits in one split


def load_pairs(path: str | Path) -> list[JudgePair]:
    """Read and validate a judge-pairs set (unique ids; a group never spans both splits)."""
    path = _resolve(path, "judge-pairs set")
    pairs: list[JudgePair] = []
    ids: set[str] = set()
    splits: dict[str, str] = {}
    for number, pair in _records(path, JudgePair):
        if pair.id in ids:
            raise SetError(f"{path.name}, line {number}, field 'id': duplicate id '{pair.id}'")
        if pair.group and splits.setdefault(pair.group, pair.split) != pair.split:
            raise SetError(f"{path.name}, line {number}, field 'split': group '{pair.group}' is in both splits")
        ids.add(pair.id)
        pairs.append(pair)
    if not pairs:
        raise SetError(f"{path.name}: the set is empty")
    return pairs


def is_judge_pairs_set(path: str | Path) -> bool:
    """A judge-pairs set has `action` and `criterion` fields on its first line."""
    return {"action", "criterion"} <= first_record(path).keys()


def run_pairs(set_path: str | Path, reviewer: Reviewer, out_dir: Path, split: str | None = None,
              progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:
    """Judge every pair (of `split` when given) as the review does and alone; write pair-results.jsonl and
    pair-summary.json, and return the summary."""
    pairs = [p for p in load_pairs(set_path) if split is None or p.split == split]
    settings, llm = reviewer.settings, reviewer.models.get()
    frameworks = load_frameworks(settings)  # read once, not per pair
    records = []
    for position, pair in enumerate(pairs, start=1):
        if progress:
            progress(position, len(pairs), pair.id)
        framework = frameworks.get(pair.framework)
        index = next((i for i, c in enumerate(framework.criteria) if c.name == pair.criterion), None) if framework else None
        if index is None:
            raise SetError(f"{pair.id}: no criterion '{pair.criterion}' in framework '{pair.framework}'"
                           f" (frameworks: {', '.join(frameworks)})")
        alone = LABELS[judge(llm, framework.criteria[index], [pair.action])[0]]
        asked = is_action(pair.action) and bool(reviewer.aims.match(framework, [pair.action]).candidates(
            index, 1, settings.review_min_relevance, settings.review_focus_margin))
        records.append(pair.model_dump() | {"alone": alone, "review": alone if asked else "neither", "asked": asked})
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "pair-results.jsonl").open("w", encoding="utf-8") as sink:
        sink.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    summary = {"pairs": len(records), "split": split, "as_the_review_asks": summarise(records, "review"),
               "judge_alone": summarise(records, "alone")}
    (out_dir / "pair-summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def summarise(records: list[dict[str, Any]], answer: str) -> dict[str, Any]:
    """Accuracy overall and per kind, and the three ways to be wrong: direction, a missed effect, an invented one."""
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong: Counter[str] = Counter()
    for record in records:
        got, expected = record[answer], record["expected"]
        by_kind[record["kind"]][0] += got == expected
        by_kind[record["kind"]][1] += 1
        if got != expected:
            wrong["invented" if expected == "neither" else "missed" if got == "neither" else "wrong_direction"] += 1
    right = sum(r[answer] == r["expected"] for r in records)
    return {"accuracy": round(right / len(records), 3) if records else 0.0,
            "by_kind": {kind: f"{ok}/{n}" for kind, (ok, n) in sorted(by_kind.items())},
            "wrong": {key: wrong[key] for key in ("wrong_direction", "missed", "invented")}}
