"""One auth rule for the Gradio UI too: with keys set, its event endpoints refuse anonymous callers.

Real servers (uvicorn on 127.0.0.1) over the ingested corpus; Gradio's events are called over its
own HTTP API (/gradio_api/call/...), as a script would, with and without a Bearer key.
"""

from __future__ import annotations

import httpx
import pytest

from tests.ui.servers import gradio_call, running
from ui.server import build_app

KEY = "ui-secret-key"
ASK = ["What does our TOM say about board meetings?", [], "extractive", "All councils"]


def container(api_settings, api_parts, reads: bool):
    from assistant.components import Components

    settings = api_settings.model_copy(update={"api_keys": [KEY], "auth_reads": reads})
    return Components(settings, embedder=api_parts.embedder, models=api_parts.models)


@pytest.fixture(scope="module")
def locked(api_settings, api_parts):
    """Keys set and TOM_AUTH_READS: nothing without a key."""
    with running(build_app(container(api_settings, api_parts, reads=True))) as base:
        yield base


@pytest.fixture(scope="module")
def writes_locked(api_settings, api_parts):
    """Keys set, reads open: anyone may ask, only key holders may change documents."""
    with running(build_app(container(api_settings, api_parts, reads=False))) as base:
        yield base


@pytest.mark.parametrize("api_name,data", [("ask", ASK), ("delete_document", ["somerset-target-operating-model-2024.txt"]),
                                           ("reingest", []), ("review", ["We will close offices.", None, None]),
                                           ("feedback_up", [None, "x"])])
def test_anonymous_gradio_events_are_refused_when_reads_need_a_key(locked, api_name, data) -> None:
    with pytest.raises(httpx.HTTPStatusError) as refused:
        gradio_call(locked, api_name, data)
    assert refused.value.response.status_code == 401
    for path in ("/gradio_api/queue/join", "/gradio_api/upload", "/gradio_api/info"):
        assert httpx.request("POST" if "info" not in path else "GET", locked + path).status_code == 401
    assert httpx.get(locked + "/api/documents").status_code == 401  # the API follows the same rule


def test_gradio_events_work_with_the_key(locked) -> None:
    kind, data = gradio_call(locked, "ask", ASK, headers={"Authorization": f"Bearer {KEY}"})
    assert kind == "complete", data
    assert "succinct" in str(data).lower()
    with pytest.raises(httpx.HTTPStatusError):
        gradio_call(locked, "ask", ASK, headers={"Authorization": "Bearer wrong-key"})


def test_the_page_sends_visitors_to_log_in(locked) -> None:
    first = httpx.get(locked + "/")
    assert first.status_code == 303 and first.headers["location"] == "/login"
    assert httpx.post(locked + "/login", data={"key": "wrong"}).status_code == 401
    with httpx.Client(base_url=locked) as browser:
        logged_in = browser.post("/login", data={"key": KEY})
        assert logged_in.status_code == 303 and "tom_login" in browser.cookies
        cookie = logged_in.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert browser.get("/").status_code == 200
        assert browser.get("/api/documents").status_code == 200  # the login holds for the API too
        browser.get("/logout")
        assert "tom_login" not in browser.cookies and browser.get("/").status_code == 303


def test_anonymous_readers_cannot_write_through_the_ui(writes_locked, api_parts) -> None:
    kind, data = gradio_call(writes_locked, "ask", ASK)  # reading stays open
    assert kind == "complete", data
    document = "somerset-target-operating-model-2024.txt"
    kind, data = gradio_call(writes_locked, "delete_document", [document])
    assert kind == "error" and "Log in" in str(data), data
    assert document in {d.document for d in api_parts.store.documents()}
    for name in ("reingest", "feedback_up", "evaluate"):
        args = {"reingest": [], "feedback_up": [None, "x"], "evaluate": ["tom-questions.jsonl", "extractive"]}[name]
        kind, data = gradio_call(writes_locked, name, args)
        assert kind == "error" and "Log in" in str(data), (name, data)


def test_a_key_holder_can_write_through_the_ui(writes_locked, api_parts, api_settings) -> None:
    document = "somerset-tom-case-study.txt"  # this module's own copy of the corpus
    kind, data = gradio_call(writes_locked, "delete_document", [document], headers={"Authorization": f"Bearer {KEY}"})
    assert kind == "complete", data
    assert document not in {d.document for d in api_parts.store.documents()}
    assert not (api_settings.corpus_dir / document).exists()


def test_gradio_posts_from_another_origin_are_refused(locked) -> None:
    """Even with the key (or a login cookie the browser would attach), a foreign page cannot post Gradio events."""
    headers = {"Authorization": f"Bearer {KEY}", "Origin": "http://evil.example"}
    for path in ("/gradio_api/call/delete_document", "/gradio_api/queue/join", "/gradio_api/upload", "/login"):
        assert httpx.post(locked + path, json={"data": []}, headers=headers).status_code == 403, path
    assert httpx.get(locked + "/", headers={"Host": "evil.example"}).status_code == 400  # DNS rebinding
