"""Document descriptions (title, council, kind, date, status) from a folder's `manifest.yaml`.

A file the manifest does not list is still ingested, described from its own text (title, council,
date and kind guessed by `ingest.inference`, and the guessed fields listed in `inferred`), so
nothing is refused for lack of paperwork and council-aware retrieval still works for it.
"""

from __future__ import annotations

import os
from itertools import takewhile
from pathlib import Path
from typing import Any

import yaml

from ingest.inference import infer_description

MANIFEST_NAME = "manifest.yaml"
FIELDS = ("title", "council", "kind", "date", "status")


class ManifestError(ValueError):
    """A manifest that cannot be read; its folder's files are ingested without it."""


def read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path.name} is not valid YAML: {error}") from None
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, dict):
        raise ManifestError(f"{path.name} needs a 'documents:' mapping of file name to title, council, kind, date, status")
    return {
        str(name): {k: str(v) for k, v in entry.items() if k in FIELDS}
        for name, entry in documents.items()
        if isinstance(entry, dict)
    }


def entry_for(path: Path, manifest: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The manifest's entry for the file at `path` ({} if none): folded into the document's content
    hash, so editing the entry re-ingests the document with its new metadata."""
    return dict(manifest.get(path.name, {}))


def write_entry(folder: Path, name: str, entry: dict[str, str]) -> None:
    """Set `name`'s entry in `folder`'s manifest (created if missing), atomically. The comment lines
    at the top of the file are kept; comments inside the mapping are not (YAML is re-written)."""
    path = folder / MANIFEST_NAME
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ManifestError(f"{path.name} is not valid YAML; not changed: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("documents", {}), dict):
        raise ManifestError(f"{path.name} needs a 'documents:' mapping; not changed")
    data.setdefault("documents", {})[name] = {k: str(v) for k, v in entry.items() if k in FIELDS}
    header = "".join(takewhile(lambda line: line.startswith("#"), text.splitlines(keepends=True)))
    temporary = folder / f".{MANIFEST_NAME}.tmp"
    with temporary.open("w", encoding="utf-8") as sink:
        sink.write(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
        sink.flush()
        os.fsync(sink.fileno())
    os.replace(temporary, path)


def describe(path: Path, manifest: dict[str, dict[str, Any]], first_heading: str | None, text: str = "") -> dict[str, str]:
    """The manifest's description of a file; what it leaves out is read from the text (see ingest.inference)."""
    entry = manifest.get(path.name, {})
    guessed = infer_description(text, path.stem, first_heading)
    described = {
        "title": entry.get("title") or guessed["title"],
        "council": entry.get("council") or guessed["council"],
        "kind": entry.get("kind") or guessed["kind"],
        "date": entry.get("date") or guessed["date"],
        "status": entry.get("status", ""),
    }
    inferred = [field for field in guessed["inferred"].split(",") if field and not entry.get(field)]
    return described | {"inferred": ",".join(inferred)}
