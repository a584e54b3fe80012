"""The streaming bridge on a real server (uvicorn on 127.0.0.1) with a scripted slow model: a client
that leaves stops the model at its next token, mid-sentence, streaming or not, and the next request
gets the model; a model backend that fails mid-answer gives way to an extractive answer.

The scripted model writes one sentence, then `filler` words with no sentence end, a word every
0.05 s: grounding passes nothing on during the filler, so only a per-token check can stop it.
"""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from assistant.llm import LLMUnavailable
from tests.ui.servers import ScriptedModel, running, services_over
from ui.api import create_app

QUESTION = "What does our TOM say about board meetings?"
FILLER = 400  # 20 s of words with no sentence end
AFTER_LEAVING = 40  # words the model may still write once the client has gone (2 s of them)


@pytest.fixture(scope="module")
def model() -> ScriptedModel:
    return ScriptedModel(delay=0.05, filler=FILLER)


@pytest.fixture(scope="module")
def server(api_settings, api_parts, model):
    services = services_over(api_settings, api_parts, model)
    with running(create_app(services.components, services=services)) as base:
        yield base, services


def lane_freed(services, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while services.lanes.model.holders and time.monotonic() < deadline:
        time.sleep(0.1)
    return not services.lanes.model.holders


def test_a_client_that_leaves_mid_sentence_stops_the_model_at_its_next_token(server, model) -> None:
    base, services = server
    model.reset()
    with httpx.Client(timeout=60) as http, http.stream("POST", f"{base}/api/ask/stream", json={"question": QUESTION}) as reply:
        for line in reply.iter_lines():
            if line.startswith("event: token"):
                break  # the first sentence arrived; the model is now in its filler: leave
        left_at = model.words_sent
    assert model.closed.wait(10), "the model kept generating for a client that had gone"
    assert model.words_sent - left_at <= AFTER_LEAVING, (left_at, model.words_sent)
    assert model.words_sent < FILLER  # nowhere near the end of the sentence
    assert lane_freed(services)

    model.reset()  # the next request gets the model at once
    with httpx.Client(timeout=60) as http, http.stream("POST", f"{base}/api/ask/stream", json={"question": QUESTION}) as reply:
        got_a_token = any(line.startswith("event: token") for line in reply.iter_lines())
    assert got_a_token and model.streams == 1
    assert model.closed.wait(10) and lane_freed(services)


def test_a_client_that_leaves_a_plain_request_stops_the_model(server, model) -> None:
    """POST /api/ask (no stream): the answer is grounded once at the end, yet the model stops when the client goes."""
    base, services = server
    model.reset()
    host, port = base.removeprefix("http://").split(":")
    body = json.dumps({"question": QUESTION}).encode()
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        assert model.started.wait(60)
        time.sleep(1)  # well into the filler
        left_at = model.words_sent
    assert model.closed.wait(10), "the model kept generating for a client that had gone"
    assert model.words_sent - left_at <= AFTER_LEAVING + 10, (left_at, model.words_sent)  # + the half-second poll
    assert lane_freed(services)


def test_a_backend_that_fails_mid_answer_falls_back_to_extractive(api_settings, api_parts) -> None:
    """The model's server goes away after a few words (LLMUnavailable): the answer is extractive and says why
    (before: the error reached the client as a 500)."""
    model = ScriptedModel(delay=0.01, fail_after=8, error=LLMUnavailable("connection to the model server lost"))
    services = services_over(api_settings, api_parts, model)
    with running(create_app(services.components, services=services)) as base:
        plain = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=120)
        streamed = httpx.post(f"{base}/api/ask/stream", json={"question": QUESTION}, timeout=120)
    assert plain.status_code == 200, plain.text
    answer = plain.json()
    assert answer["mode"] == "extractive" and "model failed" in answer["notice"] and "server lost" in answer["notice"]
    assert not answer["refused"] and answer["citations"] and "succinct" in answer["answer"].lower()
    events = [line.split(": ", 1)[1] for line in streamed.text.splitlines() if line.startswith("event: ")]
    assert "error" not in events and events[-1] == "done", events
    done = json.loads([line for line in streamed.text.splitlines() if line.startswith("data: ")][-1][6:])
    assert done["mode"] == "extractive" and done["citations"]
    assert model.streams == 2
