"""Document descriptions (title, council, kind, date, status) from a folder's `manifest.yaml`.

A file the manifest does not list is still ingested: its title is its first heading or its file
name, and its council "unknown", so nothing is refused for lack of paperwork.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

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


def describe(path: Path, manifest: dict[str, dict[str, Any]], first_heading: str | None) -> dict[str, str]:
    entry = manifest.get(path.name, {})
    return {
        "title": entry.get("title") or first_heading or path.stem.replace("-", " ").replace("_", " "),
        "council": entry.get("council", "unknown"),
        "kind": entry.get("kind", "document"),
        "date": entry.get("date", ""),
        "status": entry.get("status", ""),
    }
