"""HTML for the UI: answers (and the quotations shown before them) with linked markers, the sources panel, the review table.

Every piece of text that comes from a document, an answer or a proposal is HTML-escaped here,
so a document holding markup or script cannot run in a user's browser. A citation is named by
`Citation.label()`, as in every other face.
"""

from __future__ import annotations

import html
import logging
import re

from assistant.answering import Answer, Quotations
from assistant.citations import Citation
from assistant.review import CriterionReview, Review
from ingest.text import find_words

log = logging.getLogger(__name__)
BADGE = {"supports": "#1a7f37", "conflicts": "#cf222e", "not_addressed": "#9a6700",
         "fits": "#1a7f37", "partly_fits": "#9a6700"}
CSS = """
.verdict{color:#fff;border-radius:4px;padding:1px 6px;font-size:.85em;white-space:nowrap}
.src{border-left:3px solid #888;padding:4px 8px;margin:6px 0;white-space:pre-wrap} .src mark{background:#fff3a3}
table.review{border-collapse:collapse;width:100%} table.review td,table.review th{border:1px solid #ccc;padding:4px;vertical-align:top}
"""
NO_SOURCES = "<p>Sources appear here.</p>"
QUOTATIONS_LABEL = "**Quotations from the documents** (the answer is being written)…"


def linked_markers(text: str) -> str:
    """Escape the answer, then turn [n] into a link to source n in the panel."""
    return re.sub(r"\[(\d{1,2})\]", r"[[\1]](#src-\1)", html.escape(text, quote=False))


CLOSEST_LABEL = "**Closest sentences in the documents** (they may not answer the question; the answer is being written)…"
QUOTATIONS_KEPT_LABEL = "**Quotations from the documents** (no phrased answer: see above)"
CLOSEST_KEPT_LABEL = "**Closest sentences in the documents** (they may not answer the question; no phrased answer: see above)"


def quotations_markdown(quotations: Quotations) -> str:
    """The quotations shown while the model writes, labelled so they are never taken for the answer itself."""
    return f"{QUOTATIONS_LABEL if quotations.answers else CLOSEST_LABEL}\n\n{linked_markers(quotations.text)}"


def quotations_after_failure(quotations: Quotations, message: str) -> str:
    """The quotations kept under the reason there is no phrased answer (the model failed, or took too long)."""
    label = QUOTATIONS_KEPT_LABEL if quotations.answers else CLOSEST_KEPT_LABEL
    return f"{warning(message)}\n\n{label}\n\n{linked_markers(quotations.text)}"


def warning(message: str) -> str:
    return f"⚠ {html.escape(message)}"


def sources_html(answer: Answer, chunk_texts: dict[str, str]) -> str:
    """Each citation's label and council, then its passage with the quoted sentence highlighted."""
    if answer.refused:
        items = "".join(f"<div class='src'><b>{html.escape(h.title)}</b> — {html.escape(h.section)}<br>"
                        f"{html.escape(h.text[:400])}…</div>" for h in answer.closest)
        return f"<p><b>Not found in the documents.</b> Closest passages:</p>{items}"
    return citations_html(answer.citations, chunk_texts)


def citations_html(citations: list[Citation], chunk_texts: dict[str, str]) -> str:
    """The panel for an answer's (or the quotations') citations: label, council, passage with the quote marked."""
    parts = []
    for c in citations:
        passage = _marked(chunk_texts.get(c.chunk_id, ""), c.quote)
        parts.append(f"<div class='src' id='src-{c.n}'><b>{html.escape(c.label())}</b> "
                     f"({html.escape(c.council)})<br>{passage}</div>")
    return "".join(parts) or "<p>No sources.</p>"


def badge(verdict: str) -> str:
    return f"<span class='verdict' style='background:{BADGE.get(verdict, '#555')}'>{html.escape(verdict.replace('_', ' '))}</span>"


def criterion_row(c: CriterionReview) -> str:
    suggestion = f"<br><i>Suggestion:</i> {html.escape(c.suggestion)}" if c.suggestion else ""
    evidence = "<br>".join("“" + html.escape(q) + "”" for q in c.evidence) or "–"
    passages = "<br>".join(f"{html.escape(x.label())}: “{html.escape(x.quote)}”" for x in c.citations)
    return (f"<tr><td><b>{html.escape(c.name)}</b></td><td>{badge(c.verdict)}</td>"
            f"<td>{html.escape(c.reason)}{suggestion}</td><td>{evidence}</td><td>{passages}</td></tr>")


def review_html(criteria: list[CriterionReview], review: Review | None = None) -> str:
    head = ""
    if review is not None:
        head = f"<p id='overall'><b>Overall:</b> {badge(review.overall)} {html.escape(review.summary)}</p>"
        head += "".join(f"<p>⚠ {html.escape(w)}</p>" for w in review.warnings)
    rows = "".join(criterion_row(c) for c in criteria)
    return (f"{head}<table class='review'><thead><tr><th>Criterion</th><th>Verdict</th><th>Reason</th>"
            f"<th>Evidence from the proposal</th><th>TOM passages</th></tr></thead><tbody>{rows}</tbody></table>")


def _marked(passage: str, quote: str) -> str:
    """The passage, escaped, with the words of the quote marked (the quote is the document's own text, the
    passage the chunk's rendering of it, so they are matched by words)."""
    span = find_words(quote, passage)
    if span is None:
        return f"<mark>{html.escape(quote)}</mark>"
    start, end = span
    return html.escape(passage[:start]) + f"<mark>{html.escape(passage[start:end])}</mark>" + html.escape(passage[end:])
