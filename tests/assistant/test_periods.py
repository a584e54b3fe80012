"""How often something recurs, read from text (assistant/periods.py)."""

from __future__ import annotations

import pytest

from assistant.periods import periods, same_period, spoken, unmatched, without


@pytest.mark.parametrize("text, days", [
    ("refreshed biennially", 730.5), ("once every two years", 730.5), ("every other year", 730.5),
    ("twice a year", 182.6), ("four times a year", 91.3), ("each quarter", 91.3), ("per annum", 365.2),
    ("the annual report", 365.2), ("weekly", 7), ("every 3 months", 91.3),
])
def test_one_period_however_it_is_written(text: str, days: float) -> None:
    assert any(same_period(p, days) for p in periods(text)), periods(text)


@pytest.mark.parametrize("text", ["a five-year horizon", "within a year", "each service", "a year ago", "per cent"])
def test_a_duration_or_a_horizon_is_not_a_period(text: str) -> None:
    assert periods(text) == set()


def test_a_denied_period_is_not_claimed() -> None:
    assert unmatched("refreshed every two years, not every year", "refreshed biennially") == []
    assert unmatched("refreshed every year", "refreshed biennially") == [365.2]


def test_period_words_are_blanked_and_spoken() -> None:
    assert "two" not in without("It is refreshed every two years.")
    assert spoken(730.5) == "every 2 years" and spoken(365.25) == "every year" and spoken(91.3) == "every quarter"
