"""The judge-pairs set and its scoring: each pair judged as the review asks it (matcher first) and by the model alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.frameworks import load_frameworks
from assistant.llm import ModelSlot
from assistant.review import Reviewer
from eval.dataset import SETS_DIR, SetError
from eval.judge_pairs import is_judge_pairs_set, load_pairs, run_pairs, summarise

SET = SETS_DIR / "tom-judge-pairs.jsonl"
DIGITAL = "Data Driven and Digitally Enabled"


class Always:
    """A backend that writes one fixed judgement and counts the questions it was asked."""

    name = "always"

    def __init__(self, effect: str) -> None:
        self.effect, self.calls = effect, 0

    def stream(self, messages, max_tokens, json_schema=None) -> Iterator[str]:
        self.calls += 1
        yield json.dumps({"effect": self.effect})


def pair(pid: str, criterion: str, action: str, expected: str, kind: str = "direct", split: str = "test", group: str = "") -> dict:
    return {"id": pid, "split": split, "framework": "somerset-design-principles", "criterion": criterion,
            "action": action, "expected": expected, "kind": kind, "group": group}


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_the_shipped_set_names_real_criteria_and_keeps_its_splits_apart(corpus_settings) -> None:
    pairs = load_pairs(SET)
    assert is_judge_pairs_set(SET) and len(pairs) >= 200
    frameworks = load_frameworks(corpus_settings)
    for p in pairs:
        assert p.criterion in {c.name for c in frameworks[p.framework].criteria}, p.id
        assert p.expected == "neither" or p.kind != "other-criterion", p.id
    by_split = {s: {" ".join(p.action.lower().split()) for p in pairs if p.split == s} for s in ("dev", "test")}
    assert min(len(v) for v in by_split.values()) >= 50 and not by_split["dev"] & by_split["test"]


def test_a_duplicate_id_or_a_group_in_both_splits_is_refused(tmp_path) -> None:
    one = pair("a", DIGITAL, "The online form will be removed.", "against", group="G1")
    with pytest.raises(SetError, match="duplicate id"):
        load_pairs(write(tmp_path / "dup.jsonl", [one, one]))
    with pytest.raises(SetError, match="group 'G1' is in both splits"):
        load_pairs(write(tmp_path / "split.jsonl", [one, {**one, "id": "b", "split": "dev"}]))
    with pytest.raises(SetError, match="kind"):
        load_pairs(write(tmp_path / "kind.jsonl", [{**one, "kind": "other"}]))


def test_pairs_are_scored_as_the_review_asks_and_alone(corpus_settings, retriever, tmp_path) -> None:
    rows = [pair("p1", DIGITAL, "Residents will book bulky waste collections online and track them on the app.", "towards"),
            pair("p2", DIGITAL, "A new approval board will sign off every change to opening hours.", "neither", "other-criterion"),
            pair("p3", "Flexible and Agile", "A new approval board will sign off every change to opening hours.", "against")]
    model = Always("towards")
    reviewer = Reviewer(corpus_settings, retriever.store, retriever.embedder, ModelSlot(corpus_settings, lambda: model))
    summary = run_pairs(write(tmp_path / "pairs.jsonl", rows), reviewer, tmp_path / "run", split="test")
    records = {r["id"]: r for r in map(json.loads, (tmp_path / "run" / "pair-results.jsonl").read_text().splitlines())}
    assert model.calls == 3 and all(r["alone"] == "towards" for r in records.values())
    assert records["p1"]["asked"] and not records["p2"]["asked"]  # the board is about agility, not data
    for r in records.values():
        assert r["review"] == (r["alone"] if r["asked"] else "neither")
    assert summary["judge_alone"]["accuracy"] == round(1 / 3, 3)
    assert summary["as_the_review_asks"] == summarise(list(records.values()), "review")
    assert json.loads((tmp_path / "run" / "pair-summary.json").read_text()) == summary


def test_the_three_ways_to_be_wrong_are_counted_apart() -> None:
    records = [{"kind": "direct", "expected": "towards", "got": "against"},
               {"kind": "direct", "expected": "against", "got": "neither"},
               {"kind": "other-criterion", "expected": "neither", "got": "towards"},
               {"kind": "direct", "expected": "towards", "got": "towards"}]
    summary = summarise(records, "got")
    assert summary["wrong"] == {"wrong_direction": 1, "missed": 1, "invented": 1}
    assert summary["by_kind"] == {"direct": "1/3", "other-criterion": "0/1"} and summary["accuracy"] == 0.25
