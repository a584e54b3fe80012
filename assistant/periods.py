"""How often something happens, read from text: "biennially", "every two years" and "every other year"
are one period, so a claim and its passage can be compared on it ("refreshed every year" does not restate
"refreshed biennially"). Periods are kept in days; two are the same when they are within a tenth.

Only recurrence is read (an adverb, "every/each/per ...", "N times a ..."): a bare "a year" or "five-year"
is a duration or a horizon, not how often, and is left to the figure checks.
"""

from __future__ import annotations

import re

from ingest.text import NUMBER_WORDS

UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30.4, "quarter": 91.3, "year": 365.25}
ADVERBS = {
    "daily": 1, "weekly": 7, "fortnightly": 14, "monthly": 30.4, "bimonthly": 60.9, "quarterly": 91.3,
    "biannually": 182.6, "bi-annually": 182.6, "half-yearly": 182.6, "six-monthly": 182.6, "annually": 365.25,
    "annual": 365.25, "yearly": 365.25, "biennially": 730.5, "biennial": 730.5, "two-yearly": 730.5,
    "triennially": 1095.75, "triennial": 1095.75, "three-yearly": 1095.75,
}
COUNT = r"(\d+|" + "|".join(NUMBER_WORDS) + r"|other|second|third)"
UNIT = r"(day|week|fortnight|month|quarter|year)s?"
EVERY_RE = re.compile(rf"\b(?:every|each|per|once an?|once every)\s+(?:{COUNT}\s+)?{UNIT}\b|\bper annum\b")
TIMES_RE = re.compile(rf"\b(once|twice|{COUNT} times)\s+(?:a|an|per|each|every)\s+{UNIT}\b")
ADVERB_RE = re.compile(r"\b(" + "|".join(re.escape(a) for a in sorted(ADVERBS, key=len, reverse=True)) + r")\b")
ORDINALS = {"other": 2, "second": 2, "third": 3}
DENIED_RE = re.compile(r"\b(?:not|rather than|instead of)\s+$")
SAME = 0.1  # periods within a tenth of each other are one period


def periods(text: str) -> set[float]:
    """Every period (in days) that `text` says something recurs at; one it denies ("every two years, not
    every year") is not among them."""
    lowered = text.lower()
    found = set()
    for pattern, days in ((ADVERB_RE, _adverb), (EVERY_RE, _every), (TIMES_RE, _times)):
        found |= {days(m) for m in pattern.finditer(lowered) if not DENIED_RE.search(lowered[:m.start()])}
    return {round(p, 1) for p in found}


def _adverb(match: re.Match) -> float:
    return ADVERBS[match.group(1)]


def _every(match: re.Match) -> float:
    if match.group(0) == "per annum":
        return UNIT_DAYS["year"]
    return _count(match.group(1)) * UNIT_DAYS[match.group(2)]


def _times(match: re.Match) -> float:
    return UNIT_DAYS[match.group(3)] / ({"once": 1, "twice": 2}.get(match.group(1)) or _count(match.group(2)))


def without(text: str) -> str:
    """`text` with its recurrence phrases blanked: what is said to recur, not how often."""
    for pattern in (TIMES_RE, EVERY_RE, ADVERB_RE):
        text = pattern.sub(" ", text.lower())
    return text


def _count(word: str | None) -> float:
    if not word:
        return 1
    if word.isdigit():
        return max(int(word), 1)
    return ORDINALS.get(word) or max(int(NUMBER_WORDS[word]), 1)


def same_period(a: float, b: float) -> bool:
    return abs(a - b) <= SAME * max(a, b)


def unmatched(claim: str, passage: str) -> list[float]:
    """The claim's periods that the passage does not state."""
    held = periods(passage)
    return [p for p in sorted(periods(claim)) if not any(same_period(p, h) for h in held)]


def spoken(days: float) -> str:
    """A period as words, for a reason a person reads."""
    for name, unit in sorted(UNIT_DAYS.items(), key=lambda item: -item[1]):
        if days >= unit * (1 - SAME):
            count = round(days / unit)
            return f"every {name}" if count == 1 else f"every {count} {name}s"
    return f"every {days:g} days"
