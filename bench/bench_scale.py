"""Retrieval and writes as the store grows: 1k to 100k chunks by default, 300k and 1M on request.

Synthetic documents (`scale_corpus`: Zipf vocabulary, headings, councils, defined acronyms) with
random unit vectors are written through the store's own API (`ChunkStore.replace_document`, no
embedder), growing one store through the sizes. At each size: write throughput; a fresh worker
process (`scale_worker`) opens the store and times hybrid searches (plain, council-filtered,
document-filtered, naming a document) and reports its memory; then, while it polls, this process
writes a small document and the worker says when keyword and dense search both find it.
Writes bench/results/scale.json (after every size) and bench/results/scale.png (log-log).

    PYTHONPATH=. .venv/bin/python bench/bench_scale.py [--sizes 1000,10000,33000,100000] [--server] [--workdir DIR]

With --workdir the store is kept, and a later run with larger --sizes grows it on (keeping the
earlier sizes' rows), so the large sizes can be run one at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ingest  # noqa: F401  (offline first)
from common import RESULTS_DIR, write_result
from ingest.settings import Settings
from ingest.store import ChunkStore
from scale_corpus import Corpus, Document
from scale_plot import plot
from scale_worker import rss_mb

PROJECT = Path(__file__).resolve().parents[1]
MARKER_BASE = 10_000_000  # document numbers for the visibility markers, far from the corpus's


class Worker:
    """The worker process, spoken to in JSON lines."""

    def __init__(self, data_dir: Path, chroma_url: str | None) -> None:
        command = [sys.executable, str(PROJECT / "bench" / "scale_worker.py"), str(data_dir), *([chroma_url] if chroma_url else [])]
        self.process = subprocess.Popen(command, cwd=PROJECT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        env={**os.environ, "PYTHONPATH": f"{PROJECT}:{PROJECT / 'bench'}"})
        self.ready = self.read()

    def read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the worker stopped (exit {self.process.wait()})")
        return json.loads(line)

    def send(self, command: dict) -> None:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def write(store: ChunkStore, document: Document) -> None:
    store.replace_document(document.name, document.ids, document.texts, document.vectors.tolist(), document.metadatas)


def grow(store: ChunkStore, corpus: Corpus, start: tuple[int, int], size: int) -> tuple[tuple[int, int], dict]:
    """Write documents until the store holds `size` chunks; (next document, chunks) and the throughput."""
    number, chunks = start
    written, started = 0, time.perf_counter()
    while chunks < size:
        document = corpus.document(number)
        if len(document.ids) > size - chunks:
            document = corpus.document(number, chunks=size - chunks)
        write(store, document)
        number, chunks, written = number + 1, chunks + len(document.ids), written + len(document.ids)
    seconds = time.perf_counter() - started
    return (number, chunks), {"chunks_written": written, "write_s": round(seconds, 2),
                              "chunks_per_s": round(written / seconds, 1) if seconds else None}


def queries(corpus: Corpus, documents: int) -> list[dict]:
    """Fixed questions: plain, the same filtered by a council or a document, and questions naming a document."""
    w = corpus.word
    plain = ["How will customer contact move to digital channels?", f"What does the plan say about {w(300)} and {w(2000)}?",
             f"Which design principles apply to {w(900)} services?", f"What savings come from {w(5000)} {w(12000)}?",
             "What are the risks to the housing budget?", f"Who decides on {w(150)} governance?"]
    picked = [corpus.document(n, chunks=1) for n in (documents // 3, documents // 2, documents - 1)]
    out = [{"kind": "plain", "text": text} for text in plain]
    out += [{"kind": "council filter", "text": text, "filters": {"council": picked[i % 3].council}} for i, text in enumerate(plain)]
    out += [{"kind": "document filter", "text": text, "filters": {"document": picked[i % 3].name}} for i, text in enumerate(plain)]
    out += [{"kind": "naming a document", "text": f"What does the {doc.title.split(':')[0]} say about {w(400 + 7 * i)}?"}
            for i, doc in enumerate(picked)]
    return out


def visibility(store: ChunkStore, worker: Worker, corpus: Corpus, marker: int) -> dict:
    """Write a small document while the worker polls; how long until the worker found it."""
    document = corpus.document(MARKER_BASE + marker, chunks=3)
    word = f"zqmarker{marker}"
    document.texts[0] = f"{word} {document.texts[0]}"
    worker.send({"cmd": "watch", "word": word, "document": document.name, "vector": document.vectors[0].tolist(),
                 "timeout": 60})
    worker.read()  # the worker is polling
    started = time.time()
    write(store, document)
    written = time.time()
    seen = worker.read()["seen"]
    store.delete_document(document.name)
    return {"write_ms": round((written - started) * 1000, 1),
            "visible_ms": None if seen is None else round((seen - written) * 1000, 1)}


def measure(store: ChunkStore, corpus: Corpus, settings: Settings, state: tuple[int, int], repeat: int,
            server_pid: int | None) -> dict:
    worker = Worker(settings.data_dir, settings.chroma_url)
    try:
        worker.send({"cmd": "search", "queries": queries(corpus, state[0]), "repeat": repeat})
        searched = worker.read()
        seen = [visibility(store, worker, corpus, marker) for marker in range(3)]
        worker_rss = rss_mb(str(worker.process.pid))
    finally:
        worker.close()
    visible = [s["visible_ms"] for s in seen if s["visible_ms"] is not None]
    return {"documents": state[0], "worker_open_s": worker.ready["open_s"], "search": searched["search"],
            "worker_rss_mb": round(worker_rss, 1), "worker_baseline_mb": worker.ready["baseline_mb"],
            "worker_corpus_mb": round(worker_rss - worker.ready["baseline_mb"], 1),
            "visible_ms": round(statistics.median(visible), 1) if visible else None, "visibility": seen,
            "writer_rss_mb": round(rss_mb(), 1), "server_rss_mb": round(rss_mb(str(server_pid)), 1) if server_pid else None,
            "keywords_mb": round(sum(p.stat().st_size for p in settings.data_dir.glob("keywords.sqlite3*")) / 1e6, 1),
            "chroma_mb": round(sum(p.stat().st_size for p in _chroma_dir(settings).rglob("*") if p.is_file()) / 1e6, 1)}


def _chroma_dir(settings: Settings) -> Path:
    return settings.data_dir.parent / "server" if settings.chroma_url else settings.chroma_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,33000,100000", help="chunk counts, ascending (300000,1000000 too)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds over the fixed queries at each size")
    parser.add_argument("--server", action="store_true", help="vectors on a `chroma run` server started here")
    parser.add_argument("--workdir", type=Path, help="where the store goes (default: a temporary folder, removed)")
    parser.add_argument("--name", default="scale", help="results file name in bench/results/")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tom-scale-"))
    server = start_server(workdir) if args.server else None
    try:
        run(args, workdir, server)
    finally:
        if server is not None:
            server[0].terminate()
            server[0].wait(timeout=60)
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir: Path, server) -> None:
    settings = Settings(data_dir=workdir / "data", chroma_url=server[1] if server else None)
    store, corpus = ChunkStore(settings), Corpus()
    state = (len(store.documents()), store.count())  # a kept --workdir grows on from where it was
    sizes = sorted(int(s) for s in args.sizes.split(","))
    previous = {row["chunks"]: row for row in _previous(args.name)} if state[1] else {}
    rows = [row for size, row in previous.items() if size < sizes[0]]
    result = {"backend": "chroma server" if server else "chroma embedded", "sizes": rows,
              "keyword_budget": settings.keyword_budget, "repeat": args.repeat}
    for size in sizes:
        state, writes = grow(store, corpus, state, size)
        if not writes["chunks_written"] and size in previous:  # measured again: the writes were the earlier run's
            writes = {key: previous[size][key] for key in writes}
        rows.append({"chunks": size, **writes, **measure(store, corpus, settings, state, args.repeat,
                                                        server[0].pid if server else None)})
        write_result(args.name, result)
    plot(result, RESULTS_DIR / f"{args.name}.png")


def _previous(name: str) -> list[dict]:
    """Rows of an earlier run over the same --workdir, kept when this run carries on growing its store."""
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text())["sizes"] if path.is_file() else []


def start_server(workdir: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen([str(chroma), "run", "--path", str(workdir / "server"), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the chroma server did not start")


if __name__ == "__main__":
    main()
