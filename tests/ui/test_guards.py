"""Host and Origin checks, and the constant-time key comparison, through FastAPI's test client."""

from __future__ import annotations

import hmac

import pytest
from fastapi.testclient import TestClient

from ui.api import create_app

NOTE = ("note.txt", b"The Larkspur depot reopens in Yeovil.", "text/plain")


@pytest.fixture(scope="module")
def app(api_parts):
    return create_app(api_parts)


@pytest.fixture(scope="module")
def keyed(api_settings, api_parts):
    from assistant.components import Components

    settings = api_settings.model_copy(update={"api_keys": ["first-key", "second-key"], "auth_reads": False})
    return create_app(Components(settings, embedder=api_parts.embedder, models=api_parts.models))


@pytest.mark.parametrize("host", ["evil.example", "attacker.example:7860", "127.0.0.1.nip.io"])
def test_unknown_hosts_are_refused(app, host) -> None:
    """DNS rebinding: a page at evil.example that resolves to 127.0.0.1 still sends Host: evil.example."""
    assert TestClient(app, base_url=f"http://{host}").get("/api/health").status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.0.0.1:7860", "localhost:8000"])
def test_local_hosts_are_accepted(app, host) -> None:
    assert TestClient(app, base_url=f"http://{host}").get("/api/health").status_code == 200


def test_a_configured_host_is_accepted(api_parts) -> None:
    app = create_app(api_parts, hosts=["tom.council.internal"])
    assert TestClient(app, base_url="http://tom.council.internal").get("/api/health").status_code == 200


def test_a_cross_site_upload_is_refused(app, api_parts, api_settings) -> None:
    """A page the officer visits posts a multipart form to 127.0.0.1 (a CORS simple request): refused 403."""
    client = TestClient(app, base_url="http://127.0.0.1:7860")
    before = [d.document for d in api_parts.store.documents()]
    for origin in ("http://evil.example", "null", "http://127.0.0.1:9999", "https://127.0.0.1:7860"):
        reply = client.post("/api/documents", files={"file": NOTE}, headers={"Origin": origin})
        assert reply.status_code == 403, (origin, reply.text)
    assert client.delete("/api/documents/note.txt", headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/api/ask", json={"question": "x"}, headers={"Origin": "http://evil.example"}).status_code == 403
    assert [d.document for d in api_parts.store.documents()] == before
    assert not (api_settings.corpus_dir / "note.txt").exists()


def test_same_origin_and_scripts_pass_the_origin_check(app, api_parts) -> None:
    client = TestClient(app, base_url="http://127.0.0.1:7860")
    same = client.post("/api/documents", files={"file": NOTE}, headers={"Origin": "http://127.0.0.1:7860"})
    assert same.status_code == 200, same.text
    assert client.delete("/api/documents/note.txt").status_code == 200  # no Origin: a script
    assert client.get("/api/health", headers={"Origin": "http://evil.example"}).status_code == 200  # reads change nothing


def test_scripts_without_origin_still_need_the_key(keyed) -> None:
    client = TestClient(keyed, base_url="http://127.0.0.1")
    assert client.post("/api/documents", files={"file": NOTE}).status_code == 401
    assert client.post("/api/feedback", json={"answer_id": "x", "rating": "up"},
                       headers={"Authorization": "Bearer second-key"}).status_code == 404  # past auth: no such answer
    assert client.get("/api/documents").status_code == 200  # reads open without TOM_AUTH_READS


def test_keys_are_compared_in_constant_time_against_every_key(keyed, monkeypatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return original(a, b)
    monkeypatch.setattr("ui.auth.hmac.compare_digest", spy)
    client = TestClient(keyed, base_url="http://127.0.0.1")
    for key, expected in (("first-key", 404), ("wrong-key", 401)):
        calls.clear()
        reply = client.post("/api/feedback", json={"answer_id": "x", "rating": "up"}, headers={"Authorization": f"Bearer {key}"})
        assert reply.status_code == expected
        assert sorted(b for _, b in calls[:2]) == [b"first-key", b"second-key"]  # no early exit on a match
