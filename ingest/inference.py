"""A document's description (title, council, date, kind) read from its own text, for files that
have no manifest entry: what a new user drops into the corpus folder. Every value is a guess from
the first pages, so the fields guessed are recorded in `inferred` and shown by `tom documents`.

- council: the council named most often near the start ("London Borough of X", "X County
  Council", "X Council"), ignoring generic mentions ("the Council", "County Council" alone);
  failing that, a name used as an owner ("Merton's TOM process") and named again, as "X Council";
- date: the first month-and-year (or day-month-year) on the first pages, as YYYY-MM;
- kind: what the opening pages call the document (a scrutiny report, a case study, a
  consultation draft, a target operating model, a cabinet or committee report);
- title: a cover's "Subject:" line, else the first heading, else the first short line, else the file name.
"""

from __future__ import annotations

import re
from collections import Counter

OPENING = 6000  # characters read for the council, date and kind: the cover and first page
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
MONTH_RE = re.compile(r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?(" + "|".join(m[:3] for m in MONTHS) + r")[a-z]{0,6}\.?\s+((?:19|20)\d\d)\b", re.I)
NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")
NAME = r"[A-Z][a-z]+(?:[ -](?:upon-|on-)?[A-Z][a-z]+){0,2}"
COUNCIL_RE = re.compile(
    rf"\b(?:(?:London|Royal|Metropolitan) Borough of {NAME}|(?:City|County|Borough) of {NAME}(?= Council)"
    rf"|{NAME} (?:County |City |Borough |District |Metropolitan Borough )?Council)\b"
)
GENERIC_LEADS = {"The", "This", "Our", "Each", "Every", "Town", "Parish", "County", "City", "Borough", "District", "Full",
                 "Unitary", "Local", "A", "An", "Both", "Two", "All", "Any", "Which", "Your", "That", "Whole", "New"}
SUBJECT_RE = re.compile(r"^[ \t]*(?:Subject|Title|Report title)[ \t]*:[ \t]*(\S[^\n]{2,150})$", re.M | re.I)
POSSESSIVE_RE = re.compile(r"\b([A-Z][a-z]{3,})['\u2019]s\b")
GENERIC_OWNERS = {"Council", "Councils", "Committee", "Commission", "Cabinet", "Government", "Department", "Service",
                  "Services", "Organisation", "Authority", "People", "Team", "Today", "Year", "Model", "Leader"}
KINDS = [  # (what the opening says, the kind recorded), most specific first
    (re.compile(r"case study", re.I), "case study"),
    (re.compile(r"overview and scrutiny|scrutiny (?:committee|commission|panel)", re.I), "scrutiny report"),
    (re.compile(r"consultation (?:draft|document)|draft for consultation", re.I), "consultation draft"),
    (re.compile(r"report (?:to|of) (?:the )?cabinet|cabinet report|cabinet member", re.I), "cabinet report"),
    (re.compile(r"report to (?:the )?\w+ committee|committee report", re.I), "committee report"),
    (re.compile(r"target operating model", re.I), "target operating model"),
]


def infer_description(text: str, file_stem: str, first_heading: str | None) -> dict[str, str]:
    """Title, council, date and kind guessed from the text, with `inferred` naming what was guessed."""
    opening = text[:OPENING]
    found = {
        "title": _title(opening, first_heading) or file_stem.replace("-", " ").replace("_", " "),
        "council": _council(opening),
        "date": _date(opening),
        "kind": next((kind for pattern, kind in KINDS if pattern.search(opening)), ""),
    }
    described = {key: value for key, value in found.items() if value}
    return {"title": described["title"], "council": described.get("council", "unknown"),
            "kind": described.get("kind", "document"), "date": described.get("date", ""),
            "inferred": ",".join(described)}


def _title(opening: str, first_heading: str | None) -> str:
    subject = SUBJECT_RE.search(opening)  # a committee report's cover names its subject
    if subject:
        return subject.group(1).strip()
    if first_heading:
        return first_heading.strip()
    for line in opening.splitlines():
        words = line.split()
        if 1 <= len(words) <= 15 and re.search(r"[A-Za-z]{3}", line):
            return " ".join(words)
    return ""


def _council(opening: str) -> str:
    counts = Counter(match.group(0) for match in COUNCIL_RE.finditer(opening) if match.group(0).split()[0] not in GENERIC_LEADS)
    if not counts:  # "Merton's TOM process": a place that owns the document's subject, named twice or more
        owners = {m.group(1) for m in POSSESSIVE_RE.finditer(opening)} - GENERIC_LEADS - GENERIC_OWNERS
        mentions = Counter({owner: len(re.findall(rf"\b{owner}\b", opening)) for owner in owners})
        place, count = mentions.most_common(1)[0] if mentions else ("", 0)
        return f"{place} Council" if count >= 2 else ""
    name, count = counts.most_common(1)[0]
    return name if count >= 2 or opening.find(name) < 2000 else ""


def _date(opening: str) -> str:
    month = MONTH_RE.search(opening)
    numeric = NUMERIC_DATE_RE.search(opening)
    if month and (not numeric or month.start() < numeric.start()):
        number = [m[:3] for m in MONTHS].index(month.group(2).lower()[:3]) + 1
        return f"{month.group(3)}-{number:02d}"
    if numeric and 1 <= int(numeric.group(2)) <= 12:
        return f"{numeric.group(3)}-{int(numeric.group(2)):02d}"
    return ""
