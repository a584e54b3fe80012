"""The Ask tab: a conversation with streamed, cited answers, the sources panel, and feedback.

In llm mode the documents' best sentences show first, labelled as quotations with their sources,
while the model reads its prompt; the answer replaces them as it streams in.

Answers run through `ui.bridge` in the same lanes as the API (retrieval and quotations share the
CPU; an llm answer then queues for the model), so a busy server, a time limit or an unexpected error ends the
wait with a message instead of leaving the Ask button spinning.
"""

from __future__ import annotations

import html
import logging
from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

import gradio as gr

from assistant.answering import Answer, Quotations
from assistant.citations import Citation
from assistant.components import Components
from assistant.llm import ModelTurn, StopCheck
from assistant.retrieval import Filters
from assistant.errors import UserError
from ui import bridge, prechecks
from ui.bridge import Sink
from ui.services import Services
from ui.web_html import (NO_SOURCES, citations_html, linked_markers, quotations_after_failure, quotations_markdown,
                         sources_html, warning)

log = logging.getLogger(__name__)
ALL = "All councils"


def councils(services: Services) -> list[str]:
    return [ALL] + sorted({d.council for d in services.components.store.documents() if d.council})


def passages(components: Components, citations: list[Citation]) -> dict[str, str]:
    """The full text of each cited passage, for the panel."""
    return {c.chunk_id: c.text for c in components.store.get([c.chunk_id for c in citations])}


def answer_work(services: Services, message: str, session: str | None, mode: str, council: str | None):
    """The blocking call: the chat's answer, and the full text of each cited passage for the panel. The sink gets
    tokens (str) and, before them in llm mode, (Quotations, their passages' texts)."""
    filters = Filters(council=None if council in (None, ALL) else council)

    def work(sink: Sink, should_stop: StopCheck, model_turn: ModelTurn) -> tuple[Answer, dict[str, str]]:
        components = services.components

        def quotes(quotations: Quotations) -> None:
            sink((quotations, passages(components, quotations.citations)))
        answer = components.chat.respond(message, session=session, mode=mode, filters=filters, on_token=sink,
                                         should_stop=should_stop, on_quotes=quotes, model_turn=model_turn)
        return answer, passages(components, answer.citations)
    return work


async def ask(services: Services, message: str, history: list, session: str | None, mode: str,
              council: str) -> AsyncIterator[tuple[Any, ...]]:
    """Yields (conversation, session, sources, answer id, question box) as the answer streams in."""
    history = list(history or [])
    if not (message or "").strip():
        yield history, session, gr.update(), None, ""
        return
    try:
        prechecks.check_message(services.settings, message)
    except UserError as error:
        yield history + [{"role": "assistant", "content": warning(str(error))}], session, gr.update(), None, gr.update()
        return
    history += [{"role": "user", "content": html.escape(message, quote=False)}, {"role": "assistant", "content": "…"}]
    text = ""
    work = answer_work(services, message, session, mode, council)
    quoted: Quotations | None = None  # shown: the panel holds their sources until the answer starts
    async with aclosing(bridge.stream(work, services.lanes)) as events:
        async for event in events:
            if event.kind == "item" and not isinstance(event.payload, str):
                quoted, texts = event.payload
                history[-1] = {"role": "assistant", "content": quotations_markdown(quoted)}
                yield history, session, citations_html(quoted.citations, texts), None, ""
            elif event.kind == "item":
                panel = NO_SOURCES if quoted and not text else gr.update()  # the answer numbers its own sources
                text += event.payload
                history[-1] = {"role": "assistant", "content": linked_markers(text)}
                yield history, session, panel, None, ""
            elif event.kind == "error" and quoted and not text:  # the quotations and their sources stay
                history[-1] = {"role": "assistant", "content": quotations_after_failure(quoted, event.payload.message)}
                yield history, session, gr.update(), None, ""
            elif event.kind == "error":
                history[-1] = {"role": "assistant", "content": warning(event.payload.message)}
                yield history, session, NO_SOURCES if quoted else gr.update(), None, ""
            else:
                answer, texts = event.payload
                note = f"\n\n_{html.escape(answer.notice)}_" if answer.notice else ""
                history[-1] = {"role": "assistant", "content": linked_markers(answer.answer) + note}
                yield history, answer.session, sources_html(answer, texts), answer.answer_id, ""


def feedback(services: Services, rating: str):
    """A click handler recording `rating` on the last answer (a write: it needs a key when keys are set)."""
    def record(answer_id: str | None, comment: str, request: gr.Request) -> str:
        if not services.auth.may_write(request.username):
            raise gr.Error("Log in (at /login) with an API key to record feedback.")
        if not answer_id:
            return "Ask a question first."
        try:
            services.components.assistant.log.add_feedback(answer_id, rating, comment or "")
        except KeyError:
            return "That answer is no longer in the log."
        return f"Thank you: recorded as {'helpful' if rating == 'up' else 'not helpful'}."
    return record


def build(services: Services) -> None:
    """The tab's components and events (called inside the Blocks)."""
    session, last_answer = gr.State(None), gr.State(None)
    with gr.Row():
        with gr.Column(scale=3):
            chat = gr.Chatbot(label="Conversation", height=420, elem_id="chat")
            question = gr.Textbox(label="Your question", placeholder="What does our TOM say about board meetings?",
                                  elem_id="question")
            with gr.Row():
                send = gr.Button("Ask", variant="primary", elem_id="ask-button")
                new = gr.Button("New conversation")
            with gr.Row():
                mode = gr.Radio(["llm", "extractive"], value=services.settings.answer_mode, label="Mode")
                council = gr.Dropdown(councils(services), value=ALL, label="Council")
            with gr.Row():
                comment = gr.Textbox(label="Comment on the last answer (optional)", scale=3)
                up = gr.Button("Helpful", scale=0)
                down = gr.Button("Not helpful", scale=0)
            feedback_note = gr.Markdown()
        with gr.Column(scale=2):
            sources = gr.HTML(NO_SOURCES, elem_id="sources", label="Sources")

    async def on_ask(message: str, history: list, session_id, mode_value: str, council_value: str):
        async for update in ask(services, message, history, session_id, mode_value, council_value):
            yield update

    inputs, outputs = [question, chat, session, mode, council], [chat, session, sources, last_answer, question]
    send.click(on_ask, inputs, outputs, api_name="ask", concurrency_limit=None)  # the lanes limit it, as for the API
    question.submit(on_ask, inputs, outputs, api_visibility="private", concurrency_limit=None)
    new.click(lambda: ([], None, NO_SOURCES, None, ""), None, outputs, api_visibility="private")
    up.click(feedback(services, "up"), [last_answer, comment], feedback_note, api_name="feedback_up")
    down.click(feedback(services, "down"), [last_answer, comment], feedback_note, api_name="feedback_down")
