"""Who waits for the one model, on a real server (uvicorn on 127.0.0.1) with a scripted slow model:
a question's quotations come while another user's answer holds the model (retrieval and
quotations never queue for it), a question that arrives after a review goes to the model before
it, and a client that leaves while waiting for the model leaves no place held.
"""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from eval.dataset import SETS_DIR, load_proposals
from tests.ui.servers import ScriptedModel, running, services_over
from ui.api import create_app

QUESTION = "What does our TOM say about board meetings?"


@pytest.fixture(scope="module")
def model() -> ScriptedModel:
    return ScriptedModel(delay=0.002, wait=3.0)  # 3 s of "reading its prompt" per answer


@pytest.fixture(scope="module")
def server(api_settings, api_parts, model):
    services = services_over(api_settings, api_parts, model, timeout=180)
    with running(create_app(services.components, services=services)) as base:
        yield base, services


class Client(threading.Thread):
    """One streamed request on its own thread; notes when each event arrived."""

    def __init__(self, base: str, path: str, body: dict) -> None:
        super().__init__(daemon=True)
        self.url, self.body = f"{base}{path}", body
        self.events: list[tuple[str, float, dict]] = []
        self.start()

    def run(self) -> None:
        kind = ""
        with httpx.Client(timeout=120) as http, http.stream("POST", self.url, json=self.body) as reply:
            for line in reply.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    self.events.append((kind, time.monotonic(), json.loads(line[6:])))

    def at(self, kind: str) -> float:
        return next(t for k, t, _ in self.events if k == kind)


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def a_proposal_the_model_judges() -> str:
    return next(c.proposal for c in load_proposals(SETS_DIR / "tom-proposals.jsonl") if c.overall == "conflicts")


def test_quotations_come_while_the_model_is_busy_and_a_question_goes_before_a_review(server, model) -> None:
    base, services = server
    model.reset()
    first = Client(base, "/api/ask/stream", {"question": QUESTION})
    wait_for(lambda: model.started.is_set())  # the first answer holds the model for 3 s and more
    review = Client(base, "/api/review/stream", {"text": a_proposal_the_model_judges()})
    wait_for(lambda: services.lanes.model.queued == 1)  # parsed in the answers lane, now waiting for the model
    question = Client(base, "/api/ask/stream", {"question": QUESTION})
    for client in (first, review, question):
        client.join(120)

    assert question.at("quotations") < first.at("done"), "the quotations waited for another user's answer"
    assert question.at("done") < review.at("done"), "the question waited behind a review that came first"
    assert [k for k, _, _ in question.events][0] == "quotations"
    assert review.events[-1][0] == "done" and review.events[-1][2]["criteria"]
    wait_for(lambda: not services.lanes.model.holders and not services.lanes.answers.holders)


def test_a_client_that_leaves_while_waiting_for_the_model_leaves_no_place_held(server, model) -> None:
    base, services = server
    model.reset()
    first = Client(base, "/api/ask/stream", {"question": QUESTION})
    wait_for(lambda: model.started.is_set())
    with httpx.Client(timeout=60) as http, http.stream("POST", f"{base}/api/ask/stream", json={"question": QUESTION}) as reply:
        for line in reply.iter_lines():
            if line.startswith("event: quotations"):
                break  # quoted, now waiting for the model: leave
    wait_for(lambda: services.lanes.model.queued == 0, 10)  # its wait for the model was cancelled
    assert model.streams == 1  # and it never reached the model
    first.join(120)
    assert first.events[-1][0] == "done"
    wait_for(lambda: not services.lanes.model.holders and not services.lanes.answers.holders, 10)

