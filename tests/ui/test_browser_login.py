"""With API keys set, a person logs in through the browser (the key as password) and then uses the UI.

Debian's headless Chromium over a real server; extractive answers, so the model is not loaded.
"""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS, local_only
from tests.ui.servers import ask_in_browser, running
from ui.server import build_app

KEY = "browser-secret-key"


@pytest.fixture(scope="module")
def server(api_settings, api_parts):
    from assistant.components import Components

    settings = api_settings.model_copy(update={"api_keys": [KEY], "auth_reads": True})
    with running(build_app(Components(settings, embedder=api_parts.embedder, models=api_parts.models))) as base:
        yield base


def test_log_in_then_ask_in_the_browser(server, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside = local_only(page)
    page.goto(server + "/")
    assert page.url.endswith("/login")
    page.locator("#key").fill("not-the-key")
    page.locator("#login-button").click()
    page.get_by_role("alert").wait_for(timeout=30_000)
    page.locator("#key").fill(KEY)
    page.locator("#login-button").click()
    page.locator("#question textarea").wait_for(timeout=60_000)
    assert "succinct" in ask_in_browser(page, "What does our TOM say about board meetings?", 120_000).lower()
    page.screenshot(path=str(ARTIFACTS / "ui-login-ask.png"), full_page=True)
    assert outside == [], outside
    page.close()
