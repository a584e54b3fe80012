"""Every endpoint through FastAPI's test client over the real assistant, with auth off and on, and the limits."""

from __future__ import annotations

import io
import json

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ScriptedModel, key_facts_present
from ui.api import create_app


@pytest.fixture(scope="module")
def client(api_parts) -> TestClient:
    return TestClient(create_app(api_parts), base_url="http://127.0.0.1")  # the Host check accepts 127.0.0.1, not "testserver"


@pytest.fixture(scope="module")
def locked(api_settings, api_parts) -> TestClient:
    from assistant.components import Components

    settings = api_settings.model_copy(update={"api_keys": ["secret-key"], "auth_reads": True})
    return TestClient(create_app(Components(settings, embedder=api_parts.embedder, models=api_parts.models)),
                      base_url="http://127.0.0.1")


def events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "data" not in lines:  # a comment (sse-starlette's keep-alive ping)
            continue
        out.append((lines.get("event", ""), json.loads(lines["data"])))
    return out


def test_ask_returns_the_cli_json_object(client, api_parts) -> None:
    reply = client.post("/api/ask", json={"question": "What does our TOM say about board meetings?", "mode": "extractive"})
    assert reply.status_code == 200
    data = reply.json()
    assert {"answer", "citations", "refused", "mode", "model", "latency_ms", "session", "answer_id"} <= set(data)
    assert not data["refused"] and data["citations"]
    chunk = api_parts.retriever.store.get([data["citations"][0]["chunk_id"]])[0]
    assert data["citations"][0]["quote"] in chunk.text


def test_ask_stream_sends_tokens_then_citations_then_done(client) -> None:
    reply = client.post("/api/ask/stream", json={"question": "What are the five themes of Somerset's TOM?", "mode": "extractive"})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/event-stream")
    kinds = [kind for kind, _ in events(reply.text)]
    assert kinds[0] == "token" and kinds[-2:] == ["citations", "done"]
    done = events(reply.text)[-1][1]
    assert "".join(d["text"] for k, d in events(reply.text) if k == "token") == done["answer"]


@pytest.fixture(scope="module")
def scripted(api_settings, api_parts) -> TestClient:
    """The API answering in llm mode with a scripted model that reads its prompt for a second."""
    from tests.ui.servers import services_over

    services = services_over(api_settings, api_parts, ScriptedModel(delay=0.0, wait=1.0))
    return TestClient(create_app(services.components, services=services), base_url="http://127.0.0.1")


def test_ask_stream_in_llm_mode_sends_quotations_before_the_first_token(scripted) -> None:
    sent = events(scripted.post("/api/ask/stream", json={"question": "What does our TOM say about board meetings?"}).text)
    kinds = [kind for kind, _ in sent]
    assert kinds[0] == "quotations" and kinds.count("quotations") == 1 and kinds[1] == "token", kinds
    assert kinds[-2:] == ["citations", "done"]
    quotations, done = sent[0][1], sent[-1][1]
    assert set(quotations) == {"text", "citations", "answers"} and quotations["answers"] and "succinct" in quotations["text"].lower()
    assert quotations["citations"] and all(set(c) == set(done["citations"][0]) for c in quotations["citations"])
    assert f"[{quotations['citations'][0]['n']}]" in quotations["text"]
    assert done["mode"] == "llm" and not done["refused"] and done["citations"]


def test_ask_stream_sends_no_quotations_for_a_refused_question(scripted) -> None:
    sent = events(scripted.post("/api/ask/stream", json={"question": "How many parking permits did the council issue last year?"}).text)
    assert "quotations" not in [kind for kind, _ in sent]
    assert sent[-1][0] == "done" and sent[-1][1]["refused"] and sent[-1][1]["mode"] == "llm"


def test_question_limits_are_clear_4xx(client, api_settings) -> None:
    assert client.post("/api/ask", json={"question": "  "}).status_code == 400
    long = client.post("/api/ask", json={"question": "why " * api_settings.max_question_chars})
    assert long.status_code == 413 and "limit" in long.json()["detail"]
    assert client.post("/api/ask", json={"mode": "extractive"}).status_code == 422


def test_feedback_is_recorded(client, api_parts) -> None:
    answer_id = client.post("/api/ask", json={"question": "Who monitors the delivery of TOM action plans?", "mode": "extractive"}).json()["answer_id"]
    assert client.post("/api/feedback", json={"answer_id": answer_id, "rating": "down", "comment": "too short"}).status_code == 200
    assert client.post("/api/feedback", json={"answer_id": "nope", "rating": "up"}).status_code == 404
    assert client.post("/api/feedback", json={"answer_id": answer_id, "rating": "meh"}).status_code == 422


def test_health_and_documents(client) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["store"]["documents"] >= 5 and health["version"]
    assert "somerset-design-principles" in health["frameworks"]
    documents = client.get("/api/documents").json()
    assert any(d["document"] == "somerset-target-operating-model-2024.txt" and d["chunks"] > 10 for d in documents)
    assert all(d["inferred"] == [] for d in documents)  # the sample corpus's manifest describes every document


def test_the_document_list_says_which_fields_were_inferred(client) -> None:
    """An upload without a manifest entry is described from its own text, and the list says which fields were guessed."""
    page = b"Wrenfield Council scrutiny report, March 2023\n\nWrenfield Council will review its boards.\n"
    assert client.post("/api/documents", files={"file": ("wrenfield-report.txt", page, "text/plain")}).status_code == 200
    listed = {d["document"]: d for d in client.get("/api/documents").json()}["wrenfield-report.txt"]
    assert {"title", "council", "date"} <= set(listed["inferred"]) and listed["council"] == "Wrenfield Council"
    assert client.delete("/api/documents/wrenfield-report.txt").status_code == 200


def test_upload_a_document_with_script_then_delete_it(client, api_settings) -> None:
    page = b"<html><body><h1>Parking pilot</h1><p>The Zephyr parking pilot <script>window.pwned=1</script>runs in Frome.</p></body></html>"
    reply = client.post("/api/documents", files={"file": ("zephyr-pilot.html", page, "text/html")})
    assert reply.status_code == 200, reply.text
    assert "zephyr-pilot.html" in reply.json()["added"]
    assert (api_settings.corpus_dir / "zephyr-pilot.html").is_file()
    answer = client.post("/api/ask", json={"question": "Where does the Zephyr parking pilot run?", "mode": "extractive"}).json()
    assert "Frome" in answer["answer"] and "<script>" not in answer["answer"]
    assert client.delete("/api/documents/zephyr-pilot.html").json()["removed_chunks"] >= 1
    assert not (api_settings.corpus_dir / "zephyr-pilot.html").exists()
    assert client.delete("/api/documents/zephyr-pilot.html").status_code == 404


@pytest.mark.parametrize("name", ["../../escape.txt", "..\\..\\escape.txt", "/etc/passwd.txt", ".hidden.txt"])
def test_upload_names_cannot_escape(client, api_settings, name) -> None:
    reply = client.post("/api/documents", files={"file": (name, b"Some text about the council.", "text/plain")})
    assert reply.status_code == 400, reply.text
    assert not (api_settings.corpus_dir.parent / "escape.txt").exists()


def test_bad_uploads_leave_the_store_as_it_was(client, api_settings) -> None:
    before = client.get("/api/documents").json()
    assert client.post("/api/documents", files={"file": ("notes.xyz", b"text", "text/plain")}).status_code == 415
    assert client.post("/api/documents", files={"file": ("empty.txt", b"   ", "text/plain")}).status_code == 422
    big = api_settings.max_upload_bytes + 200_000
    assert client.post("/api/documents", files={"file": ("big.txt", io.BytesIO(b"a" * big), "text/plain")}).status_code == 413
    assert client.get("/api/documents").json() == before
    assert not (api_settings.corpus_dir / "empty.txt").exists()


def test_review_errors_and_a_vague_proposal(client, api_settings) -> None:
    assert client.post("/api/review", json={"text": ""}).status_code == 400
    too_long = client.post("/api/review", json={"text": "x " * api_settings.max_proposal_chars})
    assert too_long.status_code == 413 and "limit" in too_long.json()["detail"]
    assert client.post("/api/review", json={"text": "We will close offices.", "framework": "nope"}).status_code == 404
    vague = client.post("/api/review", json={"text": "We want to make things better. It will be great."}).json()
    assert {c["verdict"] for c in vague["criteria"]} == {"not_addressed"} and vague["warnings"]
    upload = client.post("/api/review", files={"file": ("idea.txt", b"We want to make things better for everyone.", "text/plain")},
                         data={"framework": "somerset-values"})
    assert upload.status_code == 200 and upload.json()["framework"] == "somerset-values"


def test_auth_guards_writes_and_reads(client, locked) -> None:
    assert locked.get("/api/documents").status_code == 401
    assert locked.post("/api/feedback", json={"answer_id": "x", "rating": "up"}).status_code == 401
    assert locked.delete("/api/documents/x.txt", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert locked.get("/api/documents", headers={"Authorization": "Bearer secret-key"}).status_code == 200
    assert locked.get("/v1/models").status_code == 401
    assert locked.get("/api/health").status_code == 200  # liveness stays open
    assert client.get("/api/documents").status_code == 200  # no keys configured: open


def test_openai_models_endpoint(client) -> None:
    data = client.get("/v1/models").json()
    assert data["object"] == "list" and data["data"][0]["id"] == "tom-assistant"


@pytest.mark.slow
def test_openai_client_against_the_server(api_settings, api_parts) -> None:
    """The `openai` package pointed at the app (llm mode, real model), plain and streamed, with a follow-up."""
    import threading

    import uvicorn
    from openai import OpenAI

    from tests.conftest import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(api_parts), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            thread.join(0.1)
        client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused", max_retries=0, timeout=300)
        assert [m.id for m in client.models.list().data] == ["tom-assistant"]
        question = "What are the five themes of Somerset's Target Operating Model?"
        reply = client.chat.completions.create(model="tom-assistant", messages=[{"role": "user", "content": question}])
        text = reply.choices[0].message.content
        assert key_facts_present(text, ["People and Skills", "Governance"]) and "Sources:\n[1]" in text
        stream = client.chat.completions.create(model="tom-assistant", stream=True, messages=[
            {"role": "user", "content": question}, {"role": "assistant", "content": text},
            {"role": "user", "content": "Which of them covers the council's buildings?"}])
        streamed = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
        assert "Sources:" in streamed and "building" in streamed.lower()
    finally:
        server.should_exit = True
        thread.join(10)


def test_api_docs_are_served_without_a_cdn(client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "/api/ask" in page.text and "/v1/chat/completions" in page.text
    assert "http://" not in page.text and "https://" not in page.text and "<script" not in page.text
    assert "/api/ask" in client.get("/openapi.json").json()["paths"]


def test_an_upload_named_like_an_existing_document_is_409(client, api_settings) -> None:
    """The ingest layer refuses to replace a document silently; its error's status reaches the client."""
    first = client.post("/api/documents", files={"file": ("twice.txt", b"The Ashcombe pilot runs in Wells.", "text/plain")})
    assert first.status_code == 200, first.text
    again = client.post("/api/documents", files={"file": ("twice.txt", b"Another text entirely.", "text/plain")})
    assert again.status_code == 409 and "twice.txt" in again.json()["detail"], again.text
    assert client.delete("/api/documents/twice.txt").status_code == 200
