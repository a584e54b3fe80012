"""An API worker stand-in for the scale benchmark: a process of its own over the benchmark's store,
taking JSON commands on stdin and answering one JSON line each on stdout.

    python bench/scale_worker.py DATA_DIR [CHROMA_URL]

`search` times `Retriever.search` over the queries it is given (the keyword part alone too), and a
whole extractive answer (`Assistant.ask`, mode extractive) to the plain and document-naming ones;
`watch` polls, as a worker serving requests would, until a document just written elsewhere shows in
both keyword and dense search, and says when. Questions are embedded by `SyntheticEmbedder` (random
unit vectors from the text's hash), so timings are the store's and retrieval's, not MiniLM's.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from common import percentile

DIM = 384


def rss_mb(pid: str = "self") -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class SyntheticEmbedder:
    """A unit vector per text, the same for the same text; costs microseconds."""

    def get_query_embedding(self, text: str) -> list[float]:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        vector = np.random.default_rng(seed).normal(size=DIM)
        return (vector / np.linalg.norm(vector)).tolist()

    def get_text_embedding_batch(self, texts: list[str]) -> list[list[float]]:
        return [self.get_query_embedding(text) for text in texts]


ANSWERED = ("plain", "naming a document")  # kinds also answered whole, extractively


def search(assistant, queries: list[dict], repeat: int) -> dict:
    """p50/p95 of a whole hybrid search per kind of query, of its keyword part alone, and of an extractive answer."""
    from assistant.retrieval import Filters
    from ingest.text import tokenize

    retriever = assistant.retriever
    timings: dict[str, list[float]] = {}
    for round_ in range(repeat + 1):  # the first round warms caches and is not counted
        for query in queries:
            filters = Filters(**query.get("filters", {}))
            started = time.perf_counter()
            hits = retriever.search(query["text"], k=6, filters=filters)
            total = (time.perf_counter() - started) * 1000
            names = retriever.store.names()
            tokens = [t for t in tokenize(query["text"]) if t not in names.identity]
            started = time.perf_counter()
            retriever.store.keywords.search(tokens, retriever.settings.candidates, filters.fields())
            retriever.store.keywords.search_headings(tokens, retriever.settings.candidates, filters.fields())
            keyword = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            if query["kind"] in ANSWERED:
                assistant.ask(query["text"], mode="extractive")
            answered = (time.perf_counter() - started) * 1000
            if round_:
                timings.setdefault(query["kind"], []).append(total)
                timings.setdefault("keyword part", []).append(keyword)
                if query["kind"] in ANSWERED:
                    timings.setdefault("extractive answer", []).append(answered)
            if not hits:
                raise RuntimeError(f"no hits for {query}")
    return {kind: {"p50_ms": round(statistics.median(values), 2), "p95_ms": round(percentile(values, 0.95), 2),
                   "n": len(values)} for kind, values in timings.items()}


def watch(store, word: str, document: str, vector: list[float], timeout: float) -> dict:
    """Poll every 10 ms until `document` is found by keyword (`word`) and by vector; when it was first seen."""
    from ingest.text import tokenize

    tokens, deadline, polls = tokenize(word), time.time() + timeout, 0
    print(json.dumps({"watching": True}), flush=True)
    while time.time() < deadline:
        polls += 1
        store.revision()
        keyword = any(hit.document == document for hit in store.keywords.search(tokens, 3))
        dense = any(chunk.metadata.get("document") == document for chunk, _ in store.query(vector, 3))
        if keyword and dense:
            return {"seen": time.time(), "polls": polls}
        time.sleep(0.01)
    return {"seen": None, "polls": polls}


def main(data_dir: Path, chroma_url: str | None) -> None:
    import chromadb  # noqa: F401  (imported before the baseline, as a worker has it loaded)

    from assistant.components import Components
    from ingest.settings import Settings

    baseline = rss_mb()
    started = time.perf_counter()
    components = Components(Settings(data_dir=data_dir, chroma_url=chroma_url), embedder=SyntheticEmbedder())
    retriever = components.retriever
    retriever.store.names()
    print(json.dumps({"baseline_mb": round(baseline, 1), "open_s": round(time.perf_counter() - started, 3)}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "search":
            result = {"search": search(components.assistant, command["queries"], command["repeat"]), "rss_mb": round(rss_mb(), 1)}
        elif command["cmd"] == "watch":
            result = watch(components.store, command["word"], command["document"], command["vector"], command["timeout"])
        else:
            result = {"error": f"unknown command {command['cmd']}"}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
