"""The Documents tab: an upload named like a document already there is refused unless "Replace" is
ticked, and an upload keeps its own name (Gradio's copy of it has a name cut to 200 bytes).

The handlers are called directly; through a real server (uvicorn on 127.0.0.1) over Gradio's own
HTTP API (the file uploaded to /gradio_api/upload, then the `add_document` event); and in Debian's
headless Chromium, where the page itself sends the file's name.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import local_only
from tests.ui.servers import gradio_call, running

FIRST, SECOND = b"Wrenfield pilot\n\nThe Wrenfield pilot runs in Frome.\n", b"Wrenfield pilot\n\nThe Wrenfield pilot now runs in Wells.\n"
LONG_NAME = "é" * 120 + "-pilot.txt"  # 250 bytes: Gradio cuts its copy's name to 200


class Anyone:
    username = None


@pytest.fixture
def actions(api_parts):
    from ui.services import Services
    from ui.web_documents import DocumentActions

    return DocumentActions(Services.of(api_parts))


def add(actions, path: Path, name: str, replace: bool) -> str:
    return actions.add(str(path), name, replace, Anyone(), progress=lambda *a, **k: None)[2]


def stored(api_parts) -> set[str]:
    return {d.document for d in api_parts.store.documents()}


def test_an_existing_name_is_replaced_only_when_replace_is_ticked(actions, api_parts, api_settings, tmp_path) -> None:
    name, corpus = "wrenfield-pilot.txt", api_settings.corpus_dir
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_bytes(FIRST)
    second.write_bytes(SECOND)
    assert add(actions, first, name, replace=False).startswith("Added 1")

    refused = add(actions, second, name, replace=False)
    assert "already exists" in refused and "tick “Replace”" in refused, refused
    assert (corpus / name).read_bytes() == FIRST
    assert [c.text for c in api_parts.store.all_chunks() if c.metadata["document"] == name] == ["The Wrenfield pilot runs in Frome."]

    assert "updated 1" in add(actions, second, name, replace=True)
    assert (corpus / name).read_bytes() == SECOND
    assert any(p.name == name and p.read_bytes() == FIRST for p in (api_settings.data_dir / "trash").rglob("*"))
    assert actions.delete(name, Anyone())[2].startswith("Deleted")


def test_the_tab_keeps_the_uploads_own_name_through_gradio(api_parts, api_settings) -> None:
    """A 250-byte name is stored under itself, not Gradio's 200-byte cut; again without Replace it is
    refused, with Replace ticked it replaces."""
    from ui.server import build_app

    assert len(LONG_NAME.encode("utf-8")) == 250
    with running(build_app(api_parts)) as base:
        def upload(content: bytes, replace: bool) -> str:
            paths = httpx.post(f"{base}/gradio_api/upload", files={"files": (LONG_NAME, content, "text/plain")}, timeout=60)
            paths.raise_for_status()
            assert len(Path(paths.json()[0]).name.encode("utf-8")) <= 200  # Gradio's own copy
            file = {"path": paths.json()[0], "orig_name": LONG_NAME, "meta": {"_type": "gradio.FileData"}}
            kind, data = gradio_call(base, "add_document", [file, LONG_NAME, replace])
            assert kind == "complete", data
            return data[2]
        assert upload(FIRST, False).startswith("Added 1")
        assert LONG_NAME in stored(api_parts) and (api_settings.corpus_dir / LONG_NAME).is_file()
        assert "already exists" in upload(SECOND, False)
        assert "updated 1" in upload(SECOND, True)
        assert (api_settings.corpus_dir / LONG_NAME).read_bytes() == SECOND
        assert httpx.delete(f"{base}/api/documents/{LONG_NAME}", timeout=60).status_code == 200


def test_the_page_sends_the_files_own_name(api_parts, api_settings, browser, tmp_path) -> None:
    """In the browser: the Documents tab uploads a file with a 250-byte name, which the document keeps."""
    from ui.server import build_app

    (tmp_path / LONG_NAME).write_bytes(FIRST)
    with running(build_app(api_parts)) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        outside = local_only(page)
        page.goto(base + "/")
        page.get_by_role("tab", name="Documents").click()
        page.locator("#new-document input[type=file]").set_input_files(str(tmp_path / LONG_NAME))
        page.get_by_text(LONG_NAME[:20]).first.wait_for(timeout=60_000)  # the upload has reached the server
        page.locator("#add-document").click()
        page.locator("#documents-status").get_by_text("Added 1").wait_for(timeout=120_000)
        assert LONG_NAME in stored(api_parts) and (api_settings.corpus_dir / LONG_NAME).read_bytes() == FIRST
        assert outside == [], outside
        page.close()
        assert httpx.delete(f"{base}/api/documents/{LONG_NAME}", timeout=60).status_code == 200
