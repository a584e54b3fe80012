"""`tom review` and `tom framework list|show|extract`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ui.cli_common import app, console, escape, fail, parts
from ui.cli_common import print_json as _print_json


framework_app = typer.Typer(help="Frameworks a proposal is reviewed against (YAML under corpus/frameworks/).", no_args_is_help=True)
app.add_typer(framework_app, name="framework")


@framework_app.command("list")
def framework_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False) -> None:
    """The frameworks available for review."""
    from assistant.frameworks import FrameworkError, load_frameworks

    try:
        frameworks = load_frameworks(parts(ctx).settings)
    except FrameworkError as error:
        raise fail(error) from None
    if as_json:
        _print_json([{"name": f.name, "title": f.title, "council": f.council, "criteria": len(f.criteria),
                      "default": f.default, "reviewed": f.reviewed} for f in frameworks.values()])
        return
    table = Table(title=f"{len(frameworks)} frameworks")
    for column in ("name", "title", "criteria", "default", "reviewed"):
        table.add_column(column)
    for f in frameworks.values():
        table.add_row(f.name, f.title, str(len(f.criteria)), "yes" if f.default else "", "yes" if f.reviewed else "draft")
    console.print(table, markup=False)


@framework_app.command("show")
def framework_show(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Framework name (see `tom framework list`)")],
                   as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False) -> None:
    """A framework's criteria and statements."""
    from assistant.frameworks import FrameworkError, get_framework

    try:
        framework = get_framework(parts(ctx).settings, name)
    except FrameworkError as error:
        raise fail(error) from None
    if as_json:
        _print_json(framework.model_dump())
        return
    console.print(f"[bold]{escape(framework.title)}[/bold] ({escape(framework.document)}: {escape(framework.section)})",
                  highlight=False)
    for criterion in framework.criteria:
        console.print(f"\n[bold]{escape(criterion.name)}[/bold] {escape(criterion.description)}", highlight=False)
        for statement in criterion.statements:
            console.print(f"  - {statement}", highlight=False, markup=False)


@framework_app.command("extract")
def framework_extract(
    ctx: typer.Context,
    document: Annotated[str, typer.Argument(help="An ingested document (file name, see `tom documents`)")],
    section: Annotated[list[str], typer.Option("--section", help="Heading to draft from; repeat for one criterion per section")],
    name: Annotated[Optional[str], typer.Option(help="Framework name (default: from the document and section)")] = None,
    title: Annotated[Optional[str], typer.Option(help="A readable title")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing file")] = False,
) -> None:
    """Draft a framework from a document's headings and bullets, saved as YAML for a person to review."""
    import re as _re

    from assistant.frameworks import FrameworkError, extract, save

    slug = name or _re.sub(r"[^a-z0-9]+", "-", f"{Path(document).stem} {section[0]}".lower()).strip("-")[:60]
    try:
        framework = extract(parts(ctx).store, document, section, slug, title)
        path = save(framework, parts(ctx).settings, overwrite=overwrite)
    except FrameworkError as error:
        raise fail(error) from None
    console.print(f"drafted {len(framework.criteria)} criteria into {path}; review it, then set reviewed: true")


@app.command("review")
def review_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Proposal file (.txt .md .docx .pdf), or - to read standard input")],
    framework: Annotated[Optional[str], typer.Option(help="Framework name (default: the default framework)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Check a proposal against the TOM's criteria: a verdict per criterion, with evidence and citations."""
    from assistant.errors import UserError
    from assistant.review import read_proposal

    try:
        text = sys.stdin.read() if source == "-" else read_proposal(Path(source))

        def show(criterion) -> None:
            if not as_json:
                colour = {"supports": "green", "conflicts": "red"}.get(criterion.verdict, "yellow")
                console.print(f"[{colour}]{criterion.verdict:>13}[/{colour}]  [bold]{escape(criterion.name)}[/bold]: "
                              f"{escape(criterion.reason)}", highlight=False)
                for quote in criterion.evidence:
                    console.print(f"                 “{quote}”", highlight=False, markup=False)
                if criterion.suggestion:
                    console.print(f"                 suggestion: {criterion.suggestion}", highlight=False, markup=False)

        result = parts(ctx).reviewer.review(text, framework, on_criterion=show)
    except UserError as error:
        raise fail(error) from None
    if as_json:
        _print_json(result.to_dict())
        return
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow] {escape(warning)}", highlight=False)
    console.print(f"\n[bold]Overall: {result.overall}[/bold] — {escape(result.summary)}", highlight=False)
    for criterion in result.criteria:
        for citation in criterion.citations:
            console.print(f"{citation.label()}: “{citation.quote}”", highlight=False, markup=False)
