"""Which passages the drafter reads, and whether they cover the question at all.

Retrieval ranks passages; the context is a choice among them: the best few, the next part of the
top passage's section (the rest of a list or table split in two), a passage from each
document the question names ("do Merton and the 2024 draft differ…"), found by a search within
that document when retrieval ranked none of it, and the chunk of a table holding a row the
question names by number ("action 8") when the context has the table but not that row.
"""

from __future__ import annotations

from assistant import tables
from assistant.retrieval import Filters, Hit, Retriever
from ingest.settings import Settings
from ingest.text import tokenize

TABLE_REACH = 8  # chunks either side of a table passage searched for a row named by number


class ContextBuilder:
    def __init__(self, settings: Settings, retriever: Retriever) -> None:
        self.settings, self.retriever = settings, retriever

    def build(self, hits: list[Hit], question: str = "", filters: Filters | None = None) -> list[Hit]:
        """The passages for the prompt, in retrieval order (passages found by name last)."""
        limit = self.settings.context_passages
        chosen = hits[:limit]
        if chosen:
            for neighbour in self.retriever.neighbours(chosen[0], before=0, after=1):
                if neighbour.chunk_id not in {h.chunk_id for h in chosen}:
                    chosen = chosen[:-1] + [neighbour] if len(chosen) >= limit else chosen + [neighbour]
        for group in self.retriever.documents_named(question) if question else []:
            if any(h.document in group for h in chosen):
                continue
            best = self._best_in(group, hits, question, filters)
            if best is None:
                continue
            # make room by dropping the weakest retrieved passage of a document that has another
            crowded = [i for i, h in enumerate(chosen) if i > 0 and sum(x.document == h.document for x in chosen) > 1]
            if len(chosen) >= limit and crowded:
                chosen.pop(max(crowded, key=lambda i: (chosen[i].rank != 0, chosen[i].rank)))
            chosen.append(best)
        chosen = self._with_named_rows(chosen, question, limit)
        chosen.sort(key=lambda h: (h.rank == 0, h.rank))
        return chosen

    def _with_named_rows(self, chosen: list[Hit], question: str, limit: int) -> list[Hit]:
        """`chosen` with the chunks, next to its first table passage, holding rows the question names by number."""
        present = tables.rows(chosen)
        missing = tables.items_asked(question) - {row.item for row in present}
        tabled = sorted({row.passage for row in present})
        if not missing or not tabled:
            return chosen
        table = chosen[tabled[0] - 1]
        kept = {table.chunk_id}
        for neighbour in self.retriever.neighbours(table, before=TABLE_REACH, after=TABLE_REACH):
            held = {row.item for row in tables.rows([neighbour])} & missing
            if not held or neighbour.chunk_id in {h.chunk_id for h in chosen}:
                continue
            weakest = [i for i, h in enumerate(chosen) if h.chunk_id not in kept]
            if len(chosen) >= limit and weakest:
                chosen.pop(max(weakest, key=lambda i: (chosen[i].rank != 0, chosen[i].rank)))
            neighbour.rank = max(h.rank for h in chosen) + 1
            chosen.append(neighbour)
            kept.add(neighbour.chunk_id)
            missing -= held
        return chosen

    def _best_in(self, documents: set[str], hits: list[Hit], question: str, filters: Filters | None) -> Hit | None:
        """The best passage of any of `documents`: from the hits if there is one, else the closest in
        meaning among the top few of a search within each."""
        for hit in hits:
            if hit.document in documents:
                return hit
        filters = filters or Filters()
        name_words = self.retriever.name_words()
        # within one document, name words (its own or another's) say nothing: search by what the question is about
        topic = " ".join(w for w in question.split() if not set(tokenize(w)) & name_words) or question
        found = [
            hit for document in sorted(documents) if filters.document in (None, document)
            for hit in self.retriever.search(topic, k=3, filters=Filters(filters.council, filters.kind, document))
        ]
        for hit in found:
            hit.rank = len(hits) + 1
        return max(found, key=lambda h: h.dense, default=None)

    def covers(self, question: str, context: list[Hit]) -> bool:
        """Do the passages hold the question's distinctive words? Below the threshold we do not answer."""
        return coverage(question, context, self.retriever.identity) >= self.settings.refuse_below


def coverage(question: str, context: list[Hit], identity: frozenset[str]) -> float:
    """Share of the question's distinctive words found in the best passage (with its title and section)."""
    tokens = set(tokenize(question)) - identity
    if not tokens:
        return 1.0
    return max(len(tokens & set(tokenize(f"{h.title} {h.section} {h.text}"))) / len(tokens) for h in context)
