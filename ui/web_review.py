"""The Review tab: a pasted or uploaded proposal judged criterion by criterion, with a Markdown download."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import aclosing
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.frameworks import FrameworkError, load_frameworks
from assistant.llm import ModelTurn, StopCheck
from assistant.review import CriterionReview, Review, read_proposal
from ui import bridge
from ui.bridge import Sink
from ui.services import Services
from ui.web_html import review_html, warning

log = logging.getLogger(__name__)


def framework_choices(services: Services) -> tuple[list[str], str | None]:
    """The frameworks' names and the default one."""
    try:
        frameworks = load_frameworks(services.settings)
    except FrameworkError as error:
        log.warning("frameworks could not be read: %s", error)
        return [], None
    names = list(frameworks)
    return names, next((n for n, f in frameworks.items() if f.default), names[0] if names else None)


def review_work(services: Services, text: str, file: Any, framework: str):
    """The blocking call: read an uploaded proposal (if any), then review it."""
    def work(sink: Sink, should_stop: StopCheck, model_turn: ModelTurn) -> Review:
        proposal = read_proposal(Path(file if isinstance(file, str) else file.name)) if file is not None else text
        return services.components.reviewer.review(proposal, framework, on_criterion=sink, should_stop=should_stop,
                                                   model_turn=model_turn)
    return work


def markdown_file(review: Review) -> str:
    path = Path(tempfile.mkdtemp(prefix="tom-review-")) / "review.md"
    path.write_text(f"# Review against {review.framework}\n\n{review.to_markdown()}\n", encoding="utf-8")
    return str(path)


async def review(services: Services, text: str, file: Any, framework: str) -> AsyncIterator[tuple[str, str | None]]:
    """Yields (table HTML, download path) as each criterion is judged."""
    done: list[CriterionReview] = []
    work = review_work(services, text, file, framework)
    async with aclosing(bridge.stream(work, services.lanes)) as events:
        async for event in events:
            if event.kind == "item":
                done.append(event.payload)
                yield review_html(done) + "<p>Reviewing…</p>", None
            elif event.kind == "error":
                yield f"<p>{warning(event.payload.message)}</p>", None
            else:
                yield review_html(event.payload.criteria, event.payload), markdown_file(event.payload)


def build(services: Services) -> None:
    """The tab's components and events (called inside the Blocks)."""
    names, default = framework_choices(services)
    with gr.Row():
        with gr.Column(scale=2):
            proposal = gr.Textbox(label="Paste the proposal", lines=10, elem_id="proposal")
            upload = gr.File(label="…or upload it (.txt, .md, .docx, .pdf)", file_types=[".txt", ".md", ".docx", ".pdf"])
            framework = gr.Dropdown(names, value=default, label="Framework")
            run = gr.Button("Review", variant="primary", elem_id="review-button")
        with gr.Column(scale=3):
            table = gr.HTML(elem_id="review-table")
            download = gr.File(label="Download the review (Markdown)")

    async def on_review(text: str, file, framework_name: str):
        async for update in review(services, text, file, framework_name):
            yield update

    run.click(on_review, [proposal, upload, framework], [table, download], api_name="review", concurrency_limit=None)
