"""What the `tom` commands share: the Typer app, the consoles, JSON output."""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console

import ingest  # noqa: F401  (switches off network calls before anything else loads)

app = typer.Typer(help="Ask questions about a council's Target Operating Model, from its own documents.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
