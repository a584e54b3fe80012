"""A question about a council the documents never mention is refused, not answered from another council's passage."""

from __future__ import annotations

import pytest

from assistant.scope import unknown_bodies

KNOWN = {"somerset", "merton", "board", "meet", "case", "studi"}  # stems some passage uses


def unknown(stems: set[str]) -> set[str]:
    return stems - KNOWN


@pytest.mark.parametrize("question, names", [
    ("What did Northshire Council's case study conclude?", ["Northshire Council"]),
    ("Does Eastmoor Borough hold board meetings?", ["Eastmoor"]),
    ("How does Somerset compare with Westdale's approach?", ["Westdale"]),
    ("What did Somerset Council's case study conclude?", []),
    ("What does Merton's report say about board meetings?", []),
    ("Today's question: what do boards do?", []),  # a capital that only starts the sentence
    ("What's the council's view on meetings?", []),
])
def test_bodies_the_documents_never_mention(question: str, names: list[str]) -> None:
    assert unknown_bodies(question, unknown) == names


def test_the_assistant_refuses_a_council_it_has_no_documents_for(assistant) -> None:
    answer = assistant.ask("What does Northshire Council's TOM say about board meetings?", mode="extractive")
    assert answer.refused and not answer.citations
    known = assistant.ask("What does Somerset Council's TOM say about board meetings?", mode="extractive")
    assert not known.refused
