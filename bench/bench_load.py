"""Load on the whole server (API and UI on one port), served on 127.0.0.1 by this process.

--users clients for --seconds, each looping over a mix: extractive questions, proposal reviews,
uploads of a small document and deletes of its own earlier uploads; and one more client sending
a 1 MB pathological question every 5 s. Reviews use a SCRIPTED FAST MODEL (Components'
llm_factory; it answers each judgement at once), so they load the queueing and the review
pipeline, not the LLM. A poller times GET /api/health every 0.25 s throughout.

It records every answer that is neither a success nor an intended refusal (413 for the huge
question, 503 "busy" from a full queue): that count must be 0. Health must stay under 1 s. At the
end, every acknowledged upload must be in the store and the corpus folder, and every
acknowledged delete gone from both. It runs over a private copy of the store and corpus, so the
project's own data is untouched. All loops are bounded in time and count; all traffic goes to
127.0.0.1. Writes bench/results/load.json.

With --asking N it measures instead what N users asking at once wait for, on the REAL default
model: each loops over the project's questions through /api/ask/stream in llm mode, and the time
to first cited content (the quotations, or the first grounded token, or a refusal with its
closest passages), to the first phrased token and to the whole answer is recorded per question.
Writes bench/results/load-asking.json.

    .venv/bin/python bench/bench_load.py [--users 20 --seconds 120]
    .venv/bin/python bench/bench_load.py --asking 4 [--seconds 180]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

import ingest  # noqa: F401  (offline first)
import load_asking
from common import percentile, write_result
from served import private_container, serve
from eval.dataset import SETS_DIR, load_proposals, load_set

INTENDED = {"huge": {413}, "ask": {503}, "review": {503}, "upload": {503}, "delete": {503}}
MIX = [("ask", 0.55), ("review", 0.15), ("upload", 0.18), ("delete", 0.12)]
MAX_REQUESTS_PER_USER = 2000


class Tally:
    """What every client saw, shared between threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.errors: list[str] = []
        self.uploaded: set[str] = set()
        self.deleted: set[str] = set()

    def record(self, action: str, started: float, status: int | None, detail: str = "") -> None:
        with self.lock:
            self.statuses[action][str(status)] += 1
            if status is not None and (200 <= status < 300 or status in INTENDED[action]):
                self.latency[action].append((time.perf_counter() - started) * 1000)
            else:
                self.errors.append(f"{action}: {status} {detail}"[:300])


def one_request(http: httpx.Client, url: str, action: str, user: int, n: int, mine: list[str],
                texts: dict) -> tuple[int, str, str]:
    """Send one request of kind `action`; returns (status, detail, document) and updates `mine` (this user's live uploads)."""
    name = ""
    if action == "ask":
        reply = http.post(f"{url}/api/ask", json={"question": random.choice(texts["questions"]), "mode": "extractive"})
    elif action == "review":
        reply = http.post(f"{url}/api/review", json={"text": random.choice(texts["proposals"])})
    elif action == "upload":
        name = f"bench-u{user:02d}-{n:04d}.txt"
        body = f"Bench note {user}-{n}. The Merrow{user}x{n} pilot runs in Frome and reports to the board every month.\n"
        reply = http.post(f"{url}/api/documents", files={"file": (name, body.encode(), "text/plain")})
        if reply.status_code == 200:
            mine.append(name)
    else:
        name = mine.pop(0)
        reply = http.delete(f"{url}/api/documents/{name}")
        if reply.status_code != 200:
            mine.insert(0, name)
    return reply.status_code, reply.text[:200] if reply.status_code >= 300 else "", name


def user(url: str, index: int, deadline: float, tally: Tally, texts: dict) -> None:
    rng = random.Random(index)
    mine: list[str] = []
    with httpx.Client(timeout=120) as http:
        for n in range(MAX_REQUESTS_PER_USER):
            if time.perf_counter() >= deadline:
                break
            action = rng.choices([a for a, _ in MIX], [w for _, w in MIX])[0]
            if action == "delete" and not mine:
                action = "upload"
            started = time.perf_counter()
            try:
                status, detail, name = one_request(http, url, action, index, n, mine, texts)
            except httpx.HTTPError as error:
                status, detail, name = None, f"{type(error).__name__}: {error}", ""
            tally.record(action, started, status, detail)
            if status == 200 and name:
                with tally.lock:
                    (tally.uploaded if action == "upload" else tally.deleted).add(name)


def pathological(url: str, deadline: float, tally: Tally) -> None:
    """A 1 MB question whose words would trouble a backtracking pattern, every 5 s. Each on a new connection:
    reusing one idle for 5 s races uvicorn's 5 s keep-alive timeout (the server closes it as the client
    sends), which is the client's error, not the server's."""
    question = ("why (a+)+ " * 110_000)[:1_000_000]
    with httpx.Client(timeout=60) as http:
        for _ in range(1000):
            if time.perf_counter() >= deadline:
                return
            started = time.perf_counter()
            try:
                status = http.post(f"{url}/api/ask", json={"question": question, "mode": "extractive"},
                                   headers={"Connection": "close"}).status_code  # see below
            except httpx.HTTPError as error:
                status = None
                tally.record("huge", started, status, str(error))
                continue
            tally.record("huge", started, status)
            time.sleep(max(0.0, 5 - (time.perf_counter() - started)))


def poll_health(url: str, deadline: float, latencies: list[float], failures: list[str]) -> None:
    with httpx.Client(timeout=30) as http:
        for _ in range(100_000):
            if time.perf_counter() >= deadline:
                return
            started = time.perf_counter()
            try:
                status = http.get(f"{url}/api/health").status_code
                latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    failures.append(f"health: {status}")
            except httpx.HTTPError as error:
                failures.append(f"health: {type(error).__name__}")
            time.sleep(0.25)


def nothing_lost(url: str, corpus: Path, tally: Tally) -> dict:
    """Every acknowledged upload (not deleted since) in the store and the folder; every acknowledged delete in neither."""
    stored = {d["document"] for d in httpx.get(f"{url}/api/documents", timeout=60).json()}
    on_disk = {p.name for p in corpus.iterdir()}
    kept = tally.uploaded - tally.deleted
    return {"acknowledged_uploads": len(tally.uploaded), "acknowledged_deletes": len(tally.deleted),
            "uploads_missing_from_store": sorted(kept - stored), "uploads_missing_from_folder": sorted(kept - on_disk),
            "deleted_still_in_store": sorted(tally.deleted & stored), "deleted_still_in_folder": sorted(tally.deleted & on_disk)}


def summary(tally: Tally, health: list[float], health_failures: list[str], seconds: float) -> dict:
    actions = {}
    for action, statuses in sorted(tally.statuses.items()):
        ok = tally.latency[action]
        actions[action] = {"statuses": dict(statuses), "p50_ms": round(percentile(ok, 0.5)), "p95_ms": round(percentile(ok, 0.95)),
                           "per_second": round(sum(n for s, n in statuses.items() if s.startswith("2")) / seconds, 2)}
    return {"actions": actions, "unintended_errors": len(tally.errors) + len(health_failures),
            "error_samples": (tally.errors + health_failures)[:10],
            "health": {"samples": len(health), "p50_ms": round(percentile(health, 0.5)), "p95_ms": round(percentile(health, 0.95)),
                       "max_ms": round(max(health, default=0)), "under_1s": bool(health) and max(health) < 1000}}


def run(url: str, users: int, seconds: float, texts: dict) -> tuple[Tally, list[float], list[str], float]:
    tally, health, health_failures = Tally(), [], []
    started = time.perf_counter()
    deadline = started + seconds
    threads = [threading.Thread(target=user, args=(url, i, deadline, tally, texts)) for i in range(users)]
    threads += [threading.Thread(target=pathological, args=(url, deadline, tally)),
                threading.Thread(target=poll_health, args=(url, deadline, health, health_failures))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 300)
    return tally, health, health_failures, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--asking", type=int, metavar="N", help="N users asking in llm mode at once, on the real model")
    args = parser.parse_args()
    texts = {"questions": [q.question for q in load_set(SETS_DIR / "tom-questions.jsonl") if not q.follows],
             "proposals": [c.proposal for c in load_proposals(SETS_DIR / "tom-proposals.jsonl")]}
    if args.asking:
        return load_asking.main(args.asking, args.seconds, texts["questions"])
    with tempfile.TemporaryDirectory(prefix="tom-bench-load-") as root:
        components = private_container(Path(root))
        server, thread, url = serve(components)
        try:
            httpx.post(f"{url}/api/ask", json={"question": texts["questions"][0], "mode": "extractive"}, timeout=300)  # warm
            tally, health, health_failures, elapsed = run(url, args.users, args.seconds, texts)
            lost = nothing_lost(url, components.settings.corpus_dir, tally)
        finally:
            server.should_exit = True
            thread.join(15)
    result = {"users": args.users, "seconds": round(elapsed, 1), "mix": dict(MIX),
              "note": "reviews use a scripted fast model (Components llm_factory), not the LLM; asks are extractive; "
                      "one extra client sends a 1 MB question every 5 s (413 intended); 503 'busy' is intended",
              **summary(tally, health, health_failures, elapsed), "nothing_lost": lost}
    result["passed"] = (result["unintended_errors"] == 0 and result["health"]["under_1s"]
                        and not any(v for k, v in lost.items() if isinstance(v, list)))
    write_result("load", result)


if __name__ == "__main__":
    main()
