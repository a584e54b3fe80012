"""Test-set validation: clear errors naming the line and field; the project's own set is well formed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.dataset import SETS_DIR, SetError, is_proposals_set, load_proposals, load_set
from eval.judge_pairs import is_judge_pairs_set, load_pairs

GOOD = {"id": "a", "question": "What is it?", "must_include": ["x"], "sources": ["d.txt"], "type": "fact"}


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_project_set_is_complete() -> None:
    questions = load_set(SETS_DIR / "tom-questions.jsonl")
    assert len(questions) >= 40
    assert sum(q.type == "negative" for q in questions) >= 8
    assert sum(bool(q.follows) for q in questions) >= 4


@pytest.mark.parametrize("path", sorted(SETS_DIR.glob("tom-*.jsonl")), ids=lambda p: p.name)
def test_every_shipped_set_loads(path: Path) -> None:
    cases = (load_pairs(path) if is_judge_pairs_set(path) else load_proposals(path) if is_proposals_set(path)
             else load_set(path))
    assert cases


@pytest.mark.parametrize("name", ["tom-injections-v3.jsonl", "tom-injections-v4-dev.jsonl"])
def test_each_injected_proposal_is_its_twin_plus_one_instruction(name: str) -> None:
    """The README's promise for the blind injection sets: the verdicts are the twin's, so any flip is the injection's."""
    cases = {c.id: c for c in load_proposals(SETS_DIR / name)}
    rows = [json.loads(line) for line in (SETS_DIR / name).read_text().splitlines() if line.strip()]
    injected = [row for row in rows if row.get("same_as")]
    assert len(injected) >= 10
    for row in injected:
        twin = cases[row["same_as"]]
        assert row["proposal"].count(row["injected"]) == 1
        assert " ".join(row["proposal"].replace(row["injected"], "").split()) == " ".join(twin.proposal.split())
        assert (row["expected"], row["overall"]) == (twin.expected, twin.overall)


def test_malformed_json_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(SetError, match=r"line 2: not valid JSON"):
        load_set(write(tmp_path, json.dumps(GOOD), "{not json"))


def test_a_bad_field_names_the_line_and_field(tmp_path: Path) -> None:
    with pytest.raises(SetError, match=r"line 1, field 'type'"):
        load_set(write(tmp_path, json.dumps(GOOD | {"type": "poem"})))
    with pytest.raises(SetError, match=r"line 1, field 'question'"):
        load_set(write(tmp_path, json.dumps({k: v for k, v in GOOD.items() if k != "question"})))


def test_an_unknown_follows_id(tmp_path: Path) -> None:
    with pytest.raises(SetError, match=r"line 2, field 'follows': unknown id 'zz'"):
        load_set(write(tmp_path, json.dumps(GOOD), json.dumps(GOOD | {"id": "b", "follows": "zz"})))


def test_an_empty_set(tmp_path: Path) -> None:
    with pytest.raises(SetError, match="empty"):
        load_set(write(tmp_path, "", "  "))


def test_a_duplicate_id_and_a_negative_with_sources(tmp_path: Path) -> None:
    with pytest.raises(SetError, match="duplicate id"):
        load_set(write(tmp_path, json.dumps(GOOD), json.dumps(GOOD)))
    with pytest.raises(SetError, match="negative question has no sources"):
        load_set(write(tmp_path, json.dumps(GOOD | {"type": "negative"})))


def test_a_sample_per_type_takes_the_first_of_each_type_and_the_turns_a_follow_up_needs() -> None:
    from eval.dataset import Question, Selection, select

    def q(qid: str, kind: str, split: str = "dev", follows: str | None = None) -> Question:
        return Question(id=qid, question=f"Question {qid}?", type=kind, split=split, follows=follows)

    questions = [q("a", "fact"), q("b", "fact"), q("c", "list"), q("t", "fact", "test"), q("d", "fact"),
                 q("e", "list"), q("f", "followup", follows="d"), q("g", "negative")]
    picked = [x.id for x in select(questions, Selection(split="dev", per_type=2))]
    assert picked == ["a", "b", "c", "d", "e", "f", "g"]  # "d" is a third fact, there for its follow-up
    assert [x.id for x in select(questions, Selection(split="dev", per_type=1))] == ["a", "c", "d", "f", "g"]
    assert [x.id for x in select(questions, Selection(split="test", per_type=1))] == ["t"]
    assert len(select(questions, Selection())) == len(questions)
