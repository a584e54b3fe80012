"""Upload names: plain base names only, no control or invisible formatting characters, at most 255 bytes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ui.api import create_app

TEXT = b"The Wrenfield pilot runs in Chard."


@pytest.fixture(scope="module")
def client(api_parts) -> TestClient:
    return TestClient(create_app(api_parts), base_url="http://127.0.0.1")


def raw_upload(client: TestClient, name: str):
    """A multipart body written by hand, so the name reaches the server byte for byte (httpx escapes control characters)."""
    body = (b"--B0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name.encode("utf-8")
            + b"\"\r\nContent-Type: text/plain\r\n\r\n" + TEXT + b"\r\n--B0undary--\r\n")
    return client.post("/api/documents", content=body, headers={"Content-Type": "multipart/form-data; boundary=B0undary"})


@pytest.mark.parametrize("name,why", [
    ("bell\x07.txt", "control"), ("tab\there.txt", "control"), ("esc\x1b[31m.txt", "control"), ("del\x7f.txt", "control"),
    ("invoice\u202etxt.exe.txt", "formatting"), ("zero\u200bwidth.txt", "formatting"), ("bom\ufeff.txt", "formatting"),
    ("lri\u2066x\u2069.txt", "formatting"),
])
def test_names_with_control_or_format_characters_are_refused(client, api_settings, name, why) -> None:
    reply = raw_upload(client, name)
    assert reply.status_code == 400, reply.text
    assert why in reply.json()["detail"]
    assert not any(ch in p.name for p in api_settings.corpus_dir.iterdir() for ch in name if not ch.isalnum() and ch != ".")


@pytest.mark.parametrize("name", ["a" * 252 + ".txt", "é" * 126 + ".txt", "文" * 85 + ".txt"])
def test_names_over_255_bytes_are_refused(client, name) -> None:
    assert len(name.encode("utf-8")) > 255
    reply = client.post("/api/documents", files={"file": (name, TEXT, "text/plain")})
    assert reply.status_code == 400 and "255" in reply.json()["detail"], reply.text


def test_a_long_but_acceptable_unicode_name_is_kept(client, api_settings) -> None:
    name = "é" * 100 + ".txt"  # 204 bytes
    reply = client.post("/api/documents", files={"file": (name, TEXT, "text/plain")})
    assert reply.status_code == 200, reply.text
    assert (api_settings.corpus_dir / name).is_file()
    assert client.delete(f"/api/documents/{name}").status_code == 200


def test_the_ui_applies_the_same_name_rules(api_parts, tmp_path) -> None:
    from ui.services import Services
    from ui.web_documents import DocumentActions

    class Anyone:
        username = None
    bad = tmp_path / "bidi\u202etxt.exe.txt"
    bad.write_bytes(TEXT)
    _, _, message = DocumentActions(Services.of(api_parts)).add(str(bad), Anyone(), progress=lambda *a, **k: None)
    assert "formatting" in message and bad.name not in {d.document for d in api_parts.store.documents()}
