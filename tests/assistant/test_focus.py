"""What the model reads: the lines that bear on the question, with the lines that make them readable."""

from __future__ import annotations

import pytest

from assistant.focus import Focus, render_sources, units_with_company
from assistant.grounding import Grounder
from assistant.retrieval import Hit


def hit(n: int, section: str, text: str) -> Hit:
    return Hit(chunk_id=f"doc:{n}", document="doc.md", title="Harbour Council Operating Model", council="Harbour",
               kind="tom", section=section, page=None, text=text, score=1.0)


LISTED = ["Our parking service will:", "- issue permits online", "- answer calls within a day", "- publish its costs",
          "3.2 The library service opens on Sundays."]


def test_a_lead_in_brings_its_list_and_stops_at_the_next_paragraph():
    assert units_with_company(LISTED, 0) == [0, 1, 2, 3]


def test_an_item_brings_its_lead_in_but_not_its_siblings():
    assert units_with_company(LISTED, 2) == [0, 2]


def test_a_table_row_brings_the_header_row():
    table = ["Fees for 2025:", "Service | Fee", "Garden waste | £60", "Bulky item | £25"]
    assert units_with_company(table, 3) == [0, 1, 3]


@pytest.fixture(scope="module")
def focus(embedder):
    grounder = Grounder(embedder, 0.45)
    return Focus(embedder, grounder.lines)


CONTEXT = [
    hit(1, "Parking", "Our parking service will:\n- issue permits online\n- answer calls within a day\n"
                      "The car parks were resurfaced in 2019. The contractor was chosen by tender. Lighting was renewed."),
    hit(2, "Libraries", "The library service opens on Sundays from 10am. Volunteers run the reading groups. "
                        "The mobile library visits eleven villages. Its van was bought second hand."),
    hit(3, "Waste", "Garden waste is collected every two weeks. Residents pay a yearly fee. The depot is in Eastbay."),
]


def test_the_best_lines_are_kept_within_the_budget_and_numbering_stays(focus):
    chosen = focus.choose("How will the parking service deal with permits?", CONTEXT, 220)
    assert "- issue permits online" in chosen[1] and "Our parking service will:" in chosen[1]
    assert sum(len(line) + 1 for lines in chosen.values() for line in lines) <= 220
    assert 3 not in chosen or "Garden waste is collected every two weeks." not in chosen[3]
    rendered = render_sources(CONTEXT, chosen)
    assert rendered.startswith("[1] Harbour Council Operating Model — Parking\n")
    for n in chosen:
        assert f"[{n}] " in rendered


def test_a_sentence_that_goes_on_from_a_chosen_one_comes_with_it(focus):
    chosen = focus.choose("How many villages does the mobile library visit?", CONTEXT, 220)
    assert "The mobile library visits eleven villages." in chosen[2]
    assert "Its van was bought second hand." in chosen[2]


def test_everything_is_kept_when_it_fits(embedder):
    focus = Focus(embedder, Grounder(embedder, 0.45).lines)
    chosen = focus.choose("How often is garden waste collected?", CONTEXT, 10_000)
    assert chosen == {n: Grounder(embedder, 0.45).lines(h)[0] for n, h in enumerate(CONTEXT, start=1)}
