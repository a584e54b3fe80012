"""What an answer cites: a chunk, where it sits (document, council, section, page) and a verbatim quote."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ingest.text import verbatim


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
        """The one way a chunk's stored metadata becomes a citation. The quote is given back as the document
        writes it (its `source_text`), not as the chunk was rendered, so a reader can search for it."""
        page = metadata.get("page")
        source = metadata.get("source_text")
        quote = (verbatim(quote, source) or quote) if source else quote
        return cls(n=n, chunk_id=chunk_id, document=str(metadata.get("document", "")), title=str(metadata.get("title", "")),
                   council=str(metadata.get("council", "")), section=str(metadata.get("section", "")),
                   page=int(page) if page else None, quote=quote)

    def label(self) -> str:
        """How a citation is named wherever it is shown: "[2] Title — Section, p. 4"."""
        page = f", p. {self.page}" if self.page else ""
        return f"[{self.n}] {self.title} — {self.section}{page}"
