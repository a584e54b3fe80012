"""The on-disk keyword index: BM25 scores as bm25s gave them, per-document updates that leave the same
index a fresh build would, filters inside the search, the candidate budget, and the registry."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from ingest.keyword_index import KeywordIndex
from ingest.text import tokenize

COUNCILS = ["Somerset Council", "London Borough of Merton", "Wiltshire Council"]
WORDS = ("service customer digital contact channel board meeting budget saving housing waste library parking "
         "staff skills data insight governance decision principle design process model change").split()


def chunks_of(document: str, council: str, texts: list[str], section: str = "Overview") -> tuple[list, list, list, list]:
    """What the store hands the index for a document: ids, texts, metadata and vectors."""
    ids = [f"{document}#{i:04d}" for i in range(len(texts))]
    metas = [{"document": document, "title": f"{council} plan", "council": council, "kind": "strategy",
              "section": f"{section} > part {i % 3}", "chunk_index": i, "doc_hash": f"h-{document}-{len(texts)}"}
             for i in range(len(texts))]
    vectors = np.random.default_rng(len(document) + len(texts)).normal(size=(len(texts), 8)).tolist()
    return ids, texts, metas, vectors


def random_texts(rng: random.Random, count: int) -> list[str]:
    return [" ".join(rng.choice(WORDS[: rng.randint(5, len(WORDS))]) for _ in range(rng.randint(5, 40)))
            for _ in range(count)]


def fill(index: KeywordIndex, rng: random.Random, documents: int = 12) -> dict[str, tuple[list, list, list]]:
    written = {}
    for d in range(documents):
        document = f"doc-{d:02d}.txt"
        written[document] = chunks_of(document, COUNCILS[d % 3], random_texts(rng, rng.randint(1, 15)), f"Section {d % 4}")
        index.write(document, *written[document], revision=f"r{d}")
    return written


@pytest.fixture
def index(tmp_path: Path) -> KeywordIndex:
    return KeywordIndex(tmp_path / "keywords.sqlite3")


def bm25s_top(written: dict, query: str, n: int, headings: bool = False) -> list[tuple[str, float]]:
    """What the old in-memory index (bm25s over title, section twice, text) returned."""
    import bm25s

    rows = [(cid, meta, text) for ids, texts, metas, _ in written.values() for cid, text, meta in zip(ids, texts, metas)]
    corpus = [tokenize(m["section"]) if headings else tokenize(f"{m['title']}\n{m['section']}\n{m['section']}\n{t}")
              for _, m, t in rows]
    model = bm25s.BM25()
    model.index(corpus, show_progress=False)
    known = [token for token in tokenize(query) if token in model.vocab_dict]
    if not known:
        return []
    scores = model.get_scores(known)
    ranked = sorted(((float(s), i) for i, s in enumerate(scores) if s > 0), key=lambda item: (-item[0], item[1]))
    return [(rows[i][0], s) for s, i in ranked[:n]]


@pytest.mark.parametrize("headings", [False, True])
def test_scores_are_those_bm25s_gave(index: KeywordIndex, headings: bool):
    written = fill(index, random.Random(3))
    search = index.search_headings if headings else index.search
    for query in ("digital contact channel", "board meeting governance decision", "housing housing waste",
                  "section 2 part 1", "somerset parking", "nothing here"):
        expected = bm25s_top(written, query, 10, headings)
        found = [(hit.chunk_id, hit.score) for hit in search(tokenize(query), 10)]
        assert [round(s, 3) for _, s in found] == [round(s, 3) for _, s in expected], query  # float32 in bm25s
        tied = {round(s, 3) for _, s in expected[-1:]}
        assert {c for c, s in found if round(s, 3) not in tied} == {c for c, s in expected if round(s, 3) not in tied}


def test_updating_documents_leaves_the_index_a_fresh_build_would(index: KeywordIndex, tmp_path: Path):
    rng = random.Random(5)
    written = fill(index, rng)
    written["doc-03.txt"] = chunks_of("doc-03.txt", COUNCILS[0], random_texts(rng, 4))
    index.write("doc-03.txt", *written["doc-03.txt"], revision="update")
    index.write("doc-05.txt", [], [], [], [], revision="delete")
    del written["doc-05.txt"]
    fresh = KeywordIndex(tmp_path / "fresh.sqlite3")
    for document, rows in written.items():
        fresh.write(document, *rows, revision="fresh")
    assert statistics(index) == statistics(fresh)
    assert index.revision() == "delete" and fresh.count() == index.count() == sum(len(r[0]) for r in written.values())
    assert [(i.document, i.chunks) for i in index.documents()] == [(i.document, i.chunks) for i in fresh.documents()]
    assert sorted(index.chunk_ids()) == sorted(fresh.chunk_ids())
    assert [h.chunk_id for h in index.search(tokenize("digital data"), 20)] == \
           [h.chunk_id for h in fresh.search(tokenize("digital data"), 20)]


def statistics(index: KeywordIndex) -> tuple:
    db = sqlite3.connect(index.db.path)
    meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('rows', 'text_length', 'heading_length')"))
    return meta, sorted(db.execute("SELECT term, rows, heading_rows FROM terms"))


def test_filters_are_applied_inside_the_search(index: KeywordIndex):
    """Before, filters were applied after scoring; now a filter is part of the FTS5 query, and a council
    whose passages all score below other councils' still gets its n best."""
    written = fill(index, random.Random(9))
    merton = {cid for ids, _, metas, _ in written.values() for cid, m in zip(ids, metas) if m["council"] == COUNCILS[1]}
    hits = index.search(tokenize("digital data staff"), 5, {"council": COUNCILS[1]})
    assert len(hits) == 5 and {h.chunk_id for h in hits} <= merton and {h.council for h in hits} == {COUNCILS[1]}
    everything = bm25s_top(written, "digital data staff", 1000)
    assert [h.chunk_id for h in hits] == [c for c, _ in everything if c in merton][:5]
    only = index.search(tokenize("digital data staff"), 50, {"document": "doc-04.txt", "kind": "strategy"})
    assert only and {h.document for h in only} == {"doc-04.txt"}
    assert index.search(tokenize("digital"), 5, {"council": "Nowhere Council"}) == []
    with pytest.raises(ValueError, match="cannot filter"):
        index.search(tokenize("digital"), 5, {"status": "draft"})


def test_past_the_budget_the_rarest_words_pick_the_candidates(tmp_path: Path):
    """A common word ("service", in every passage) is matched only among passages holding the rare one."""
    index = KeywordIndex(tmp_path / "keywords.sqlite3", budget=50, candidates=20)
    texts = [f"service customer {'quokka ' if i % 40 == 0 else ''}contact {i}" for i in range(400)]
    index.write("big.txt", *chunks_of("big.txt", COUNCILS[0], texts), revision="r")
    hits = index.search(tokenize("quokka service"), 5)
    assert [h.chunk_id for h in hits][:5] == [f"big.txt#{i:04d}" for i in (0, 40, 80, 120, 160)]
    assert len(index.search(tokenize("service"), 30)) == 20  # a single common word: the candidates, best first
    exact = KeywordIndex(tmp_path / "exact.sqlite3", budget=10_000, candidates=500)
    exact.write("big.txt", *chunks_of("big.txt", COUNCILS[0], texts), revision="r")
    assert [h.chunk_id for h in hits] == [h.chunk_id for h in exact.search(tokenize("quokka service"), 5)]
    small = [f"service {'service ' * (i % 4)}contact {i}" for i in range(12)]  # a filter keeps the common word cheap
    for target in (index, exact):
        target.write("small.txt", *chunks_of("small.txt", COUNCILS[1], small), revision="s")
    filtered = index.search(tokenize("service"), 5, {"document": "small.txt"})
    assert [h.chunk_id for h in filtered] == [h.chunk_id for h in exact.search(tokenize("service"), 5, {"document": "small.txt"})]
    assert [h.chunk_id for h in filtered][:3] == ["small.txt#0003", "small.txt#0007", "small.txt#0011"]


def test_the_registry_knows_acronyms_councils_and_names(index: KeywordIndex):
    index.write("merton.txt", *chunks_of("merton.txt", COUNCILS[1], ["Our Target Operating Model (TOM) is new.", "The TOM."]),
                revision="a")
    index.write("somerset.txt", *chunks_of("somerset.txt", COUNCILS[0], ["A Customer Relationship Management (CRM) system."]),
                revision="b")
    index.write("wilts.txt", *chunks_of("wilts.txt", COUNCILS[2], ["Libraries (TOM) open."]), revision="c")
    names = index.names(index.revision())
    assert names.acronyms == {"TOM": "Target Operating Model", "CRM": "Customer Relationship Management"}
    assert set(names.councils) == set(COUNCILS) and names.councils[COUNCILS[1]] == {"merton"}
    assert "merton" in names.names["merton.txt"] and "plan" in names.identity  # "plan" is in every title
    assert names.chunks == 4 and index.names(index.revision()) is names  # computed once per revision
    assert index.unknown({"merton", "quokka", "tom"}) == {"quokka"}
    index.write("merton.txt", [], [], [], [], revision="d")
    assert set(index.names("d").councils) == {COUNCILS[0], COUNCILS[2]} and index.hashes("merton.txt") == {}


def test_words_with_apostrophes_and_digits_stay_whole(index: KeywordIndex):
    index.write("a.txt", *chunks_of("a.txt", COUNCILS[0], ["We meet at ten o'clock in 2024.", "We meet at ten."]),
                revision="r")
    assert [h.chunk_id for h in index.search(tokenize("o'clock"), 5)] == ["a.txt#0000"]
    assert [h.chunk_id for h in index.search(tokenize("2024"), 5)] == ["a.txt#0000"]


def test_filtered_nearest_compares_every_vector_of_the_filter(index: KeywordIndex):
    written = fill(index, random.Random(11))
    query = np.random.default_rng(2).normal(size=8)
    for where in ({"document": "doc-04.txt"}, {"council": COUNCILS[2]}, {"council": COUNCILS[0], "kind": "strategy"}):
        rows = [(cid, np.asarray(vector)) for ids, _, metas, vectors in written.values()
                for cid, meta, vector in zip(ids, metas, vectors) if all(meta[k] == v for k, v in where.items())]
        cosine = {cid: float(v @ query / np.linalg.norm(v) / np.linalg.norm(query)) for cid, v in rows}
        (found,) = index.nearest(where, [query.tolist()], 5, most=1000)
        assert [cid for cid, _ in found] == sorted(cosine, key=cosine.get, reverse=True)[:5]
        assert np.allclose([s for _, s in found], [cosine[cid] for cid, _ in found], atol=1e-5)
    assert index.nearest({"council": COUNCILS[0]}, [query.tolist()], 5, most=3) is None  # too many: Chroma's query
