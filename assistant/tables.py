"""Table questions answered from the right row, with each cell under its column's header.

A table is stored as chunks of a header line and rows, cells joined by " | " (`ingest.chunking`).
Sentence-level answers lose what makes a row readable: which cell is the owner, which the date.
A question picks rows in one of two ways: it names a row's item number ("action 8", "actions 14
and 22"), or a row holds most of the question's own words, once the words that name a column
("owner", "design"), the document or the corpus are set aside, and holds more of them than any
sentence of the prose passages (which then answer it as sentences). The answer is each picked row with
every filled cell under its header, so the date comes from the date column and nothing else; a row
that leaves the column the question names empty gives no answer at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.retrieval import Hit
from ingest.text import sentences, tokenize

CELL = " | "
ITEM_RE = re.compile(r"^(\d{1,3})\.\s")  # a cell that opens with its item number: "8. Adopt the platform…"
# A number in a question that can name an item: not part of a word, a decimal, a sum or a share
ASKED_ITEM_RE = re.compile(r"(?<![\w£$€/])(?<!\d[.,])(?<!\w\()(\d{1,3})(?![\w%/]|[.,]\d)")  # "Q2(22)" is no item
PLURAL_RE = re.compile(r"[A-Za-z]+[^suiSUI]s")  # "principles", "themes"; not "process", "bus", "basis"
MOST_ROWS = 2  # a question's words picking more rows than this do not pick a row
ROW_SHARE = 0.6  # share of the question's remaining words a row must hold to be picked by them


@dataclass(frozen=True)
class Row:
    passage: int  # the passage's number in the context, as cited
    header: tuple[str, ...]
    cells: tuple[str, ...]

    @property
    def item(self) -> str | None:
        """The row's item number, from the first cell that opens with one."""
        return next((m.group(1) for cell in self.cells if (m := ITEM_RE.match(cell))), None)

    def fills(self, question: str) -> bool:
        """False when the question names a column (its header's words, outside brackets) whose cell here is empty."""
        words = set(tokenize(question))
        for head, cell in zip(self.header, self.cells + ("",) * len(self.header)):
            named = set(tokenize(re.sub(r"\([^)]*\)", " ", head)))
            if named and named <= words and not cell:
                return False
        return True

    def render(self) -> str:
        """Every filled cell under its header, in the table's order, with the passage's citation."""
        pairs = [f"{head}: {cell}" if head else cell for head, cell in zip(self.header, self.cells) if cell]
        return CELL.join(pairs) + f" [{self.passage}]"


def rows(context: list[Hit]) -> list[Row]:
    """The table rows of the context's passages (a passage is a table when its lines are cells under a header)."""
    found: list[Row] = []
    for n, hit in enumerate(context, start=1):
        lines = [line for line in hit.text.split("\n") if line.strip()]
        if len(lines) < 2 or CELL not in lines[0]:
            continue
        header = tuple(cell.strip() for cell in lines[0].split(CELL))
        body = [tuple(cell.strip() for cell in line.split(CELL)) for line in lines[1:] if CELL in line]
        found.extend(Row(n, header + ("",) * (len(cells) - len(header)), cells) for cells in body)
    return found


def items_asked(question: str) -> set[str]:
    """The numbers in a question that name an item ("action 8", "actions 14 and 22" -> {"8"}, {"14", "22"}): not
    a count, which a plural follows ("the 6 principles"), nor part of a word, a decimal, a sum, a share or a year."""
    asked = set()
    for match in ASKED_ITEM_RE.finditer(question):
        following = re.match(r"\s*([A-Za-z]+)", question[match.end():])
        if following is None or not PLURAL_RE.fullmatch(following.group(1)):
            asked.add(match.group(1))
    return asked


def picked_rows(question: str, table_rows: list[Row], set_aside: frozenset[str], prose: Sequence[str] = ()) -> list[Row]:
    """The rows the question asks about: those it names by item number, else the few holding most of its words
    and more of them than any of the `prose` sentences."""
    asked = items_asked(question)
    named = _unique([row for row in table_rows if row.item in asked])
    if named:
        return named
    header_words = set(tokenize(" ".join(cell for row in table_rows for cell in row.header)))
    words = set(tokenize(question)) - set_aside - header_words - asked
    if len(words) < 2:
        return []
    shares = [len(words & set(tokenize(" ".join(row.cells)))) / len(words) for row in table_rows]
    best = max(shares, default=0.0)
    chosen = _unique([row for row, share in zip(table_rows, shares) if share == best])
    prose_best = max((len(words & set(tokenize(sentence))) / len(words) for sentence in prose), default=0.0)
    return chosen if best >= ROW_SHARE and best > prose_best and len(chosen) <= MOST_ROWS else []


def _unique(found: list[Row]) -> list[Row]:
    """Rows in the order found, each once (overlapping chunks repeat rows)."""
    seen: set[tuple[str, ...]] = set()
    return [row for row in found if not (row.cells in seen or seen.add(row.cells))]


def answer(question: str, context: list[Hit], set_aside: frozenset[str], in_scope: set[int]) -> str | None:
    """The picked rows of the passages in scope (their numbers), one per line, each cell under its header; None
    when no row is picked, and "" when the picked rows leave a column the question names ("savings
    contribution") empty: then the table does not say, and no other sentence is taken for its answer."""
    every_row = rows(context)
    candidates = [row for row in every_row if row.passage in in_scope]
    tabled = {row.passage for row in every_row}
    prose = [s for n, hit in enumerate(context, start=1) if n in in_scope and n not in tabled for s in sentences(hit.text)]
    picked = picked_rows(question, candidates, set_aside, prose)
    if not picked:
        return None
    return "\n".join(row.render() for row in picked if row.fills(question))
