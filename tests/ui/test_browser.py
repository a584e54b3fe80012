"""The real page in Debian's headless Chromium: ask with citations, review with verdicts, nothing leaves 127.0.0.1."""

from __future__ import annotations

import threading

import httpx
import pytest
import uvicorn

from eval.dataset import SETS_DIR, load_proposals
from tests.conftest import ARTIFACTS, free_port, local_only
from tests.ui.servers import ask_in_browser
from assistant.components import Components
from ui.server import build_app

pytestmark = pytest.mark.slow


# The page is the subject here, not speed: on a machine that reads 40 prompt tokens a second the real model's review
# of p03 takes over the usual 120 s request limit (CI of 2026-11-24), and the page then shows the time-out instead.
SLOW_MACHINE_LIMIT = 600.0


@pytest.fixture(scope="module")
def server(api_settings, api_parts):
    port = free_port()
    patient = api_settings.model_copy(update={"request_timeout": SLOW_MACHINE_LIMIT})
    app = build_app(Components(patient, embedder=api_parts.embedder, models=api_parts.models))
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    while not instance.started:
        thread.join(0.1)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)


def test_ask_and_review_in_the_browser(server, browser) -> None:
    page_with_script = b"<html><body><h1>Zephyr pilot</h1><p>The Zephyr parking pilot <script>window.pwned=1</script>" \
                       b"<img src=x onerror='window.pwned=2'> runs in Frome.</p></body></html>"
    assert httpx.post(f"{server}/api/documents", files={"file": ("zephyr.html", page_with_script, "text/html")}).status_code == 200
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    outside = local_only(page)
    page.goto(server + "/")
    page.locator("#question textarea").wait_for(timeout=60_000)

    assert "succinct" in ask_in_browser(page, "What does our TOM say about board meetings?").lower()
    assert page.locator("#chat a[href='#src-1']").count() >= 1
    assert page.locator("#sources mark").count() >= 1
    page.get_by_role("button", name="Helpful", exact=True).click()
    page.get_by_text("Thank you: recorded as helpful.").wait_for(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "ui-ask.png"), full_page=True)

    page.locator("#question textarea").fill("Where does the Zephyr parking pilot run?")
    page.locator("#ask-button").click()
    page.wait_for_function("document.querySelector('#sources') && document.querySelector('#sources').innerText.includes('Zephyr')",
                           timeout=60_000)
    assert page.evaluate("window.pwned") is None

    proposal = next(c for c in load_proposals(SETS_DIR / "tom-proposals.jsonl") if c.id == "p03").proposal
    page.get_by_role("tab", name="Review a proposal").click()
    page.locator("#proposal textarea").fill(proposal)
    page.locator("#review-button").click()
    page.locator("#review-table #overall").wait_for(timeout=SLOW_MACHINE_LIMIT * 1000)
    table = page.locator("#review-table table.review")
    assert table.locator("tbody tr").count() == 5
    assert table.locator(".verdict").count() == 5
    assert "conflicts" in table.inner_text()
    page.screenshot(path=str(ARTIFACTS / "ui-review.png"), full_page=True)

    page.goto(server + "/docs")
    assert page.locator("code", has_text="/api/review").count() >= 1
    assert outside == [], outside
    page.close()
