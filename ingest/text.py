"""The text rules every layer shares: sentences, list items, citation markers, words, numbers, ids.

Each rule has one definition here, so chunking, grounding, review and evaluation cut text the
same way. Every pattern is linear in its input: no nested or adjacent unbounded quantifiers
that can backtrack, so a hostile line of a megabyte costs milliseconds, not minutes.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A sentence ends at . ! or ? (with any closing quotes or brackets, and the citation markers written
# after it) followed by white space and something that can open a sentence. "1.6" and "e.g. the"
# do not end one; see `sentence_spans`.
_SENTENCE_END_RE = re.compile(
    r"(?<![.!?])[.!?]++[\"'\u201d\u2019)\]]{0,3}(?:[ \t]{0,3}\[\d{1,2}(?:[,;][ \t]?\d{1,2}){0,9}\])*+"
    r"(?=\s+[\"'\u201c\u2018(\[£$€#\u2022*-]?[A-Z0-9])"
)
ABBREVIATIONS = frozenset(
    "e.g i.e etc mr mrs ms dr cllr no nos st vs approx incl fig figs para paras ref refs dept cf al co ltd plc "
    "jan feb mar apr jun jul aug sep sept oct nov dec p pp vol ch sec".split()
)
# List items: bullets of every kind seen in extracted PDFs and Word files, "(ii)", "b)", and "3." / "3)"
BULLET_RE = re.compile(r"^\s*(?:[-*\u2022\u25cf\u25aa\u25e6\u2023\u2043\uf0b7\uf0a7\u2219\u00b7]|\(?[ivx]{1,4}\)|[a-h][.)])\s+")
NUMBERED_RE = re.compile(r"^\s*\d{1,2}[.)]\s+")
# An item number before its full stop: opening the line (after any bullet), or a cell's " | " or a label's ":"
_LINE_ITEM_RE = re.compile(r"\s*(?:[-*\u2022\u25cf\u25aa\u00b7]\s+)?\d{1,3}(?:\.\d{1,2}){0,2}")
_CELL_ITEM_RE = re.compile(r"[|:]\s{0,3}\d{1,3}(?:\.\d{1,2}){0,2}$")
LIST_FOLLOWS = 8  # lines after a lead-in ("…which will:") that may be its list
# Citation markers as a model writes them: [1], [2, 3], [1;4]
MARKER_RE = re.compile(r"(?<![ \t])[ \t]*+\[[ \t]{0,3}(\d{1,2}(?:[ \t]{0,3}[,;][ \t]{0,3}\d{1,2}){0,9})[ \t]{0,3}\]")
_SPACE_BEFORE_STOP_RE = re.compile(r"(?<![ \t])[ \t]++([.,;:!?])")
WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
NUMBER_RE = re.compile(r"\d[\d,./:%]{0,30}")
NUMBER_WORDS = {word: str(value) for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100"}
NUMBER_WORD_RE = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.I)
# Words in council names that do not tell one council from another
GENERIC_COUNCIL_WORDS = frozenset(
    "council councils borough county district city london metropolitan of the and a an two shared organisation "
    "unnamed unknown royal town".split()
)
QUESTION_WORDS = frozenset("say says tell list describe mention mentions explain please give".split())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or line of `text`, stripped of surrounding white space.

    A line break always ends a piece (list items and headings are lines of their own). Within a
    line a sentence ends at `_SENTENCE_END_RE`, unless the word before the stop is an
    abbreviation ("e.g.", "Cllr.") or a single capital (an initial).
    """
    spans: list[tuple[int, int]] = []
    position = 0
    for line in text.split("\n"):
        start = position
        for match in _SENTENCE_END_RE.finditer(line):
            if _is_abbreviation(line, match.start()) or _is_item_number(line, match.start()):
                continue
            _add_span(spans, text, start, position + match.end())
            start = position + match.end()
        _add_span(spans, text, start, position + len(line))
        position += len(line) + 1
    return spans


def _is_abbreviation(line: str, stop: int) -> bool:
    """The word just before a full stop is a known abbreviation or an initial (looks back 14 characters at most)."""
    if line[stop] != ".":
        return False
    before = re.search(r"(?:^|[^\w.])([A-Za-z][A-Za-z.]{0,10})$", line[max(0, stop - 14):stop])
    if not before:
        return False
    word = before.group(1)
    return word.lower() in ABBREVIATIONS or (len(word) == 1 and word.isupper())


def _is_item_number(line: str, stop: int) -> bool:
    """The full stop closes a number that opens the line (after any bullet) or a table cell: "3." or "2.4."."""
    if stop <= 16 and _LINE_ITEM_RE.fullmatch(line, 0, stop):
        return True
    return bool(_CELL_ITEM_RE.search(line, max(0, stop - 16), stop))  # a bounded look back keeps it linear


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentences(text: str) -> list[str]:
    """Sentences and lines of `text` exactly as they stand in it, leaving out pieces with no word."""
    return [text[s:e] for s, e in sentence_spans(text) if re.search(r"\w\w", text[s:e])]


def list_item(line: str) -> str | None:
    """The text of a bulleted or numbered list line without its marker, or None for any other line."""
    match = BULLET_RE.match(line) or NUMBERED_RE.match(line)
    return line[match.end():].strip() if match else None


def markers(text: str) -> list[int]:
    """The citation numbers written in `text`, in order ("[1] ... [2, 3]" -> [1, 2, 3])."""
    return [int(n) for m in MARKER_RE.finditer(text) for n in re.findall(r"\d+", m.group(1))]


def strip_markers(text: str) -> str:
    """`text` without its citation markers, and without the space they left before punctuation."""
    return _SPACE_BEFORE_STOP_RE.sub(r"\1", MARKER_RE.sub("", text)).strip()


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS) | QUESTION_WORDS


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-case words without stop words, Snowball-stemmed: the same for chunks, questions and claims."""
    stop = _stop_words()
    words = [w.replace("'s", "") for w in WORD_RE.findall(text.lower())]
    return _stemmer().stemWords([w for w in words if w not in stop and len(w) > 1])


def without_words(text: str, stems: set[str]) -> str:
    """`text` without the white-space-separated words whose stems are among `stems`."""
    return " ".join(word for word in text.split() if not set(tokenize(word)) & stems)


def stem(words: list[str]) -> list[str]:
    """Snowball stems of `words`, as `tokenize` makes them, without dropping stop words."""
    return _stemmer().stemWords(words)


def numbers_in(text: str) -> set[str]:
    """The figures in `text`, normalised ("£40,000." -> "40000")."""
    return {n.strip(".,/:").replace(",", "") for n in NUMBER_RE.findall(text)} - {""}


def spelled_numbers(text: str) -> set[str]:
    """Numbers written as words ("five" -> "5")."""
    return {NUMBER_WORDS[w.lower()] for w in NUMBER_WORD_RE.findall(text)}


def chunk_id(document: str, index: int) -> str:
    """The id of a document's index-th chunk: stable, sortable, and readable in a citation."""
    return f"{document}#{index:04d}"


def alternatives(fact: str) -> list[str]:
    """The ways a key fact may be written, separated by '|' ("£40M | 40 million")."""
    return [alt.strip() for alt in fact.split("|") if alt.strip()]


def council_name_words(council: str) -> frozenset[str]:
    """The words of a council's name that tell it from other councils ("Merton" of "London Borough of Merton")."""
    return frozenset(re.findall(r"[a-z]+", council.lower())) - GENERIC_COUNCIL_WORDS


QUOTE_WORD_RE = re.compile(r"[^\W_]+")
CLOSING = ".,;:!?)]’”'\""


def find_words(quote: str, text: str) -> tuple[int, int] | None:
    """Where `text` says the words of `quote`, in order and adjacent, whatever lies between them (white
    space, bullets, table bars, emphasis marks): the span from its first word to its last, or None."""
    wanted = [m.group(0).lower() for m in QUOTE_WORD_RE.finditer(quote)]
    if not wanted:
        return None
    spans = [(m.start(), m.end()) for m in QUOTE_WORD_RE.finditer(text)]
    words = [text[s:e].lower() for s, e in spans]
    starts, offset = {}, 0  # position of each word in the joined string -> its index
    for index, word in enumerate(words):
        starts[offset] = index
        offset += len(word) + 1
    joined, needle = " ".join(words), " ".join(wanted)
    position = joined.find(needle)
    while position != -1:
        end = position + len(needle)
        if position in starts and (end == len(joined) or joined[end] == " "):
            first = starts[position]
            return spans[first][0], spans[first + len(wanted) - 1][1]
        position = joined.find(needle, position + 1)
    return None


def verbatim(quote: str, source: str) -> str | None:
    """The span of `source` (a passage as the document writes it) that `quote` was taken from, with its
    closing punctuation; when the quote joins pieces the document keeps apart (a repeated lead-in),
    the longest piece that is in it; for a table row whose first cell was filled in from the row above
    (a merged cell), the row from its second cell. None when no piece is."""
    pieces = [quote] + (sorted((p for p in quote.split("\n") if p.strip()), key=len, reverse=True) if "\n" in quote else [])
    pieces += [piece.split(" | ", 1)[1] for piece in pieces if " | " in piece]
    for piece in pieces:
        span = find_words(piece, source)
        if span is None:
            continue
        start, end = span
        tail = len(piece.rstrip()) - len(piece.rstrip().rstrip(CLOSING))
        while tail and end < len(source) and source[end] in CLOSING:
            end, tail = end + 1, tail - 1
        return source[start:end]
    return None
