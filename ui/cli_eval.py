"""`tom eval`: test sets through the assistant, reports, compare, the quality gate; proposals sets through the review."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ui.cli_common import app, console, err, escape, fail, parts
from ui.cli_common import print_json as _print_json


@app.command("eval")
def eval_command(
    ctx: typer.Context,
    targets: Annotated[list[str], typer.Argument(help="Test set files (JSONL), or: compare RUN_A RUN_B")],
    mode: Annotated[Optional[str], typer.Option(help="llm or extractive (default: the configured mode)")] = None,
    backend: Annotated[Optional[str], typer.Option(help="llamacpp or openai (overrides TOM_LLM_BACKEND)")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Run folder; an existing one is resumed")] = None,
    judge: Annotated[bool, typer.Option("--judge", help="Also ask the judge model at TOM_JUDGE_BASE_URL")] = False,
    gate_run: Annotated[bool, typer.Option("--gate", help="Exit 1 when a metric is outside the thresholds file")] = False,
    thresholds: Annotated[Optional[Path], typer.Option(help="The gate's thresholds (default: eval/thresholds.yaml)")] = None,
    split: Annotated[Optional[str], typer.Option(help="Only questions of this split: dev (to tune on) or test (to report)")] = None,
    document: Annotated[Optional[str], typer.Option(help="Only questions whose main source is this document (leave-one-out: the held-out one)")] = None,
    exclude_document: Annotated[Optional[str], typer.Option(help="Only questions whose main source is not this document (the four to tune on)")] = None,
    per_type: Annotated[Optional[int], typer.Option(min=1, help="At most this many questions of each type, the first in the file")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Run test sets through the assistant and write results.jsonl, report.md and report.html."""
    if targets[0] == "compare":
        _compare(targets)
        return
    if mode not in (None, "llm", "extractive") or backend not in (None, "llamacpp", "openai"):
        err.print("--mode must be llm or extractive; --backend llamacpp or openai")
        raise typer.Exit(code=2)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.components import Components
    from eval.dataset import Selection, SetError, is_proposals_set
    from eval.evaluate import THRESHOLDS_FILE, evaluate
    from eval.judge_pairs import is_judge_pairs_set
    from eval.runner import RunError, default_out_dir

    if thresholds is not None and not thresholds.is_file():
        err.print(f"--thresholds: {escape(str(thresholds))} is not a file")
        raise typer.Exit(code=2)
    components: Components = parts(ctx)
    if backend:
        components = Components(components.settings.model_copy(update={"llm_backend": backend}))
    if all(is_judge_pairs_set(target) for target in targets):
        _eval_pairs(components, targets, out or default_out_dir("judge-pairs"), as_json, split)
        return
    if all(is_proposals_set(target) for target in targets):
        _eval_reviews(components, targets, out or default_out_dir("review"), as_json, split)
        return
    out_dir = out or default_out_dir(mode or components.settings.answer_mode)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, disable=as_json) as bar:
        task = bar.add_task("evaluating", total=None)

        def report(done: int, total: int, qid: str) -> None:
            bar.update(task, total=total, completed=done - 1, description=f"evaluating {qid}")

        try:
            selection = Selection(split=split, document=document, exclude_document=exclude_document, per_type=per_type)
            result = evaluate(targets, out_dir, components, mode=mode, progress=report, use_judge=judge, selection=selection,
                              thresholds=thresholds or THRESHOLDS_FILE)
        except (SetError, RunError) as error:
            raise fail(error) from None
        bar.update(task, completed=bar.tasks[0].total or 0, description="evaluated")
    _print_result(result, as_json)
    if gate_run and result.failures:
        raise typer.Exit(code=1)


def _compare(targets: list[str]) -> None:
    """`tom eval compare RUN_A RUN_B`: the Markdown comparison, printed and saved beside RUN_B."""
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


def _print_result(result, as_json: bool) -> None:
    """The run's summary as JSON, or as a table with the report's path and any gate failures."""
    if as_json:
        _print_json({"out": str(result.out_dir), "config": result.config, "summary": result.summary,
                     "by_type": result.by_type, "judge": result.judge, "gate_failures": result.failures})
        return
    table = Table(title=f"{result.config['mode']} · {result.config['model']} · {result.summary['questions']} questions")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in result.summary.items():
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    console.print(table)
    console.print(f"report: {result.files['report.html']}")
    for failure in result.failures:
        console.print(f"[red]gate:[/red] {escape(failure)}", highlight=False)


def _eval_reviews(components, targets: list[str], out_dir: Path, as_json: bool, split: str | None = None) -> None:
    """`tom eval` on proposals sets: per-criterion and overall agreement, injection flips."""
    from assistant.errors import UserError
    from eval.dataset import SetError
    from eval.review_eval import run_reviews

    summaries = []
    for target in targets:
        try:
            result = run_reviews(target, components.reviewer, out_dir, split=split,
                                 progress=lambda done, total, pid: err.print(f"reviewing {escape(pid)} ({done}/{total})"))
        except (SetError, UserError) as error:
            raise fail(error) from None
        summaries.append({key: value for key, value in result.items() if key != "records"} | {"set": target})
        for record in result["records"]:
            if record["disagreements"] and not as_json:
                console.print(f"{record['id']}: {record['disagreements']}", highlight=False, markup=False)
    if as_json:
        _print_json({"out": str(out_dir), "reviews": summaries})
    else:
        for summary in summaries:
            console.print(summary, highlight=False)


def _eval_pairs(components, targets: list[str], out_dir: Path, as_json: bool, split: str | None) -> None:
    """`tom eval` on judge-pairs sets: the review's judge on single action/criterion pairs, as asked and alone."""
    from assistant.errors import UserError
    from assistant.llm import LLMUnavailable
    from eval.dataset import SetError
    from eval.judge_pairs import run_pairs

    summaries = []
    for target in targets:
        try:
            summary = run_pairs(target, components.reviewer, out_dir, split=split, progress=lambda done, total, pid:
                                err.print(f"judging {escape(pid)} ({done}/{total})") if done % 20 == 1 else None)
        except (SetError, UserError, LLMUnavailable) as error:
            raise fail(error) from None
        summaries.append(summary | {"set": target})
    if as_json:
        _print_json({"out": str(out_dir), "pairs": summaries})
    else:
        for summary in summaries:
            console.print(summary, highlight=False)
