"""The Ask tab in llm mode with a scripted model that reads its prompt first: the quotations show at once,
labelled, with their sources, and the answer replaces them; in the tab's own generator and in Debian's
headless Chromium (no real model is loaded)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.answering import Quotations
from assistant.citations import Citation
from tests.conftest import ARTIFACTS, ScriptedModel, local_only
from tests.ui.servers import running, services_over
from ui import web_ask
from ui.server import build_app
from ui.web_html import (CLOSEST_KEPT_LABEL, CLOSEST_LABEL, QUOTATIONS_KEPT_LABEL, QUOTATIONS_LABEL, quotations_after_failure,
                         quotations_markdown)

QUESTION = "What does our TOM say about board meetings?"
LABEL = "Quotations from the documents"


def test_quotations_are_labelled_and_escaped() -> None:
    citation = Citation(1, "c1", "d.txt", "<b>Title</b>", "Council", "Section", None, "<script>x</script>")
    shown = quotations_markdown(Quotations("<script>window.pwned=1</script> Boards meet. [1]", [citation]))
    assert shown.startswith(QUOTATIONS_LABEL) and LABEL in QUOTATIONS_LABEL
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "[[1]](#src-1)" in shown
    closest = quotations_markdown(Quotations("Boards meet monthly. [1]", [citation], answers=False))
    assert closest.startswith(CLOSEST_LABEL) and "may not answer" in closest and LABEL not in closest


def test_kept_quotations_keep_their_label_after_a_failure() -> None:
    citation = Citation(1, "c1", "d.txt", "Title", "Council", "Section", None, "quote")
    kept = quotations_after_failure(Quotations("Boards meet. [1]", [citation]), "took too long")
    assert QUOTATIONS_KEPT_LABEL in kept and CLOSEST_KEPT_LABEL not in kept
    closest = quotations_after_failure(Quotations("Boards meet monthly. [1]", [citation], answers=False), "took too long")
    assert CLOSEST_KEPT_LABEL in closest and "may not answer" in closest and LABEL not in closest


def updates_of(services, mode: str) -> list[tuple[str, str]]:
    """(the assistant message, the sources panel or "" when unchanged) for every update the tab yields."""
    async def collect() -> list[tuple[str, str]]:
        seen = []
        async for history, _, panel, _, _ in web_ask.ask(services, QUESTION, [], None, mode, "All councils"):
            seen.append((history[-1]["content"], panel if isinstance(panel, str) else ""))  # the list is updated in place
        return seen
    with ThreadPoolExecutor(1) as pool:  # a loop of its own: Playwright may hold this thread's
        return pool.submit(asyncio.run, asyncio.wait_for(collect(), 120)).result(150)


def test_the_tab_shows_the_quotations_then_replaces_them_with_the_answer(api_settings, api_parts) -> None:
    services = services_over(api_settings, api_parts, ScriptedModel(delay=0.0, wait=1.0))
    seen = updates_of(services, "llm")
    quoted = [n for n, (message, _) in enumerate(seen) if message.startswith(QUOTATIONS_LABEL)]
    assert quoted == [0], [m[:60] for m, _ in seen]
    message, panel = seen[0]
    assert "succinct" in message.lower() and "(#src-1)" in message
    assert "id='src-1'" in panel and "<mark>" in panel  # the quotations' sources, rendered as an answer's are
    assert LABEL not in seen[1][0] and seen[1][1] == web_ask.NO_SOURCES  # the answer numbers its own sources
    final, final_panel = seen[-1]
    assert LABEL not in final and "(#src-1)" in final and "id='src-1'" in final_panel
    assert not any(message.startswith(QUOTATIONS_LABEL) for message, _ in updates_of(services, "extractive"))



def test_quotations_stay_when_the_phrased_answer_takes_too_long(api_settings, api_parts) -> None:
    services = services_over(api_settings, api_parts, ScriptedModel(delay=0.0, wait=30.0), timeout=4)
    seen = updates_of(services, "llm")
    assert seen[0][0].startswith(QUOTATIONS_LABEL)
    final, panel = seen[-1]
    assert final.startswith("⚠") and "took too long" in final  # why there is no phrased answer...
    assert QUOTATIONS_KEPT_LABEL in final and "succinct" in final.lower()  # ...above the quotations, still shown
    assert panel == ""  # and their sources panel is left as it was

@pytest.fixture(scope="module")
def slow_reader(api_settings, api_parts):
    """A UI whose model reads its prompt for 5 s, then writes a word every 0.05 s."""
    model = ScriptedModel(delay=0.05, wait=5.0)
    services = services_over(api_settings, api_parts, model)
    with running(build_app(services.components)) as base:
        yield base, model


def test_the_browser_sees_the_quotations_before_the_answer(slow_reader, browser) -> None:
    base, model = slow_reader
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    outside = local_only(page)
    page.goto(base + "/")
    page.locator("#question textarea").wait_for(timeout=60_000)
    page.get_by_label("llm", exact=True).check()
    page.locator("#question textarea").fill(QUESTION)
    page.locator("#ask-button").click()
    page.locator("#chat").get_by_text(LABEL).wait_for(timeout=60_000)
    words_when_seen = model.words_sent
    assert "succinct" in page.locator("#chat").inner_text().lower()
    assert page.locator("#sources .src").count() >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-quotations.png"), full_page=True)
    page.wait_for_function(f"!document.querySelector('#chat').innerText.includes('{LABEL}')"  # the answer replaced them
                           " && document.querySelector('#sources .src') !== null", timeout=120_000)
    assert words_when_seen == 0  # the quotations were up before the model wrote a word
    assert page.locator("#chat a[href='#src-1']").count() >= 1
    assert outside == [], outside
    page.close()
