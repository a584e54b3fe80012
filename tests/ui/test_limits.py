"""Limits under load, on a real server (uvicorn on 127.0.0.1) with a scripted slow model:
queued model calls never hold up health or the documents list, a full queue answers 503 with
Retry-After, the time limit ends a request (a client that disconnects: test_bridge.py), an
unexpected failure mid-answer ends the wait with a clear error (API and UI), and oversized
questions and bodies are refused before any work.
"""

from __future__ import annotations

import asyncio
import logging
import select
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.ui.servers import ScriptedModel, gradio_call, running, services_over
from ui.api import create_app

QUESTION = "What does our TOM say about board meetings?"


@pytest.fixture(scope="module")
def model() -> ScriptedModel:
    return ScriptedModel(delay=0.1)


@pytest.fixture(scope="module")
def slow(api_settings, api_parts, model):
    """A server whose model writes a word every 0.1 s; one model call at a time, three may wait."""
    services = services_over(api_settings, api_parts, model)
    with running(create_app(services.components, services=services)) as base:
        yield base, services


def timed_get(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    status = httpx.get(url, timeout=10).status_code
    return status, time.perf_counter() - started


def hold_streams(base: str, count: int, stop: threading.Event) -> list[threading.Thread]:
    """`count` llm questions streamed at once, each held open until `stop`."""
    def one() -> None:
        with httpx.Client(timeout=120) as http, http.stream("POST", f"{base}/api/ask/stream", json={"question": QUESTION}) as reply:
            for _ in reply.iter_lines():
                if stop.is_set():
                    return
    threads = [threading.Thread(target=one, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def test_health_answers_while_model_calls_queue_and_a_full_queue_is_503(slow, model) -> None:
    base, services = slow
    model.reset(delay=0.1)
    stop = threading.Event()
    threads = hold_streams(base, 4, stop)  # one answering, three waiting: the queue is full
    try:
        assert model.started.wait(60)
        deadline = time.monotonic() + 30
        while services.lanes.model.queued < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert services.lanes.model.queued == 3
        for _ in range(5):
            for path in ("/api/health", "/api/documents"):
                status, seconds = timed_get(base + path)
                assert status == 200 and seconds < 1.0, (path, seconds)
        busy = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=10)
        assert busy.status_code == 503 and int(busy.headers["retry-after"]) >= 1, busy.text
        assert "busy" in busy.json()["detail"]
        extractive = httpx.post(f"{base}/api/ask", json={"question": QUESTION, "mode": "extractive"}, timeout=60)
        assert extractive.status_code == 200  # extractive answers do not queue behind the model
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    deadline = time.monotonic() + 60
    while services.lanes.model.holders and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not services.lanes.model.holders and services.lanes.model.queued == 0


def test_the_time_limit_ends_a_request_and_frees_the_model(api_settings, api_parts) -> None:
    model = ScriptedModel(delay=0.2)
    services = services_over(api_settings, api_parts, model, timeout=4)
    with running(create_app(services.components, services=services)) as base:
        started = time.perf_counter()
        reply = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=60)
        assert reply.status_code == 504 and "too long" in reply.json()["detail"], reply.text
        assert time.perf_counter() - started < 15
        assert model.closed.wait(15)
        streamed = httpx.post(f"{base}/api/ask/stream", json={"question": QUESTION}, timeout=60)
        assert '"status": 504' in streamed.text


def test_an_unexpected_failure_mid_answer_ends_the_wait_with_a_clear_error(api_settings, api_parts, caplog) -> None:
    """The model raises something other than LLMUnavailable: the API answers 500, the UI shows a message."""
    from ui import web_ask
    from ui.server import build_app

    model = ScriptedModel(delay=0.01, fail_after=30, error=ValueError("scripted backend fault"))
    services = services_over(api_settings, api_parts, model)
    with caplog.at_level(logging.ERROR, logger="ui.bridge"), running(create_app(services.components, services=services)) as base:
        reply = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=120)
    assert reply.status_code == 500 and "server log" in reply.json()["detail"]
    assert "scripted backend fault" not in reply.text  # internals stay in the log
    assert any(r.exc_info and "scripted backend fault" in str(r.exc_info[1]) for r in caplog.records)

    async def last_ui_update():
        updates = [u async for u in web_ask.ask(services, QUESTION, [], None, "llm", "All councils")]
        return updates[-1][0][-1]["content"]
    with ThreadPoolExecutor(1) as pool:  # a loop of its own: Playwright may hold this thread's
        assert "failed unexpectedly" in pool.submit(asyncio.run, asyncio.wait_for(last_ui_update(), 120)).result(150)

    with running(build_app(services.components)) as base:  # and through Gradio's own event API
        kind, data = gradio_call(base, "ask", [QUESTION, [], "llm", "All councils"], timeout=120)
    assert kind == "complete" and "failed unexpectedly" in str(data), data


def test_a_huge_question_is_refused_quickly_and_health_stays_responsive(slow, model) -> None:
    """200,000 characters: 413 at once, even while the model is busy and others wait for it."""
    base, services = slow
    model.reset(delay=0.1)
    stop = threading.Event()
    holders = hold_streams(base, 2, stop)
    results: list[tuple[int, float]] = []

    def huge(mode: str) -> None:
        started = time.perf_counter()
        reply = httpx.post(f"{base}/api/ask", json={"question": "why (a+)+ " * 20_000, "mode": mode}, timeout=30)
        results.append((reply.status_code, time.perf_counter() - started))
    try:
        assert model.started.wait(60)
        threads = [threading.Thread(target=huge, args=(mode,)) for mode in ("llm", "llm", "extractive", "extractive")]
        for thread in threads:
            thread.start()
        health = [timed_get(base + "/api/health") for _ in range(3)]
        for thread in threads:
            thread.join(30)
        review = httpx.post(f"{base}/api/review", json={"text": "We will merge the depots. " * 8000}, timeout=30)
    finally:
        stop.set()
        for thread in holders:
            thread.join(60)
    assert [status for status, _ in results] == [413] * 4
    assert max(seconds for _, seconds in results) < 3, results
    assert all(status == 200 and seconds < 1.0 for status, seconds in health), health
    assert review.status_code == 413 and "limit" in review.json()["detail"]


def test_a_malformed_session_id_is_400(slow) -> None:
    base, _ = slow
    reply = httpx.post(f"{base}/api/ask", json={"question": QUESTION, "session": "s" * 1_000_000, "mode": "extractive"}, timeout=30)
    assert reply.status_code == 400 and "session" in reply.json()["detail"]
    streamed = httpx.post(f"{base}/api/ask/stream", json={"question": QUESTION, "session": "bad id!", "mode": "extractive"}, timeout=30)
    assert '"status": 400' in streamed.text


def raw_request(base: str, head: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(head.encode())
    return sock


def test_a_chunked_body_is_refused_as_it_streams(slow, api_parts, api_settings) -> None:
    """60 MB sent in chunks with no Content-Length: the 413 comes back before the body is through."""
    base, _ = slow
    before = [d.document for d in api_parts.store.documents()]
    sock = raw_request(base, "POST /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                             "Content-Type: multipart/form-data; boundary=XyZ\r\n\r\n")
    chunk = b"x" * (1 << 20)
    sent, reply = 0, b""
    with sock:
        first = b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="huge.txt"\r\n\r\n'
        sock.sendall(b"%x\r\n%s\r\n" % (len(first), first))
        while sent < 60 * (1 << 20) and not reply:
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
            if select.select([sock], [], [], 0)[0]:
                reply = sock.recv(65536)
        reply = reply or sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert sent < 40 * (1 << 20), f"refused only after {sent} bytes"
    assert [d.document for d in api_parts.store.documents()] == before
    assert not (api_settings.corpus_dir / "huge.txt").exists()


def test_a_declared_oversized_body_is_refused_unread(slow) -> None:
    base, _ = slow
    with raw_request(base, "POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           f"Content-Length: {60 * (1 << 20)}\r\n\r\n") as sock:
        assert sock.recv(65536).startswith(b"HTTP/1.1 413")
