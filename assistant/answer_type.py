"""Does a reply answer the question asked? The kind of thing a question asks for, and whether a reply has one.

Grounding proves each kept sentence is supported; it does not prove the sentences answer the
question. "On what date did the committee meet?" answered with a supported sentence about the
committee that holds no date is not an answer, and saying so is better than showing it. Only
kinds that can be recognised in any text are checked, and only when the question opens with its
question word: a calendar date, a time (when, how often), a quantity, a person or body (who), and
a name ("what is the name of": a capitalised name, not a role); and when a yes/no question turns on a
period or a figure, the reply must say one.
What the question itself names does not count as the answer ("Who is the lead member?" is not
answered by a sentence that only says "lead").
"""

from __future__ import annotations

import re

from assistant.periods import periods
from ingest.text import numbers_in, spelled_numbers, strip_markers

_OPEN = r"^\W*((and|so|but|then|also|ok|okay)\W+)?"  # the question word opens the question
_MONTH = (r"january|february|march|april|may|june|july|august|september|october|november|december"
          r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec")
CALENDAR_QUESTION_RE = re.compile(_OPEN + r"((on|in|by|from|until) )?(what|which) (date|day|year|month)\b", re.I)
TIME_QUESTION_RE = re.compile(_OPEN + r"(when|how often|since when|until when|how soon)\b", re.I)
QUANTITY_QUESTION_RE = re.compile(_OPEN + r"(how (many|much|long|big|large)|(what|which) (percentage|proportion|share|fraction"
                                  r"|number|amount|score|figure|total|sum)\b|what (is|was|were|are) the (cost|budget|total"
                                  r"|number|amount|percentage|proportion|score|saving|savings)\b)", re.I)
WHO_QUESTION_RE = re.compile(_OPEN + r"(who|whom|by whom|to whom)\b", re.I)
YESNO_QUESTION_RE = re.compile(_OPEN + r"(is|are|was|were|do|does|did|will|would|can|could|has|have|had|should|shall|must|may)"
                               r"(n't)?\b", re.I)
YEAR_RE = re.compile(r"^(19|20)\d\d$")
NAME_QUESTION_RE = re.compile(_OPEN + r"(what|which)('s|\s+(is|was|are|were))\s+the\s+(full\s+)?names?\s+of\b", re.I)

CALENDAR_RE = re.compile(rf"\b((19|20)\d\d|{_MONTH}|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
                         r"|\d{1,2}/\d{1,2}/\d{2,4})\b", re.I)
TIME_RE = re.compile(rf"\b((19|20)\d\d|{_MONTH}|spring|summer|autumn|winter|quarter|q[1-4]|years?|months?|weeks?|days?"
                     r"|annual(ly)?|biennial(ly)?|yearly|monthly|weekly|daily|fortnightly|regularly|every|each|phase|stage"
                     r"|until|after|before|following|once|during|since|within|now|currently|already|soon|future"
                     r"|\d{1,2}/\d{1,2}/\d{2,4})\b", re.I)
# Who a "who" question can be answered with: a title, a role or a body that acts (not "the council" or "people"),
# or a table's responsibility column
ROLE_RE = re.compile(r"\b(cllr|councillors?|mr|mrs|ms|miss|dr|professor|members?|cabinet|leaders?|mayor|chief|directors?"
                     r"|directorates?|officers?|executives?|heads?|managers?|leads?|chair(man|woman|person)?|boards?"
                     r"|committees?|commission|panels?|teams?|staff|partners?|government|minister|secretary|groups?"
                     r"|departments?|units?|owners?|sponsors?|champions?|networks?|forums?|consultants?|authors?"
                     r"|responsib(?:le|ility|ilities)|workstreams?)\b", re.I)
NAME_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+\b")  # two or more capitalised words: a person or body
DOMAIN_WORDS = frozenset({"target", "operating", "model"})  # the name of what every document here is about


def asked_kind(question: str) -> str | None:
    """'calendar', 'time', 'quantity', 'who' or 'name' when the question opens asking for one, or is a yes/no
    question that turns on a period or a figure; None otherwise."""
    for kind, pattern in (("calendar", CALENDAR_QUESTION_RE), ("quantity", QUANTITY_QUESTION_RE),
                          ("time", TIME_QUESTION_RE), ("who", WHO_QUESTION_RE), ("name", NAME_QUESTION_RE)):
        if pattern.search(question):
            return kind
    return _yes_no_kind(question) if yes_no(question) else None


def yes_no(question: str) -> bool:
    """Does the question ask whether something holds ("Does…", "Will…", "Is…")?"""
    return bool(YESNO_QUESTION_RE.search(question))


def _yes_no_kind(question: str) -> str | None:
    """"Is it reviewed every two years?" is settled only by a reply that says how often; "Is the aim 80%?" only by one
    with a figure. A year is left out: in "Was the 2021 draft approved?" it names the document."""
    if periods(question):
        return "time"
    if any(not YEAR_RE.match(n) for n in numbers_in(question)):
        return "quantity"
    return None


def has_kind(kind: str | None, reply: str, question: str = "") -> bool:
    """Whether `reply` holds something of the kind asked for, beyond what the question names."""
    reply = strip_markers(reply)
    if kind == "calendar":
        return bool(CALENDAR_RE.search(reply))
    if kind == "quantity":
        return bool(numbers_in(reply) or spelled_numbers(reply))
    if kind == "time":
        return bool(TIME_RE.search(reply) or numbers_in(reply))
    asked = {w.lower() for w in re.findall(r"\w+", question)}
    names = [_words_of(m.group(0)) for m in NAME_RE.finditer(reply)]
    if kind == "name":  # a name with a word of its own ("the Better Places Board" for "the name of the board")
        return any(words - asked - DOMAIN_WORDS for words in names)
    if kind == "who":
        roles = {m.group(0).lower() for m in ROLE_RE.finditer(reply)} - asked
        return bool(roles or any(not words & (asked | DOMAIN_WORDS) for words in names))
    return True


def _words_of(name: str) -> set[str]:
    """A capitalised name's words, lower-cased ("Better Places Board" -> better, places, board)."""
    return {w.lower() for w in re.split(r"[ -]", name)}


def answers(question: str, reply: str) -> bool:
    """False when the question asks for a date, time, quantity, person or name and the reply has none."""
    return has_kind(asked_kind(question), reply, question)
