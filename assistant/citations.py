"""What an answer cites: a chunk, where it sits (document, council, section, page) and a verbatim quote."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Citation:
    n: int
    chunk_id: str
    document: str
    title: str
    council: str
    section: str
    page: int | None
    quote: str

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def of_chunk(cls, n: int, chunk_id: str, metadata: dict[str, Any], quote: str) -> "Citation":
        """The one way a chunk's stored metadata becomes a citation."""
        page = metadata.get("page")
        return cls(n=n, chunk_id=chunk_id, document=str(metadata.get("document", "")), title=str(metadata.get("title", "")),
                   council=str(metadata.get("council", "")), section=str(metadata.get("section", "")),
                   page=int(page) if page else None, quote=quote)

    def label(self) -> str:
        """How a citation is named wherever it is shown: "[2] Title — Section, p. 4"."""
        page = f", p. {self.page}" if self.page else ""
        return f"[{self.n}] {self.title} — {self.section}{page}"
