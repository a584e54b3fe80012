"""Whether a reply answers the kind of thing the question asks for (made-up examples, not from the sets)."""

from __future__ import annotations

import pytest

from assistant.answer_type import answers, asked_kind


@pytest.mark.parametrize("question, kind", [
    ("On what date did the audit committee meet?", "calendar"),
    ("Which year was the strategy adopted?", "calendar"),
    ("When will the new depot open?", "time"),
    ("And how often is the plan refreshed?", "time"),
    ("How many localities are there?", "quantity"),
    ("What is the total budget for the programme?", "quantity"),
    ("What percentage of calls are resolved first time?", "quantity"),
    ("Who chairs the transformation board?", "who"),
    ("By whom was the report written?", "who"),
    ("What is the name of the depot's site manager?", "name"),
    ("And what's the name of the new partnership?", "name"),
    ("What does the plan say about libraries?", None),
    ("How did the team keep going when meetings were cancelled?", None),  # "when" inside a clause asks for no time
    ("Is there anyone who leads on data?", None),
    ("Is the depot inspected every two years?", "time"),  # a yes/no question that turns on a period
    ("Does the plan aim to move 60% of calls online?", "quantity"),  # ... or on a figure
    ("Was the 2022 strategy adopted by the cabinet?", None),  # a year that names the document
    ("Does the plan mention libraries?", None),
])
def test_the_kind_a_question_asks_for(question: str, kind: str | None) -> None:
    assert asked_kind(question) == kind


@pytest.mark.parametrize("question, reply, ok", [
    ("On what date did the audit committee meet?", "The audit committee met to consider the plan [1].", False),
    ("On what date did the audit committee meet?", "The audit committee met on 4 March 2025 [1].", True),
    ("When will the new depot open?", "The depot is part of the estates review [1].", False),
    ("When will the new depot open?", "The depot opens in the second phase of the programme [1].", True),
    ("How often is the plan refreshed?", "The plan is refreshed annually [2].", True),
    ("How many localities are there?", "Services are organised around localities [1].", False),
    ("How many localities are there?", "There are seven localities [1].", True),
    ("What is the total budget for the programme?", "The programme budget is £4.2m [1].", True),
    ("Who chairs the transformation board?", "The transformation board meets monthly [1].", False),
    ("Who chairs the transformation board?", "The board is chaired by the Chief Executive [1].", True),
    ("Who wrote the report?", "Jane Doe and Sam Smith wrote the report [1].", True),
    ("Who is the lead member for finance?", "Finance will lead the savings work [1].", False),
    ("What is the name of the partnership board?", "The partnership board meets quarterly [1].", False),
    ("What is the name of the partnership board?", "The board is led by the director [1].", False),  # a role is no name
    ("What is the name of the partnership board?", "It is called the Better Places Board [1].", True),
    ("Who is the Section 151 officer?", "The Target Operating Model sets out the change [1].", False),
    ("Who owns action 3?", "Action: 3. Prioritise our activity | Responsibility/workstream: Service model [1]", True),
    ("What does the plan say about libraries?", "Libraries become community hubs [1].", True),
])
def test_a_reply_answers_the_kind_asked(question: str, reply: str, ok: bool) -> None:
    assert answers(question, reply) is ok


def test_a_citation_marker_is_not_a_quantity() -> None:
    assert not answers("How many hubs will there be?", "Hubs will serve each area [1] [2].")


def test_a_yes_no_question_on_a_period_is_not_settled_by_a_reply_without_one() -> None:
    question = "Is the depot inspected every two years?"
    assert not answers(question, "Leaders can review the depot without a formal meeting [1].")
    assert answers(question, "The depot is inspected annually [1].")
