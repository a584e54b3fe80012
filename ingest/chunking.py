"""Structure-aware chunking: each chunk lies within one section and carries its section path.

A bullet list stays with the sentence that introduces it, a table row never leaves its header
row, and no chunk (with the title and section path that are embedded in front of it) exceeds the
embedder's window, counted with the embedder's own tokenizer. When a list or table is too long
for one chunk it is split between items, and each part repeats the lead-in or header.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, MetadataMode, NodeRelationship, TextNode
from pydantic import Field

from ingest.structure import Block, parse_blocks
from ingest.text import chunk_id, sentence_spans
EMBEDDED_KEYS = ("title", "section")


@dataclass
class Unit:
    """Text that should stay together: a paragraph, a list with its lead-in, a table with its header."""

    kind: str
    head: str  # lead-in or header row, repeated when the unit is split
    items: list[str]
    start: int
    end: int
    item_spans: list[tuple[int, int]] = field(default_factory=list)


class StructureNodeParser(NodeParser):
    """Splits Documents into TextNodes along headings, lists and tables."""

    count_tokens: Callable[[str], int] = Field(exclude=True)
    chunk_tokens: int = 200
    max_tokens: int = 254

    @classmethod
    def class_name(cls) -> str:
        return "StructureNodeParser"

    def _parse_nodes(self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any) -> list[BaseNode]:
        out: list[BaseNode] = []
        for document in nodes:
            out.extend(self.chunk_document(document))
        return out

    def chunk_document(self, document: BaseNode) -> list[TextNode]:
        text = document.get_content(metadata_mode=MetadataMode.NONE)
        meta = {k: v for k, v in document.metadata.items() if k != "page_starts"}
        page_starts: list[int] = document.metadata.get("page_starts") or []
        doc_name = meta.get("document") or meta.get("file_name") or document.node_id
        nodes: list[TextNode] = []
        for section, units in _sections(parse_blocks(text)):
            header = f"{meta.get('title', doc_name)}\n{section}\n\n"
            budget = self.chunk_tokens - self.count_tokens(header)
            hard = self.max_tokens - self.count_tokens(header)
            for body, start, end, source_start in self._pack(units, budget, hard):
                index = len(nodes)
                metadata = {
                    **meta,
                    "section": section,
                    "chunk_index": index,
                    "start_char": start,
                    "end_char": end,
                    "source_text": text[source_start:end],  # the document's own words (a repeated lead-in or
                    # header row included), so a quote can be given back as a reader will find it
                }
                if page_starts:
                    metadata["page"] = _page_of(start, page_starts)
                node = TextNode(
                    id_=chunk_id(doc_name, index),
                    text=body,
                    metadata=metadata,
                    start_char_idx=start,
                    end_char_idx=end,
                    excluded_embed_metadata_keys=[k for k in metadata if k not in EMBEDDED_KEYS],
                    excluded_llm_metadata_keys=[k for k in metadata if k not in EMBEDDED_KEYS],
                    metadata_template="{value}",
                    metadata_separator="\n",
                )
                node.relationships[NodeRelationship.SOURCE] = document.as_related_node_info()
                nodes.append(node)
        return nodes

    def _pack(self, units: list[Unit], budget: int, hard: int) -> list[tuple[str, int, int, int]]:
        """Greedily fill chunks with whole units; split a unit only when it cannot fit alone. Each chunk is
        (text, start, end, source start): a part of a split unit starts its source at the unit's lead-in."""
        chunks: list[tuple[str, int, int, int]] = []
        current: list[str] = []
        span = [0, 0]

        def flush() -> None:
            if current:
                chunks.append(("\n".join(current), span[0], span[1], span[0]))
                current.clear()

        for unit in units:
            rendered = _render(unit.head, unit.items)
            size = self.count_tokens(rendered)
            joined = self.count_tokens("\n".join([*current, rendered])) if current else size
            if current and joined <= budget:
                current.append(rendered)
                span[1] = unit.end
                continue
            flush()
            if size <= max(budget, 1) or (size <= hard and unit.kind == "para"):
                current.append(rendered)
                span[:] = [unit.start, unit.end]
                continue
            for part, start, end in self._split_unit(unit, budget, hard):
                chunks.append((part, start, end, unit.start))
        flush()
        return chunks

    def _split_unit(self, unit: Unit, budget: int, hard: int) -> list[tuple[str, int, int]]:
        items, spans = unit.items, unit.item_spans or [(unit.start, unit.end)] * len(unit.items)
        if unit.kind == "para":
            items = [unit.items[0][start:end] for start, end in sentence_spans(unit.items[0])]
            spans = [(unit.start, unit.end)] * len(items)
        head_size = self.count_tokens(unit.head) if unit.head else 0
        parts: list[tuple[str, int, int]] = []
        group: list[str] = []
        group_span = [unit.start, unit.start]
        for item, (start, end) in zip(items, spans):
            for piece in self._fit(item, max(hard - head_size, 16)):
                candidate = _render(unit.head, [*group, piece], joiner=" " if unit.kind == "para" else "\n")
                if group and self.count_tokens(candidate) > budget:
                    parts.append((_render(unit.head, group, " " if unit.kind == "para" else "\n"), *group_span))
                    group = []
                    group_span = [start, start]
                if not group:
                    group_span[0] = start
                group.append(piece)
                group_span[1] = end
        if group:
            parts.append((_render(unit.head, group, " " if unit.kind == "para" else "\n"), *group_span))
        return parts

    def _fit(self, item: str, limit: int) -> list[str]:
        """An item longer than the window is cut between words; nothing is silently truncated."""
        if self.count_tokens(item) <= limit:
            return [item]
        pieces, words, current = [], item.split(), []
        for word in words:
            if current and self.count_tokens(" ".join([*current, word])) > limit:
                pieces.append(" ".join(current))
                current = []
            current.append(word)
        if current:
            pieces.append(" ".join(current))
        return pieces


def _render(head: str, items: list[str], joiner: str = "\n") -> str:
    return "\n".join([head, joiner.join(items)]) if head else joiner.join(items)


def _sections(blocks: list[Block]) -> list[tuple[str, list[Unit]]]:
    """Group blocks under their heading path, and within a section into units."""
    out: list[tuple[str, list[Unit]]] = []
    stack: list[tuple[int, str]] = []
    body: list[Block] = []

    def close() -> None:
        if body:
            path = " > ".join(title for _, title in stack) or "(untitled)"
            out.append((path, _units(body)))
            body.clear()

    for block in blocks:
        if block.kind == "heading":
            close()
            stack = [(level, title) for level, title in stack if level < block.level]
            stack.append((block.level, block.text))
        else:
            body.append(block)
    close()
    return out


def _units(blocks: list[Block]) -> list[Unit]:
    units: list[Unit] = []
    for i, block in enumerate(blocks):
        previous = units[-1] if units else None
        if block.kind == "bullet":
            if previous and previous.kind == "list":
                previous.items.append(block.text)
                previous.item_spans.append((block.start, block.end))
                previous.end = block.end
            else:
                lead = previous if previous and previous.kind == "para" and blocks[i - 1].kind == "para" else None
                if lead:
                    units.pop()
                units.append(
                    Unit("list", lead.items[0] if lead else "", [block.text], lead.start if lead else block.start,
                         block.end, [(block.start, block.end)])
                )
        elif block.kind == "row":
            cells = block.text.split("\t")
            if previous and previous.kind == "table" and _render_row(cells, None) != previous.head:
                last = previous.items[-1].split(" | ") if previous.items else None
                previous.items.append(_render_row(cells, last))
                previous.item_spans.append((block.start, block.end))
                previous.end = block.end
            else:
                units.append(Unit("table", _render_row(cells, None), [], block.start, block.end, []))
        else:
            units.append(Unit("para", "", [block.text], block.start, block.end))
    return [unit for unit in units if unit.items or unit.head]


def _render_row(cells: list[str], previous: list[str] | None) -> str:
    """Cells joined with ' | '; an empty first cell (a merged cell in the source) repeats the one above."""
    cells = [cell.strip() for cell in cells]
    while cells and not cells[-1]:
        cells.pop()
    if previous and cells and not cells[0] and previous[0]:
        cells[0] = previous[0]
    return " | ".join(cells)


def _page_of(offset: int, page_starts: list[int]) -> int:
    page = 1
    for number, start in enumerate(page_starts, start=1):
        if start <= offset:
            page = number
    return page
