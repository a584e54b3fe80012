"""What the `tom` commands share: the Typer app, the consoles, the container, JSON output, logging.

The app's callback makes one `Components` per invocation (the composition root) and every command
takes it from the context. Text from documents, answers and proposals is printed with Rich markup
off or escaped, so a heading such as "[/x]" is shown, not parsed.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

import ingest  # noqa: F401  (switches off network calls before anything else loads)
from assistant.components import Components

app = typer.Typer(help="Ask questions about a council's Target Operating Model, from its own documents.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.callback()
def main(ctx: typer.Context,
         verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what each step does (or set TOM_LOG_LEVEL)")] = False) -> None:
    """Ask questions about a council's Target Operating Model, from its own documents."""
    configure_logging("DEBUG" if verbose else os.environ.get("TOM_LOG_LEVEL", "WARNING"))
    ctx.obj = Components()


def configure_logging(level: str) -> None:
    """Log lines to standard error, so JSON on standard output stays clean. The handler filters by
    level too: some libraries set their own loggers to DEBUG."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level.upper())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def parts(ctx: typer.Context) -> Components:
    return ctx.obj


def fail(error: Exception, code: int = 2) -> typer.Exit:
    """Print a user's error in red (escaped) and return the exit to raise."""
    err.print(f"[red]{escape(str(error))}[/red]")
    return typer.Exit(code=code)


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


__all__ = ["app", "console", "err", "escape", "fail", "parts", "print_json"]
