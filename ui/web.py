"""The Gradio UI: Ask, Review a proposal, Documents, Evaluate. Composition only; each tab is a module.

The theme uses system fonts, so the page loads nothing from outside the server. With API keys
set, the header links to /login and /logout (see `ui.login` for the rule the UI follows).
"""

from __future__ import annotations

import logging

import gradio as gr

from ui import web_ask, web_documents, web_evaluate, web_review
from ui.services import Services
from ui.web_html import CSS

log = logging.getLogger(__name__)
THEME = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["monospace"])
__all__ = ["CSS", "THEME", "build_ui"]


def build_ui(services: Services) -> gr.Blocks:
    """The UI over the shared services (the same auth rule, lanes and ingest lock as the API)."""
    login = " [Log in](/login) · [Log out](/logout)" if services.auth.enabled else ""
    with gr.Blocks(title="TOM assistant", analytics_enabled=False) as ui:
        gr.Markdown("## TOM assistant\nAnswers about the council's Target Operating Model from its own documents, "
                    f"with sources.{login}")
        with gr.Tab("Ask", id="ask"):
            web_ask.build(services)
        with gr.Tab("Review a proposal", id="review"):
            web_review.build(services)
        with gr.Tab("Documents", id="documents"):
            web_documents.build(services)
        with gr.Tab("Evaluate", id="evaluate"):
            web_evaluate.build(services)
    return ui
