"""The model-free check that the focused prompt keeps the key facts."""

from __future__ import annotations

from eval.context_facts import measure, present
from eval.dataset import SETS_DIR, Selection


def test_a_fact_is_found_by_any_of_its_alternatives():
    assert present("£40M | 40 million", "a saving of 40 million pounds")
    assert not present("£40M", "a saving of £4M")


def test_the_focused_prompt_keeps_the_project_set_s_key_facts(corpus):
    """The facts the whole passages hold for the project's questions, nearly all still in what the model reads."""
    result = measure(corpus, str(SETS_DIR / "tom-questions.jsonl"), Selection(), 2000)
    assert result["facts_in_passages"] > 40
    assert result["kept_share"] >= 0.93, result["lost"]
    assert result["chars_p50"]["focused"] < 0.85 * result["chars_p50"]["whole"]
