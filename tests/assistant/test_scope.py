"""A question about a council the documents never mention is refused, not answered from another council's passage."""

from __future__ import annotations

import pytest

from assistant.scope import unknown_bodies, unknown_names

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


@pytest.mark.parametrize("question, names", [
    ("Will Somerset hold board meetings in Salesforce?", ["Salesforce"]),
    ("Does Merton use SharePoint for board meetings?", ["SharePoint"]),
    ("Does Somerset hold board meetings?", []),
    ("Northshire holds board meetings?", []),  # the first word only starts the sentence
    ("Does Somerset hold board meetings? Check both documents.", []),  # and so does the first of the next
    ("Do the CRM board meetings happen?", []),  # an acronym may be spelled out in the documents
])
def test_names_the_documents_never_use(question: str, names: list[str]) -> None:
    assert unknown_names(question, unknown) == names


@pytest.mark.parametrize("question", [
    "Will the councils use Salesforce as the single CRM system for case management?",  # a table row names the CRM
    "Is Merton aiming for 80% of transactional contact to go through digital self-service?",  # Somerset's figure
])
def test_a_yes_no_question_the_documents_cannot_settle_is_refused(assistant, question: str) -> None:
    """Before: the first was answered with the CRM row (which names no supplier), the second with Somerset's 80%."""
    answer = assistant.ask(question, mode="extractive")
    assert answer.refused and not answer.citations, answer.answer
