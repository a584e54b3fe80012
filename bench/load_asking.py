"""`bench_load.py --asking N`: N users asking in llm mode at once on the REAL default model.

Each user loops over the project's questions through /api/ask/stream; per question it records the
time to first cited content (quotations, a first grounded token, or a refusal with its closest
passages), to the first phrased token and to the whole answer. Writes bench/results/load-asking.json.
"""

from __future__ import annotations

import json
import random
import tempfile
import threading
import time
from pathlib import Path

import httpx

from common import percentile, write_result
from served import private_container, serve


def asker(url: str, index: int, deadline: float, questions: list[str], timings: list[dict]) -> None:
    """One user asking in llm mode through the stream, question after question, until `deadline`."""
    rng = random.Random(index)
    with httpx.Client(timeout=600) as http:
        while time.perf_counter() < deadline:
            question, started, seen = rng.choice(questions), time.perf_counter(), {}
            with http.stream("POST", f"{url}/api/ask/stream", json={"question": question, "mode": "llm"}) as reply:
                kind = ""
                for line in reply.iter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                        seen.setdefault(kind, time.perf_counter() - started)
                    elif line.startswith("data: ") and kind == "done":
                        seen["refused"] = json.loads(line[6:])["refused"]
            first = min((seen[k] for k in ("quotations", "token", "done") if k in seen), default=None)
            timings.append({"user": index, "question": question, "status": reply.status_code, "first_content_s": first,
                            **{f"{k}_s": seen.get(k) for k in ("quotations", "token", "done", "error")},
                            "refused": seen.get("refused")})


def asking_summary(timings: list[dict], users: int, seconds: float) -> dict:
    def figures(key: str) -> dict:
        values = [t[key] for t in timings if t[key] is not None]
        return {"n": len(values), "p50_s": round(percentile(values, 0.5), 2), "p95_s": round(percentile(values, 0.95), 2)}
    return {"users": users, "seconds": round(seconds, 1), "questions": len(timings),
            "errors": sum(1 for t in timings if t["error_s"] is not None or t["status"] != 200),
            "refused": sum(1 for t in timings if t["refused"]),
            "first_cited_content": figures("first_content_s"), "quotations": figures("quotations_s"),
            "first_phrased_token": figures("token_s"), "whole_answer": figures("done_s"), "timings": timings}


def main(users: int, seconds: float, questions: list[str]) -> None:
    """Serve a private copy of the store with the real model, let `users` ask for `seconds`, write the figures."""
    with tempfile.TemporaryDirectory(prefix="tom-bench-asking-") as root:
        server, thread, url = serve(private_container(Path(root), real_model=True))
        try:
            httpx.post(f"{url}/api/ask", json={"question": questions[0], "mode": "llm"}, timeout=600)  # loads the model
            timings: list[dict] = []
            started = time.perf_counter()
            threads = [threading.Thread(target=asker, args=(url, i, started + seconds, questions, timings)) for i in range(users)]
            for one in threads:
                one.start()
            for one in threads:
                one.join()
        finally:
            server.should_exit = True
            thread.join(15)
    result = asking_summary(timings, users, time.perf_counter() - started)
    result["passed"] = result["errors"] == 0 and result["first_cited_content"]["p95_s"] <= 3.0
    write_result("load-asking", result)
