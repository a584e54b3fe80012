"""Ingest and search speed and quality, beside a plain llama-index pipeline, in one process.

Both sides use the same files, the same embedder (loaded once, before either runs) and a fresh
Chroma folder. The baseline is what a llama-index tutorial builds: SimpleDirectoryReader,
SentenceSplitter(256), VectorStoreIndex over ChromaVectorStore, dense top-k. Figures are ratios
in one process, so the machine's speed cancels out.

    .venv/bin/python bench/bench_retrieval.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import ingest  # noqa: F401  (offline first)
from assistant.components import Components
from corpus import CORPUS_DIR
from eval.dataset import SETS_DIR, load_set
from ingest.settings import Settings

PRINCIPLES_QUESTION = "Which design principles does Somerset Council's TOM list?"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_ours(workdir: Path, questions, repeat: int, embedder) -> dict:
    components = Components(Settings(data_dir=workdir / "ours"), embedder=embedder)
    store = components.store
    started = time.perf_counter()
    summary = components.ingester.ingest([CORPUS_DIR])
    ingest_seconds = time.perf_counter() - started
    retriever = components.retriever
    retriever.search("warm up")
    latencies, hits = [], 0
    for _ in range(repeat):
        for q in questions:
            t = time.perf_counter()
            results = retriever.search(q.question, k=5)
            latencies.append((time.perf_counter() - t) * 1000)
            hits += any(r.document in q.sources for r in results)
    ranked = retriever.search(PRINCIPLES_QUESTION, k=store.count())
    principle_rank = next(i for i, r in enumerate(ranked, 1) if r.section.startswith("Appendix 2"))
    return {
        "chunks": summary.chunks_written,
        "ingest_s": round(ingest_seconds, 2),
        "chunks_per_s": round(summary.chunks_written / ingest_seconds, 1),
        "search_p50_ms": round(statistics.median(latencies), 1),
        "search_p95_ms": round(percentile(latencies, 0.95), 1),
        "hit_at_5": round(hits / (len(questions) * repeat), 3),
        "appendix2_rank": principle_rank,
    }


def run_baseline(workdir: Path, questions, repeat: int, embedder) -> dict:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    LlamaSettings.llm = None
    client = chromadb.PersistentClient(path=str(workdir / "baseline"), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("baseline", embedding_function=None)
    started = time.perf_counter()
    documents = SimpleDirectoryReader(input_files=sorted(CORPUS_DIR.glob("*.txt"))).load_data()
    nodes = SentenceSplitter(chunk_size=256, chunk_overlap=20).get_nodes_from_documents(documents)
    index = VectorStoreIndex(
        nodes, storage_context=StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection)),
        embed_model=embedder,
    )
    ingest_seconds = time.perf_counter() - started
    retriever = index.as_retriever(similarity_top_k=5)
    retriever.retrieve("warm up")
    latencies, hits = [], 0
    for _ in range(repeat):
        for q in questions:
            t = time.perf_counter()
            results = retriever.retrieve(q.question)
            latencies.append((time.perf_counter() - t) * 1000)
            hits += any(r.node.metadata.get("file_name") in q.sources for r in results)
    ranked = index.as_retriever(similarity_top_k=len(nodes)).retrieve(PRINCIPLES_QUESTION)
    principle_rank = next(i for i, r in enumerate(ranked, 1) if "Flexible and Agile" in r.node.get_content() or "Smaller and Leaner" in r.node.get_content())
    return {
        "chunks": len(nodes),
        "ingest_s": round(ingest_seconds, 2),
        "chunks_per_s": round(len(nodes) / ingest_seconds, 1),
        "search_p50_ms": round(statistics.median(latencies), 1),
        "search_p95_ms": round(percentile(latencies, 0.95), 1),
        "hit_at_5": round(hits / (len(questions) * repeat), 3),
        "appendix2_rank": principle_rank,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    questions = [q for q in load_set(SETS_DIR / "tom-questions.jsonl") if q.sources and not q.follows]
    from ingest.embedder import load_embedder

    embedder = load_embedder(Settings())
    embedder.get_text_embedding("warm up")  # both sides start with a loaded model
    workdir = Path(tempfile.mkdtemp(prefix="tom-bench-"))
    try:
        ours = run_ours(workdir, questions, args.repeat, embedder)
        baseline = run_baseline(workdir, questions, args.repeat, embedder)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{'':22}{'tom-assistant':>16}{'plain llama-index':>20}{'ratio':>8}")
    for key in ours:
        ratio = ours[key] / baseline[key] if baseline[key] else float("nan")
        print(f"{key:22}{ours[key]:>16}{baseline[key]:>20}{ratio:>8.2f}")
    print(json.dumps({"questions": len(questions), "repeat": args.repeat, "ours": ours, "baseline": baseline}))


if __name__ == "__main__":
    main()
