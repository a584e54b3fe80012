"""The web layer's shape (issue 14): small modules and functions, one citation label, `/api/ask` is `Answer.to_dict()`."""

from __future__ import annotations

import ast
import html
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import ui
from ui.api import create_app

UI = Path(ui.__file__).parent


@pytest.mark.parametrize("path", sorted(UI.glob("*.py")), ids=lambda p: p.name)
def test_modules_and_functions_are_small(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 300, f"{path.name} has {len(source.splitlines())} lines"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            assert length <= 60, f"{path.name}: {node.name} is {length} lines"


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
