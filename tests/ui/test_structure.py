"""The web layer's shape (issue 14): one citation label, `/api/ask` is `Answer.to_dict()` (sizes: tests/test_structure.py)."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from ui.api import create_app



def test_api_ask_returns_exactly_the_answer_dict(api_parts) -> None:
    client = TestClient(create_app(api_parts), base_url="http://127.0.0.1")
    question = "What are the five themes of Somerset's TOM?"
    data = client.post("/api/ask", json={"question": question, "mode": "extractive"}).json()
    direct = api_parts.chat.respond(question, mode="extractive").to_dict()
    assert set(data) == set(direct)
    for volatile in ("latency_ms", "session", "answer_id"):
        data.pop(volatile), direct.pop(volatile)
    assert data == direct


def test_the_ui_names_citations_by_their_label(api_parts) -> None:
    from ui.web_html import review_html, sources_html

    answer = api_parts.chat.respond("What does our TOM say about board meetings?", mode="extractive")
    assert answer.citations
    panel = sources_html(answer, {})
    for citation in answer.citations:
        assert html.escape(citation.label()) in panel
    review = api_parts.reviewer.review("We want to make things better. It will be great.")
    table = review_html(review.criteria, review)
    assert all(html.escape(c.label()) in table for criterion in review.criteria for c in criterion.citations)
