"""Does a claim say the opposite of the passage it resembles? Word overlap and embedding
similarity cannot tell "reduce wage costs by £40M" from "increase wage costs by £40M"; these
checks can, each for one way a close paraphrase turns false:

- council: the claim names a council other than the passage's own;
- negation: the claim negates what the aligned sentences affirm, or the reverse;
- antonym: the claim uses a word whose opposite the aligned sentences use instead;
- period: the claim says something recurs at a period ("every year") the aligned sentences do not
  state, where they state another ("biennially") or the passage states none;
- figure: a number or date the claim gives is not in the aligned sentences, or sits there beside
  other words than in the claim (a figure in another figure's role: "70% stay" for "70% move, 30% stay");
- name: a quoted or capitalised name in the claim that the passage does not hold.

Who-does-what swaps ("A reports to B" for "B reports to A") pass these checks; word order and
same-sentence binding were tried and rejected: on the dev claims they dropped more faithful
paraphrases than they caught swaps.

No model ships offline that judges entailment, so each check is a rule over the claim and the
passage's aligned sentences: the ones that hold most of the claim's words. A check that fires
makes the passage unable to support the claim; another passage may still support it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import periods
from ingest.text import GENERIC_COUNCIL_WORDS, council_name_words, numbers_in, sentences, spelled_numbers, tokenize

NEGATORS = frozenset("not no never none nor neither without cannot nothing nobody".split())
NEGATION_RE = re.compile(r"\b(?:rather than|instead of|no longer|\w+n't|not|no|never|none|nor|neither|without|cannot|nothing|nobody)\b")
COMPARATOR_RE = re.compile(r"\b(?:no|not) (?:more|less|fewer|later|earlier|greater) than\b")
REPLY_RE = re.compile(r"^\s*(?:yes|no)\b[,.;:!]?", re.I)  # "No, ..." answers a question; it negates nothing after it
NEGATION_SCOPE = 1  # content words after a negator that it negates (auxiliaries skipped)
AUXILIARIES = frozenset("need needs have has had be been able must will shall should would could may might do does did "
                        "get got go going want wish".split())
# Pairs of opposite words (stemmed when compared): general English, not tuned to any document.
OPPOSITES = [
    ("increase", "reduce"), ("increase", "decrease"), ("increase", "cut"), ("increase", "lower"), ("rise", "fall"),
    ("more", "less"), ("more", "fewer"), ("most", "least"), ("larger", "smaller"), ("bigger", "smaller"),
    ("higher", "lower"), ("high", "low"), ("accelerate", "slow"), ("broaden", "narrow"), ("wide", "narrow"),
    ("expand", "shrink"), ("expand", "reduce"), ("grow", "shrink"), ("gain", "lose"), ("add", "remove"),
    ("encourage", "discourage"), ("promote", "discourage"), ("enable", "prevent"), ("allow", "prevent"),
    ("allow", "forbid"), ("include", "exclude"), ("accept", "reject"), ("approve", "reject"), ("start", "stop"),
    ("open", "close"), ("create", "abolish"), ("keep", "abolish"), ("retain", "abolish"), ("centralise", "devolve"),
    ("consolidate", "separate"), ("combine", "separate"), ("share", "withhold"), ("join", "split"),
    ("simple", "complex"), ("simplify", "complicate"), ("save", "cost"), ("saving", "cost"), ("before", "after"),
    ("first", "last"), ("early", "late"), ("strong", "weak"), ("success", "failure"), ("internal", "external"),
    ("online", "offline"), ("digital", "paper"), ("always", "never"), ("all", "none"), ("public", "private"),
    ("detailed", "high-level"), ("long", "short"), ("better", "worse"), ("improve", "worsen"), ("up", "down"),
    ("increase", "save"), ("must", "may"), ("required", "optional"), ("mandatory", "optional"), ("need", "optional"),
    ("all", "some"), ("always", "sometimes"), ("always", "rarely"), ("regularly", "rarely"), ("often", "rarely"),
    ("often", "seldom"), ("proactive", "reactive"), ("proactively", "reactively"),
]
DOCUMENT_WORDS = frozenset("tom toms target operating model models txt pdf docx md html report document".split())
FRACTIONS = {"half": "50", "quarter": "25"}
FRACTION_RE = re.compile(r"\b(a|one|two|three|four|nine)[ -](half|halves|third|thirds|quarter|quarters|fifth|fifths|tenth|tenths)\b")
FRACTION_PARTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "nine": 9, "half": 2, "halves": 2, "third": 3,
                  "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5, "tenth": 10, "tenths": 10}
MONTHS = "january february march april may june july august september october november december".split()
FIGURE_WINDOW = 4  # content words either side of a figure that say what it counts
CLAUSE_RE = re.compile(r"[,;:]|\b(?:and|with|while|whilst|but|whereas)\b")


@dataclass(frozen=True)
class Passage:
    """What the checks need of a passage: its text and whose it is."""

    text: str
    council: str = ""
    section: str = ""
    document: str = ""  # the document's title, date and file name: "the 2021 draft" names its own document


def contradiction(claim: str, passage: Passage, councils: frozenset[str] = frozenset()) -> str | None:
    """Why the passage cannot support the claim (a short reason), or None when no check fires."""
    aligned = _aligned(claim, passage.text)
    for check in (_council, _negation, _antonym, _period, _figure, _name):
        reason = check(claim, aligned, passage, councils)
        if reason:
            return reason
    return None


def _aligned(claim: str, text: str) -> str:
    """The passage sentences that hold most of the claim's words: the one sharing most, and the
    next best when the claim has words the first lacks."""
    wanted = set(tokenize(claim))
    scored = sorted(((len(wanted & set(tokenize(s))), i, s) for i, s in enumerate(sentences(text))), reverse=True)
    if not scored or scored[0][0] == 0:
        return text
    best = [scored[0]]
    missing = wanted - set(tokenize(scored[0][2]))
    for entry in scored[1:2]:
        if missing & set(tokenize(entry[2])):
            best.append(entry)
    return " ".join(s for _, _, s in sorted(best, key=lambda e: e[1]))


def _council(claim: str, aligned: str, passage: Passage, councils: frozenset[str]) -> str | None:
    """A council the claim names must be the passage's, or one the passage itself names."""
    words = set(re.findall(r"[a-z]+", claim.lower()))
    text = (passage.text + " " + passage.council).lower()
    own = set(re.findall(r"[a-z0-9]+", passage.document.lower())) - GENERIC_COUNCIL_WORDS - DOCUMENT_WORDS
    if own & set(re.findall(r"[a-z0-9]+", claim.lower())):
        return None  # the claim names the passage's own document too ("both Somerset's TOM and the 2021 draft")
    for council in councils:
        distinctive = council_name_words(council)
        if distinctive and distinctive <= words and council != passage.council and not all(w in text for w in distinctive):
            return f"names {council}, but the passage is {passage.council or 'another council'}'s"
    return None


def _polarity(text: str) -> tuple[set[str], set[str]]:
    """(words a negator governs, words said without one), stemmed; "no more than" is a comparison, not a negation."""
    text = COMPARATOR_RE.sub(" ", REPLY_RE.sub(" ", _plain(text)).lower())
    negated: set[str] = set()
    affirmed: set[str] = set()
    position = 0
    for match in NEGATION_RE.finditer(text):
        affirmed.update(tokenize(text[position:match.start()]))
        scope = [w for w in tokenize(text[match.end():match.end() + 80]) if w not in AUXILIARIES][:NEGATION_SCOPE]
        negated.update(scope)
        position = match.end() + len(" ".join(text[match.end():match.end() + 80].split()[:NEGATION_SCOPE + 2]))
    affirmed.update(tokenize(text[position:]))
    return negated, affirmed


def _plain(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def _negation(claim: str, aligned: str, passage: Passage, councils: frozenset[str]) -> str | None:
    """A word negated on one side and only ever affirmed on the other."""
    claim_negated, claim_affirmed = _polarity(claim)
    passage_negated, passage_affirmed = _polarity(aligned)
    for word in claim_negated & passage_affirmed - passage_negated:
        if word not in claim_affirmed:
            return f"negates '{word}', which the passage affirms"
    for word in passage_negated & claim_affirmed - claim_negated:
        if word not in passage_affirmed:
            return f"affirms '{word}', which the passage negates"
    return None


def _opposites() -> dict[str, set[str]]:
    table: dict[str, set[str]] = {}
    for a, b in OPPOSITES:
        for x, y in ((a, b), (b, a)):
            for sx in _stems(x):
                table.setdefault(sx, set()).update(_stems(y))
    return table


def _stems(word: str) -> list[str]:
    from ingest.text import stem

    return stem(word.replace("-", " ").split())


OPPOSITE_STEMS = _opposites()


def _words(text: str) -> set[str]:
    """Stemmed words, stop words included: "more" and "less" matter here."""
    from ingest.text import stem

    return set(stem(re.findall(r"[a-z]+", COMPARATOR_RE.sub(" ", _plain(text).lower()))))


def _antonym(claim: str, aligned: str, passage: Passage, councils: frozenset[str]) -> str | None:
    claim_words, passage_words = _words(claim), _words(aligned)
    for word in claim_words - passage_words:
        clash = OPPOSITE_STEMS.get(word, set()) & passage_words
        if clash:
            return f"says '{word}' where the passage says '{sorted(clash)[0]}'"
    return None


def _period(claim: str, aligned: str, passage: Passage, councils: frozenset[str]) -> str | None:
    """How often the claim says something happens must be how often the sentences it restates say it
    does; those are found without the period words, which would align "annually" with any annual thing."""
    if not periods.periods(claim):
        return None
    aligned = _aligned(periods.without(claim), passage.text)
    stated = periods.periods(aligned)
    for period in periods.unmatched(claim, aligned):
        if stated or periods.unmatched(claim, passage.text):
            said = f"'{periods.spoken(min(stated))}'" if stated else "no period"
            return f"says '{periods.spoken(period)}' where the passage says {said}"
    return None


def _figures(text: str) -> set[str]:
    """Numbers, spelled numbers, fractions and 'Month YYYY' dates, normalised."""
    lowered = periods.without(text)  # "every two years" says how often, it counts nothing
    found = {f"{round(100 * FRACTION_PARTS[a] / FRACTION_PARTS[b])}%" for a, b in FRACTION_RE.findall(lowered)}
    lowered = FRACTION_RE.sub(" ", lowered)
    spelled = spelled_numbers(re.sub(r"\bone\b", " ", lowered))  # "one of which" counts nothing
    found |= numbers_in(lowered) | spelled | {v for k, v in FRACTIONS.items() if re.search(rf"\b{k}\b", lowered)}
    found |= {f"{m} {y}" for m, y in re.findall(r"\b(" + "|".join(MONTHS) + r")\s+(\d{4})\b", lowered)}
    return found


def _figure(claim: str, aligned: str, passage: Passage, councils: frozenset[str]) -> str | None:
    claimed = _figures(claim)
    if not claimed:
        return None
    held = _figures(f"{passage.text} {passage.council} {passage.section} {re.sub(r'[-_]', ' ', passage.document)}")
    in_sentence = _figures(aligned)
    counted = spelled_numbers(claim) - numbers_in(claim)  # "the three values are:" counts a list the passage shows
    missing = {f for f in claimed if f not in held and (f not in counted or in_sentence)}
    if missing:
        return f"gives {sorted(missing)[0]}, which the passage does not"
    for figure in claimed & in_sentence:
        mine, theirs = _context(claim, figure), _context(aligned, figure)
        others = [_context(aligned, other) for other in in_sentence - {figure} if not _nested(other, figure)]
        if others and mine and max(len(mine & o) for o in others) > len(mine & theirs):
            return f"puts {figure} in another figure's place"
    return None


def _nested(a: str, b: str) -> bool:
    """One figure inside the other ("2018" in "july 2018")."""
    return a in b or b in a


def _context(text: str, figure: str) -> set[str]:
    """The content words near each place `figure` stands in `text`, within its own clause."""
    words: set[str] = set()
    for clause in CLAUSE_RE.split(text):
        tokens = re.findall(r"[£$€]?\d[\d,.%]*|[A-Za-z][A-Za-z'-]*", clause)
        for i, token in enumerate(tokens):
            pair = f"{tokens[i - 1]} {token}" if i else token
            if figure in _figures(token) or figure in _figures(pair) or (figure.isdigit() and token.lower() in _number_words(figure)):
                window = tokens[max(0, i - FIGURE_WINDOW):i] + tokens[i + 1:i + 1 + FIGURE_WINDOW]
                words.update(tokenize(" ".join(t for t in window if not _figures(t))))
    return words


def _number_words(figure: str) -> set[str]:
    from ingest.text import NUMBER_WORDS

    return {w for w, v in NUMBER_WORDS.items() if v == figure} | {w for w, v in FRACTIONS.items() if v == figure}


NAME_RE = re.compile(r"(?:^|(?<=\s))[\"'\u2018\u201c]([^\"'\u2019\u201d\n]{3,60})[\"'\u2019\u201d](?=[\s.,;:!?)]|$)"
                     r"|(?<=[a-z,;] )((?:[A-Z][a-z]+ ){1,4}[A-Z][a-z]+)")


def _name(claim: str, aligned: str, passage: Passage, councils: frozenset[str]) -> str | None:
    """A quoted phrase, or a run of capitalised words inside the sentence, must be in the passage."""
    haystack = set(tokenize(f"{passage.text} {passage.section} {passage.council} {passage.document}"))
    for match in NAME_RE.finditer(claim):
        name = match.group(1) or match.group(2)
        words = set(tokenize(name))
        if words and not words <= haystack:
            return f"names '{name}', which the passage does not"
    return None
