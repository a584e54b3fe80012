"""The Gradio UI: Ask, Review a proposal, Documents, Evaluate. Translation only; logic stays below.

Every piece of text that comes from a document, an answer or a proposal is HTML-escaped before it
is shown, so a document holding markup or script cannot run in a user's browser. The theme uses
system fonts: the page loads nothing from outside the server.
"""

from __future__ import annotations

import html
import queue
import re
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.answering import Answer
from assistant.components import Components
from assistant.errors import UserError
from assistant.frameworks import FrameworkError, load_frameworks
from assistant.retrieval import Filters
from assistant.review import CriterionReview, Review, ReviewError, read_proposal

BADGE = {"supports": "#1a7f37", "conflicts": "#cf222e", "not_addressed": "#9a6700",
         "fits": "#1a7f37", "partly_fits": "#9a6700"}
CSS = """
.verdict{color:#fff;border-radius:4px;padding:1px 6px;font-size:.85em;white-space:nowrap}
.src{border-left:3px solid #888;padding:4px 8px;margin:6px 0;white-space:pre-wrap} .src mark{background:#fff3a3}
table.review{border-collapse:collapse;width:100%} table.review td,table.review th{border:1px solid #ccc;padding:4px;vertical-align:top}
"""
THEME = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["monospace"])


def linked_markers(text: str) -> str:
    """Escape the answer, then turn [n] into a link to source n in the panel."""
    return re.sub(r"\[(\d{1,2})\]", r"[[\1]](#src-\1)", html.escape(text, quote=False))


def sources_html(answer: Answer, chunk_texts: dict[str, str]) -> str:
    """Title, council, section, page and the passage with the quoted sentences highlighted."""
    if answer.refused:
        items = "".join(f"<div class='src'><b>{html.escape(h.title)}</b> — {html.escape(h.section)}<br>"
                        f"{html.escape(h.text[:400])}…</div>" for h in answer.closest)
        return f"<p><b>Not found in the documents.</b> Closest passages:</p>{items}"
    parts = []
    for c in answer.citations:
        passage = html.escape(chunk_texts.get(c.chunk_id, c.quote))
        quote = html.escape(c.quote)
        passage = passage.replace(quote, f"<mark>{quote}</mark>", 1) if quote in passage else f"<mark>{quote}</mark>"
        page = f", p. {c.page}" if c.page else ""
        parts.append(f"<div class='src' id='src-{c.n}'><b>[{c.n}] {html.escape(c.title)}</b> "
                     f"({html.escape(c.council)}) — {html.escape(c.section)}{page}<br>{passage}</div>")
    return "".join(parts) or "<p>No sources.</p>"


def review_html(criteria: list[CriterionReview], review: Review | None = None) -> str:
    def badge(verdict: str) -> str:
        return f"<span class='verdict' style='background:{BADGE.get(verdict, '#555')}'>{verdict.replace('_', ' ')}</span>"

    rows = "".join(
        "<tr>"
        f"<td><b>{html.escape(c.name)}</b></td><td>{badge(c.verdict)}</td><td>{html.escape(c.reason)}"
        + (f"<br><i>Suggestion:</i> {html.escape(c.suggestion)}" if c.suggestion else "") + "</td>"
        f"<td>{'<br>'.join('“' + html.escape(q) + '”' for q in c.evidence) or '–'}</td>"
        f"<td>{'<br>'.join(f'[{x.n}] ' + html.escape(x.section) + ': “' + html.escape(x.quote) + '”' for x in c.citations)}</td>"
        "</tr>"
        for c in criteria
    )
    head = ""
    if review is not None:
        head = f"<p id='overall'><b>Overall:</b> {badge(review.overall)} {html.escape(review.summary)}</p>"
        head += "".join(f"<p>⚠ {html.escape(w)}</p>" for w in review.warnings)
    return (f"{head}<table class='review'><thead><tr><th>Criterion</th><th>Verdict</th><th>Reason</th>"
            f"<th>Evidence from the proposal</th><th>TOM passages</th></tr></thead><tbody>{rows}</tbody></table>")


def _stream(work) -> Iterator[tuple[str, Any]]:
    """Run `work(sink)` in a thread; yield ("item", x) per sink call, then ("done", result) or ("error", message)."""
    items: queue.Queue = queue.Queue()

    def target() -> None:
        try:
            items.put(("done", work(lambda item: items.put(("item", item)))))
        except UserError as error:
            items.put(("error", str(error)))

    threading.Thread(target=target, daemon=True).start()
    while True:
        kind, payload = items.get()
        yield kind, payload
        if kind != "item":
            return


def build_ui(components: Components, ingest_lock: threading.Lock) -> gr.Blocks:
    settings, assistant, reviewer, store = components.settings, components.assistant, components.reviewer, components.store

    def councils() -> list[str]:
        return ["All councils"] + sorted({d.council for d in store.documents() if d.council})

    def documents_table() -> list[list[Any]]:
        return [[d.document, d.title, d.council, d.kind, d.date, d.status, d.chunks] for d in store.documents()]

    def framework_names() -> list[str]:
        try:
            return list(load_frameworks(settings))
        except FrameworkError:
            return []

    with gr.Blocks(title="TOM assistant", analytics_enabled=False) as ui:
        gr.Markdown("## TOM assistant\nAnswers about the council's Target Operating Model from its own documents, with sources.")
        with gr.Tab("Ask", id="ask"):
            session = gr.State(None)
            last_answer = gr.State(None)
            with gr.Row():
                with gr.Column(scale=3):
                    chat = gr.Chatbot(label="Conversation", height=420, elem_id="chat")
                    question = gr.Textbox(label="Your question", placeholder="What does our TOM say about board meetings?",
                                          elem_id="question")
                    with gr.Row():
                        send = gr.Button("Ask", variant="primary", elem_id="ask-button")
                        new = gr.Button("New conversation")
                    with gr.Row():
                        mode = gr.Radio(["llm", "extractive"], value=settings.answer_mode, label="Mode")
                        council = gr.Dropdown(councils(), value="All councils", label="Council")
                    with gr.Row():
                        comment = gr.Textbox(label="Comment on the last answer (optional)", scale=3)
                        up = gr.Button("Helpful", scale=0)
                        down = gr.Button("Not helpful", scale=0)
                    feedback_note = gr.Markdown()
                with gr.Column(scale=2):
                    sources = gr.HTML("<p>Sources appear here.</p>", elem_id="sources", label="Sources")

            def ask(message: str, history: list, session_id, mode_value: str, council_value: str):
                history = list(history or [])
                if not (message or "").strip():
                    yield history, session_id, gr.update(), None, ""
                    return
                history.append({"role": "user", "content": html.escape(message, quote=False)})
                history.append({"role": "assistant", "content": "…"})
                text = ""
                filters = Filters(council=None if council_value in (None, "All councils") else council_value)
                for kind, payload in _stream(lambda sink: components.chat.respond(message, session=session_id, mode=mode_value,
                                                                                   filters=filters, on_token=sink)):
                    if kind == "item":
                        text += payload
                        history[-1] = {"role": "assistant", "content": linked_markers(text)}
                        yield history, session_id, gr.update(), None, ""
                    elif kind == "error":
                        history[-1] = {"role": "assistant", "content": f"⚠ {html.escape(payload)}"}
                        yield history, session_id, gr.update(), None, ""
                    else:
                        answer: Answer = payload
                        note = f"\n\n_{html.escape(answer.notice)}_" if answer.notice else ""
                        history[-1] = {"role": "assistant", "content": linked_markers(answer.answer) + note}
                        texts = {c.chunk_id: c.text for c in store.get([c.chunk_id for c in answer.citations])}
                        yield history, answer.session, sources_html(answer, texts), answer.answer_id, ""

            outputs = [chat, session, sources, last_answer, question]
            send.click(ask, [question, chat, session, mode, council], outputs)
            question.submit(ask, [question, chat, session, mode, council], outputs)
            new.click(lambda: ([], None, "<p>Sources appear here.</p>", None, ""), None, outputs)

            def feedback(rating: str):
                def record(answer_id, text):
                    if not answer_id:
                        return "Ask a question first."
                    assistant.log.add_feedback(answer_id, rating, text or "")
                    return f"Thank you: recorded as {'helpful' if rating == 'up' else 'not helpful'}."
                return record

            up.click(feedback("up"), [last_answer, comment], feedback_note)
            down.click(feedback("down"), [last_answer, comment], feedback_note)

        with gr.Tab("Review a proposal", id="review"):
            with gr.Row():
                with gr.Column(scale=2):
                    proposal = gr.Textbox(label="Paste the proposal", lines=10, elem_id="proposal")
                    upload = gr.File(label="…or upload it (.txt, .md, .docx, .pdf)", file_types=[".txt", ".md", ".docx", ".pdf"])
                    names = framework_names()
                    framework = gr.Dropdown(names, value=next((n for n, f in load_frameworks(settings).items() if f.default),
                                                              names[0] if names else None), label="Framework")
                    run_review = gr.Button("Review", variant="primary", elem_id="review-button")
                with gr.Column(scale=3):
                    review_out = gr.HTML(elem_id="review-table")
                    download = gr.File(label="Download the review (Markdown)")

            def do_review(text: str, file, framework_name: str):
                try:
                    if file is not None:
                        text = read_proposal(Path(file if isinstance(file, str) else file.name))
                except ReviewError as error:
                    yield f"<p>⚠ {html.escape(str(error))}</p>", None
                    return
                done: list[CriterionReview] = []
                for kind, payload in _stream(lambda sink: reviewer.review(text, framework_name, on_criterion=sink)):
                    if kind == "item":
                        done.append(payload)
                        yield review_html(done) + "<p>Reviewing…</p>", None
                    elif kind == "error":
                        yield f"<p>⚠ {html.escape(payload)}</p>", None
                    else:
                        path = Path(tempfile.mkdtemp()) / "review.md"
                        path.write_text(f"# Review against {payload.framework}\n\n{payload.to_markdown()}\n", encoding="utf-8")
                        yield review_html(payload.criteria, payload), str(path)

            run_review.click(do_review, [proposal, upload, framework], [review_out, download])

        with gr.Tab("Documents", id="documents"):
            table = gr.Dataframe(documents_table(), headers=["document", "title", "council", "kind", "date", "status", "chunks"],
                                 interactive=False)
            with gr.Row():
                new_file = gr.File(label="Add a document")
                with gr.Column():
                    add = gr.Button("Ingest the upload", variant="primary")
                    to_delete = gr.Dropdown([d.document for d in store.documents()], label="Document to delete")
                    delete = gr.Button("Delete", variant="stop")
                    reingest = gr.Button("Re-ingest the corpus folder")
            status = gr.Markdown()

            def refresh(message: str):
                return documents_table(), gr.update(choices=[d.document for d in store.documents()], value=None), message

            def summary_text(summary) -> str:
                failed = "; ".join(f"{f['document']}: {f['reason']}" for f in summary.failed)
                return (f"Added {len(summary.added)}, updated {len(summary.updated)}, unchanged {len(summary.unchanged)}, "
                        f"removed {len(summary.removed)}." + (f" **Failed:** {html.escape(failed)}" if failed else ""))

            def bar(progress):
                return lambda done, total, name: progress((done, total), desc=name)

            def reingest_corpus(progress=gr.Progress()):
                with ingest_lock:
                    return refresh(summary_text(components.ingester.ingest(None, progress=bar(progress))))

            def add_upload(file, progress=gr.Progress()):
                if file is None:
                    return refresh("Choose a file first.")
                with ingest_lock:
                    summary = components.ingester.add(Path(file if isinstance(file, str) else file.name), bar(progress))
                return refresh(summary_text(summary))

            def delete_document(name: str):
                if not name:
                    return refresh("Choose a document first.")
                with ingest_lock:
                    removed = components.ingester.delete(name)
                return refresh(f"Deleted {html.escape(name)} ({removed} chunks).")

            add.click(add_upload, new_file, [table, to_delete, status])
            delete.click(delete_document, to_delete, [table, to_delete, status])
            reingest.click(reingest_corpus, None, [table, to_delete, status])

        with gr.Tab("Evaluate", id="evaluate"):
            from eval.dataset import SETS_DIR, is_proposals_set

            question_sets = [p.name for p in sorted(SETS_DIR.glob("*.jsonl")) if not is_proposals_set(p)]
            with gr.Row():
                chosen = gr.Dropdown(question_sets, value=question_sets[0] if question_sets else None, label="Test set")
                eval_mode = gr.Radio(["extractive", "llm"], value="extractive", label="Mode")
                run_eval = gr.Button("Run", variant="primary")
            metrics = gr.Markdown()
            plots = gr.Gallery(label="Plots", columns=3, height=300)
            report = gr.File(label="Download the report (HTML)")

            def evaluate(set_name: str, mode_value: str, progress=gr.Progress()):
                from eval.evaluate import evaluate as run
                from eval.runner import default_out_dir

                result = run([SETS_DIR / set_name], default_out_dir(mode_value), components, mode=mode_value,
                             progress=lambda done, total, qid: progress((done, total), desc=qid))
                rows = "\n".join(f"| {k} | {v:.3f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in result.summary.items())
                gate = "\n\n**Gate:** " + ("passed" if not result.failures else "; ".join(result.failures))
                images = [str(p) for p in sorted(result.out_dir.glob("plot-*.png"))]
                return f"| metric | value |\n|---|---|\n{rows}{gate}", images, str(result.files["report.html"])

            run_eval.click(evaluate, [chosen, eval_mode], [metrics, plots, report])
    return ui
