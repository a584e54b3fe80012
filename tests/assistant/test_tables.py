"""Table questions: the row the question picks, each cell under its own header; and over the real corpus, a row
named by number found even when retrieval ranked another part of the table first."""

import pytest

from assistant import tables
from assistant.retrieval import Hit
from tests.conftest import assert_citations_resolve

HEADER = "Area | Action | Owner | Design (by end) | Implement (from)"
ROWS = [
    "Customers | 4. Build a single front door for enquiries | Digital team | Q2 | Q3",
    "Customers | 5. Close the walk-in counter at the depot | Facilities |  | Q4",
    "Estates | 6. Dispose of the annex building | Property board | Q1 | Q2",
    "Estates | 7. Review the annex lease | Property board | Q1 | Q2",
]
NOTHING_SET_ASIDE: frozenset[str] = frozenset()


def hit(text: str, document: str = "plan.txt", council: str = "Anytown") -> Hit:
    return Hit(chunk_id=f"{document}#0001", document=document, title="Plan", council=council, kind="plan",
               section="Actions", page=None, text=text, score=1.0)


def table(*rows: str, **where: str) -> Hit:
    return hit("\n".join([HEADER, *rows]), **where)


def test_rows_keep_their_cells_in_their_columns() -> None:
    found = tables.rows([hit("A paragraph with no cells."), table(*ROWS)])
    assert [row.item for row in found] == ["4", "5", "6", "7"] and {row.passage for row in found} == {2}
    # the empty design cell is left out, and the implement date stays under its own header
    assert found[1].render() == ("Area: Customers | Action: 5. Close the walk-in counter at the depot | Owner: Facilities"
                                 " | Implement (from): Q4 [2]")


@pytest.mark.parametrize("question, items", [
    ("Who owns action 5 and when does it start?", ["5"]),
    ("What is the difference between actions 4 and 7?", ["4", "7"]),
    ("What does the annex building row say about disposal?", ["6"]),  # by its words, once column words are aside
])
def test_a_question_picks_its_rows_by_number_or_by_words(question: str, items: list[str]) -> None:
    picked = tables.picked_rows(question, tables.rows([table(*ROWS)]), NOTHING_SET_ASIDE)
    assert [row.item for row in picked] == items


@pytest.mark.parametrize("question", [
    "What are the Customers actions?",  # the words pick two rows equally and a third is as close: no single answer
    "What does the annex say?",  # one remaining word is too few to pick a row by
    "What share of 2024 spending is on the annex, 6.5% or 7%?",  # figures, years and decimals name no item
    "What are the 6 estates actions?",  # a count, not an item
    "Which actions are implemented from Q2(22)?",  # a year in brackets, not an item
])
def test_a_question_that_picks_no_clear_row_gets_no_table_answer(question: str) -> None:
    rows = tables.rows([table(*ROWS, "Customers | 8. Publish the single front door standards | Digital team | Q3 | Q4")])
    assert tables.picked_rows(question, rows, NOTHING_SET_ASIDE) == []


def test_a_prose_sentence_holding_the_words_as_well_answers_instead_of_a_row() -> None:
    rows = tables.rows([table(*ROWS)])
    question = "What does the plan say about disposing of the annex building?"
    assert [row.item for row in tables.picked_rows(question, rows, NOTHING_SET_ASIDE)] == ["6"]
    prose = ["We will dispose of the annex building once staff have moved."]
    assert tables.picked_rows(question, rows, NOTHING_SET_ASIDE, prose) == []


def test_a_row_that_leaves_the_asked_column_empty_says_nothing() -> None:
    context = [table(*ROWS)]
    assert tables.answer("When is action 5 designed?", context, NOTHING_SET_ASIDE, {1}) == ""  # silent, not another answer
    assert "Design (by end): Q2" in tables.answer("When is action 4 designed?", context, NOTHING_SET_ASIDE, {1})
    assert tables.answer("What does the plan say?", context, NOTHING_SET_ASIDE, {1}) is None  # no row: sentences answer


def test_only_passages_in_scope_answer() -> None:
    context = [table(*ROWS, document="other.txt", council="Othertown"), table(*ROWS)]
    answer = tables.answer("Who owns action 6?", context, NOTHING_SET_ASIDE, in_scope={2})
    assert answer.endswith("[2]") and "Property board" in answer
    assert tables.answer("Who owns action 6?", context, NOTHING_SET_ASIDE, in_scope=set()) is None


def test_a_row_named_by_number_is_answered_with_its_headers_from_the_real_table(assistant, retriever) -> None:
    """Action 11 sits in a chunk of the two councils' table that a search for these words does not rank first."""
    answer = assistant.ask("Who is responsible for action 11 in the two councils' programme, and when is it designed?",
                           mode="extractive")
    assert not answer.refused, answer.answer
    assert "Responsibility/workstream: Next level sharing/digital" in answer.answer
    assert "Design (by end): Q2" in answer.answer and "11. Procure and embed a single CRM system" in answer.answer
    assert_citations_resolve(answer, retriever)
