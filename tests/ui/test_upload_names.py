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


def named(size: int, char: str) -> str:
    """A name of exactly `size` UTF-8 bytes ending in .txt, made of `char` (padded with "b")."""
    stem = char * ((size - 4) // len(char.encode("utf-8")))
    return stem + "b" * (size - 4 - len(stem.encode("utf-8"))) + ".txt"


@pytest.mark.parametrize("char", ["a", "é", "文"])
@pytest.mark.parametrize("size", [243, 244, 255])
def test_every_name_up_to_255_bytes_stages_and_is_stored_under_itself(client, api_settings, size, char) -> None:
    """Up to 255 bytes, whatever the staging adds to it: added, replaced (the old file kept in the trash
    under its own name), listed and deleted, with no staged copy left behind."""
    name = named(size, char)
    corpus, trash = api_settings.corpus_dir, api_settings.data_dir / "trash"
    assert client.post("/api/documents", files={"file": (name, TEXT, "text/plain")}).json()["added"] == [name]
    replaced = client.post("/api/documents", files={"file": (name, b"The Wrenfield pilot moves to Wells.", "text/plain")},
                           data={"replace": "true"})
    assert replaced.status_code == 200 and replaced.json()["updated"] == [name], replaced.text
    assert (corpus / name).read_bytes().endswith(b"Wells.") and name in {d["document"] for d in client.get("/api/documents").json()}
    assert any(p.name == name and p.read_bytes() == TEXT for p in trash.rglob("*"))
    assert [p.name for p in corpus.iterdir() if p.name.startswith(".")] == []  # no staged copy left
    assert client.delete(f"/api/documents/{name}").status_code == 200 and not (corpus / name).exists()


@pytest.mark.parametrize("char", ["a", "é", "文"])
def test_a_256_byte_name_is_a_clear_400(client, api_settings, char) -> None:
    name = named(256, char)
    reply = client.post("/api/documents", files={"file": (name, TEXT, "text/plain")})
    assert reply.status_code == 400 and "256 bytes" in reply.json()["detail"] and "255" in reply.json()["detail"]
    assert not any(p.name.startswith(name[:50]) for p in api_settings.corpus_dir.iterdir())


class Anyone:
    username = None


def test_the_ui_applies_the_same_name_rules(api_parts, tmp_path) -> None:
    """The Documents tab checks the upload's own name (Gradio's copy of it may be renamed, see test_web_documents)."""
    from ui.services import Services
    from ui.web_documents import DocumentActions

    copy = tmp_path / "copy.txt"
    copy.write_bytes(TEXT)
    actions = DocumentActions(Services.of(api_parts))
    for name, why in (("bidi\u202etxt.exe.txt", "formatting"), ("bell\x07.txt", "control"), (named(256, "文"), "255")):
        _, _, message = actions.add(str(copy), name, False, Anyone(), progress=lambda *a, **k: None)
        assert why in message and name not in {d.document for d in api_parts.store.documents()}
