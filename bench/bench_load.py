"""Load on the HTTP API, served on 127.0.0.1 by this process: many extractive clients, a few llm ones.

Phases (each bounded in time and count, all traffic to 127.0.0.1):
1. baseline: one extractive client for --baseline seconds;
2. --clients concurrent extractive clients for --seconds: throughput, p50/p95, errors;
3. --llm-clients concurrent llm-mode clients, one question each: the model answers one at a
   time, so later requests wait in line (latency grows by about one answer each) and none fail.
Writes bench/results/load.json.

    .venv/bin/python bench/bench_load.py [--clients 20 --seconds 60 --llm-clients 4]
"""

from __future__ import annotations

import argparse
import socket
import threading
import time

import httpx
import uvicorn

import ingest  # noqa: F401  (offline first)
from common import percentile, write_result
from eval.dataset import SETS_DIR, load_set
from ui.server import default_app



def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hammer(url: str, questions: list[str], clients: int, seconds: float, mode: str, max_requests: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        with httpx.Client(timeout=900) as http:
            i = offset
            while time.perf_counter() < deadline:
                with lock:
                    if len(latencies) + len(errors) >= max_requests:
                        return
                started = time.perf_counter()
                try:
                    reply = http.post(f"{url}/api/ask", json={"question": questions[i % len(questions)], "mode": mode})
                    ok = reply.status_code == 200
                except httpx.HTTPError as error:
                    ok, reply = False, error
                with lock:
                    (latencies.append((time.perf_counter() - started) * 1000) if ok else errors.append(str(getattr(reply, "status_code", reply))))
                i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"clients": clients, "mode": mode, "seconds": round(elapsed, 1), "requests": len(latencies), "errors": len(errors),
            "error_samples": errors[:3], "throughput_rps": round(len(latencies) / elapsed, 2),
            "p50_ms": round(percentile(latencies, 0.5)), "p95_ms": round(percentile(latencies, 0.95)),
            "latencies_ms": sorted(round(x) for x in latencies) if len(latencies) <= 8 else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline", type=float, default=15)
    parser.add_argument("--llm-clients", type=int, default=4)
    args = parser.parse_args()
    questions = [q.question for q in load_set(SETS_DIR / "tom-questions.jsonl") if not q.follows]
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(default_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.1)
    url = f"http://127.0.0.1:{port}"
    try:
        httpx.post(f"{url}/api/ask", json={"question": questions[0], "mode": "extractive"}, timeout=300)  # warm
        baseline = hammer(url, questions, 1, args.baseline, "extractive", 10_000)
        loaded = hammer(url, questions, args.clients, args.seconds, "extractive", 100_000)
        httpx.post(f"{url}/api/ask", json={"question": questions[1], "mode": "llm"}, timeout=900)  # load the model
        llm = hammer(url, questions[2:], args.llm_clients, 1, "llm", args.llm_clients)
    finally:
        server.should_exit = True
        thread.join(10)
    result = {"baseline_one_client": baseline, "extractive": loaded, "llm": llm,
              "throughput_vs_one_client": round(loaded["throughput_rps"] / baseline["throughput_rps"], 2) if baseline["throughput_rps"] else None}
    write_result("load", result)


if __name__ == "__main__":
    main()
