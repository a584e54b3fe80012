"""Every prompt the assistant sends, kept as text files in `assistant/prompts/`."""

from __future__ import annotations

from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"


def prompt(name: str) -> str:
    """The text of `prompts/<name>.txt`, with `{placeholders}` for str.format."""
    return (PROMPTS_DIR / f"{name}.txt").read_text(encoding="utf-8").strip()


def render(name: str, **values: str) -> str:
    return prompt(name).format(**values)
