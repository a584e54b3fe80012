"""Several API worker processes over one data folder and one `chroma run` server, as a region's
deployment runs them: `tom serve --workers 2` on one port and a third worker (`tom serve`) on
another. A document uploaded through one worker is listed, searched and answered from by every
other within 2 s (no index rebuild), and all of them write to the one answer log."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

PROJECT = Path(__file__).resolve().parents[2]
PILOT = "Zephyr pilot\n\nThe Zephyr parking pilot runs in Frome from May, with permits sold online.\n"
QUESTION = "When does the Zephyr parking pilot run?"


def fresh(url: str, path: str) -> httpx.Response:
    """One request on a new connection, so the kernel may hand it to any worker on the port."""
    with httpx.Client(base_url=url, timeout=120, headers={"Connection": "close"}) as client:
        return client.get(path)


@pytest.fixture
def workers(chroma_server: str, tmp_path: Path):
    """Two ports: one with two worker processes, one with one; yields their base URLs."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT), "TOM_DATA_DIR": str(tmp_path / "data"),
           "TOM_CORPUS_DIR": str(tmp_path / "corpus"), "TOM_CHROMA_URL": chroma_server, "TOM_LOG_LEVEL": "WARNING"}
    ports, processes = [free_port(), free_port()], []
    try:
        for port, count in zip(ports, (2, 1)):
            log = (tmp_path / f"serve-{port}.log").open("w")
            processes.append(subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--port", str(port), "--workers",
                                               str(count)], cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT))
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process in zip(urls, processes):
            _wait_until_up(url, process, tmp_path)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def _wait_until_up(url: str, process: subprocess.Popen, logs: Path) -> None:
    deadline = time.time() + 600
    while time.time() < deadline:
        assert process.poll() is None, "".join(p.read_text() for p in logs.glob("serve-*.log"))[-3000:]
        try:
            if fresh(url, "/api/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(1)
    pytest.fail(f"{url} did not start")


def test_a_document_uploaded_through_one_worker_is_served_by_the_others(workers, tmp_path: Path):
    pair, single = workers
    pids = {fresh(pair, "/api/health").json()["worker"] for _ in range(40)}
    assert len(pids) == 2, "`--workers 2` should answer from two processes"
    with httpx.Client(base_url=single, timeout=300) as client:
        uploaded = client.post("/api/documents", files={"file": ("zephyr.txt", PILOT.encode(), "text/plain")})
    assert uploaded.status_code == 200, uploaded.text
    written = time.time()
    seen: set[int] = set()
    while seen != pids:  # every worker of the other port lists it, each at its next request
        health = fresh(pair, "/api/health").json()
        listed = [d["document"] for d in fresh(pair, "/api/documents").json()]
        if "zephyr.txt" in listed and health["store"]["documents"] == 1:
            seen.add(health["worker"])
        assert time.time() - written < 2.0 or seen == pids, f"not seen by every worker 2 s after the upload: {seen}"
    with ThreadPoolExecutor(4) as pool:  # the answer log takes writes from every worker at once
        replies = list(pool.map(lambda url: httpx.post(f"{url}/api/ask", timeout=300,
                                                       json={"question": QUESTION, "mode": "extractive"}),
                                [pair, single, pair, single]))
    assert all(reply.status_code == 200 for reply in replies), [reply.text for reply in replies]
    assert all(reply.json()["citations"][0]["document"] == "zephyr.txt" for reply in replies)
    answer_id = replies[0].json()["answer_id"]  # answered by the pair's port, rated through the other
    rated = httpx.post(f"{single}/api/feedback", json={"answer_id": answer_id, "rating": "up"}, timeout=60)
    assert rated.status_code == 200, rated.text
