"""Metric functions on hand-made results: a right answer, a refusal, an invalid citation, a follow-up pair."""

from __future__ import annotations

from eval.metrics import aggregate, aggregate_by_type, citation_problems, citation_support, gate, key_facts, score

CHUNK = "Boards and meetings will be as succinct as possible and have a clear purpose and remit."


def result(**overrides) -> dict:
    base = {
        "id": "q1", "type": "fact", "sources": ["somerset.txt"], "must_include": ["succinct", "clear purpose | remit"],
        "answer": "Boards will be as succinct as possible and have a clear purpose [1].", "refused": False,
        "citations": [{"n": 1, "chunk_id": "somerset.txt#0001", "document": "somerset.txt", "quote": CHUNK}],
        "retrieved": [{"document": "other.txt"}, {"document": "somerset.txt"}],
        "chunk_texts": {"somerset.txt#0001": CHUNK}, "latency_ms": 100,
    }
    return base | overrides


def test_key_facts_alternatives_and_case() -> None:
    assert key_facts("A Clear PURPOSE.", [["succinct"], ["clear purpose", "remit"]]) == (0.5, False)
    assert key_facts("succinct, remit", [["succinct"], ["clear purpose", "remit"]]) == (1.0, True)


def test_a_right_answer_scores_fully() -> None:
    s = score(result())
    assert s["key_fact_recall"] == 1.0 and s["all_facts"] is True
    assert s["citation_valid"] and s["citation_support"] == 1.0
    assert s["retrieved_rank"] == 2 and s["retrieved_rr"] == 0.5
    assert not s["retrieved_hit@1"] and s["retrieved_hit@2"]
    assert s["cited_rank"] == 1 and s["refusal_correct"] and s["false_refusal"] is False


def test_a_refusal_on_an_answerable_question_is_a_false_refusal() -> None:
    s = score(result(answer="I could not find the answer.", refused=True, citations=[]))
    assert s["false_refusal"] is True and s["refusal_correct"] is False
    assert s["key_fact_recall"] == 0.0 and s["citation_support"] is None


def test_a_refusal_on_a_negative_question_is_right() -> None:
    s = score(result(type="negative", sources=[], must_include=[], answer="I could not find it.", refused=True, citations=[]))
    assert s["refusal_correct"] is True and s["false_refusal"] is None and s["key_fact_recall"] is None
    answered = score(result(type="negative", sources=[], must_include=[]))
    assert answered["refusal_correct"] is False


def test_invalid_citations_are_caught() -> None:
    citations = [{"n": 1, "chunk_id": "somerset.txt#0001", "document": "somerset.txt", "quote": "not in the chunk"},
                 {"n": 2, "chunk_id": "gone.txt#0009", "document": "gone.txt", "quote": "x"}]
    problems = citation_problems("Claim [1]. Other [2]. Third [3].", citations, {"somerset.txt#0001": CHUNK})
    assert any("[3] has no citation" in p for p in problems)
    assert any("quote is not verbatim" in p for p in problems)
    assert any("gone.txt#0009 is not in the store" in p for p in problems)
    assert not score(result(citations=citations))["citation_valid"]


def test_citation_support_counts_sentences_with_a_resolving_marker() -> None:
    citations = [{"n": 1, "chunk_id": "a#1", "document": "a", "quote": "q"}]
    assert citation_support("One [1]. Two without. Three [7].", citations, {"a#1": "q"}) == 1 / 3
    assert citation_support("- item [1]\n- item two", citations, {"a#1": "q"}) == 0.5


def test_aggregate_over_a_follow_up_pair_and_a_negative() -> None:
    first = score(result(id="f1", type="followup"))
    follow = score(result(id="f2", type="followup", answer="They will be short [1].", must_include=["succinct"]))
    negative = score(result(id="n1", type="negative", sources=[], must_include=[], refused=True, answer="no", citations=[]))
    summary = aggregate([first, follow, negative])
    assert summary["questions"] == 3 and summary["answerable"] == 2 and summary["negative"] == 1
    assert summary["key_fact_recall"] == 0.5 and summary["all_facts"] == 0.5
    assert summary["refusal_accuracy"] == 1.0 and summary["false_refusal_rate"] == 0.0
    by_type = aggregate_by_type([first, follow, negative])
    assert set(by_type) == {"followup", "negative"} and by_type["followup"]["questions"] == 2


def test_gate_reports_each_metric_out_of_bounds() -> None:
    summary = {"key_fact_recall": 0.7, "false_refusal_rate": 0.2, "citation_validity": 1.0}
    failures = gate(summary, {"min": {"key_fact_recall": 0.8, "citation_validity": 1.0, "missing": 0.1},
                              "max": {"false_refusal_rate": 0.05}})
    assert len(failures) == 3
    assert any("key_fact_recall" in f for f in failures) and any("false_refusal_rate" in f for f in failures)
    assert gate(summary, {"min": {"citation_validity": 1.0}}) == []
