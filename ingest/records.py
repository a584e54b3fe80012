"""The records the store hands out: a chunk, and a document's description from its chunks' metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class StoredChunk:
    chunk_id: str
    text: str
    metadata: dict[str, Any]
    embedding: list[float] | None = None  # only when asked for


@dataclass
class DocumentInfo:
    document: str
    title: str
    council: str
    kind: str
    date: str
    status: str
    chunks: int
    doc_hash: str
    source: str
    inferred: list[str] = field(default_factory=list)  # fields guessed from the text (no manifest entry gave them)


def document_info(document: str, metas: list[dict[str, Any]]) -> DocumentInfo:
    first = metas[0]
    return DocumentInfo(
        document=document,
        title=str(first.get("title", document)),
        council=str(first.get("council", "unknown")),
        kind=str(first.get("kind", "")),
        date=str(first.get("date", "")),
        status=str(first.get("status", "")),
        chunks=len(metas),
        doc_hash=str(first.get("doc_hash", "")),
        source=str(first.get("source", "")),
        inferred=[name for name in str(first.get("inferred", "")).split(",") if name],
    )


def clean_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Chroma takes str, int, float and bool values only."""
    out = {}
    for key, value in metadata.items():
        if value is None:
            continue
        out[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
    return out
