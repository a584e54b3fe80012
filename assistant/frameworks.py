"""Frameworks: named sets of criteria a proposal is challenged against, kept as YAML in the corpus.

A framework is drafted from a document's structure (`extract`): under one section, each
sub-heading becomes a criterion with its bullets as statements; a section without sub-headings
gives one criterion per bullet or "Name: description" line; several sections give one criterion
each. Each criterion also gets drafted `towards` and `against` lines from the document's own
words (`assistant.review_aims`). Drafts are saved under `corpus/frameworks/` for a person to edit;
the reviewed files are what the review uses. Each criterion keeps the ids and section of the chunks it came from, so its
passages can be cited like any answer's.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.errors import NotFound
from assistant.review_aims import draft_against, draft_towards
from ingest.settings import Settings
from ingest.store import ChunkStore, StoredChunk
from ingest.text import list_item, sentences

NAMED_LINE_RE = re.compile(r"^([A-Z][\w ,'&/-]{2,60}):\s+(\S.*)$")


class FrameworkError(NotFound):
    """A framework that cannot be found, read or drafted; the message says which and why."""


class Criterion(BaseModel):
    """One criterion. `statements` are the document's words (cited); `towards` and `against` say what
    moving towards it and working against it look like, drafted from the document and reviewed by a
    person (the review judges a proposal's actions against both)."""

    name: str = Field(min_length=1)
    description: str = ""
    statements: list[str] = Field(default_factory=list)
    towards: list[str] = Field(default_factory=list)
    against: list[str] = Field(default_factory=list)
    section: str = ""
    chunks: list[str] = Field(default_factory=list)

    def aims(self) -> list[str]:
        """What moving towards the criterion looks like: its reviewed `towards` lines, else its statements."""
        return self.towards or self.statements or [self.description or self.name]


class Framework(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    council: str = ""
    document: str
    section: str = ""
    default: bool = False
    reviewed: bool = False
    criteria: list[Criterion] = Field(min_length=1)


def frameworks_dir(settings: Settings) -> Path:
    return settings.corpus_dir / "frameworks"


def load_frameworks(settings: Settings) -> dict[str, Framework]:
    """Every framework under corpus/frameworks/, by name; a broken file is a clear error."""
    frameworks: dict[str, Framework] = {}
    for path in sorted(frameworks_dir(settings).glob("*.yaml")):
        try:
            framework = Framework.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError) as error:
            raise FrameworkError(f"{path.name}: not a valid framework ({str(error).splitlines()[0]})") from None
        frameworks[framework.name] = framework
    return frameworks


def get_framework(settings: Settings, name: str | None = None) -> Framework:
    """The named framework, or the one marked `default: true` (else the first by name)."""
    frameworks = load_frameworks(settings)
    if not frameworks:
        raise FrameworkError(f"no frameworks in {frameworks_dir(settings)}; draft one with `tom framework extract`")
    if name is None:
        return next((f for f in frameworks.values() if f.default), next(iter(frameworks.values())))
    if name not in frameworks:
        raise FrameworkError(f"unknown framework '{name}'; known: {', '.join(frameworks)}")
    return frameworks[name]


def criterion_chunks(store: ChunkStore, framework: Framework, criterion: Criterion) -> list[StoredChunk]:
    """The chunks a criterion came from: its ids when they still exist, else its section's chunks."""
    chunks = [c for c in store.get(criterion.chunks) if c.metadata.get("document") == framework.document] if criterion.chunks else []
    if chunks:
        return chunks
    wanted = (criterion.section or criterion.name).lower()
    return [c for c in store.document_chunks(framework.document) if wanted in str(c.metadata.get("section", "")).lower()]


def _body_lines(chunk: StoredChunk) -> list[str]:
    return [line.strip() for line in chunk.text.splitlines() if line.strip()]


def extract(store: ChunkStore, document: str, sections: list[str], name: str, title: str | None = None) -> Framework:
    """Draft a framework from a document's headings and bullets (see the module's docstring)."""
    chunks = store.document_chunks(document)
    if not chunks:
        raise FrameworkError(f"'{document}' is not in the store; ingest it first (see `tom documents`)")
    council = str(chunks[0].metadata.get("council", ""))
    criteria: list[Criterion] = []
    if len(sections) > 1:
        for section in sections:
            picked = _select(chunks, section)
            if not picked:
                raise FrameworkError(f"no section '{section}' in {document}")
            criteria.append(_criterion(section, picked))
    else:
        section = sections[0]
        picked = _select(chunks, section)
        if not picked:
            raise FrameworkError(f"no section '{section}' in {document}; its sections: {_sections(chunks)}")
        depth = _depth(_path(picked[0]), section)
        own = [c for c in picked if len(_path(c)) == depth + 1]
        children: dict[str, list[StoredChunk]] = {}
        for chunk in picked:
            path = _path(chunk)
            if len(path) > depth + 1:
                children.setdefault(path[depth + 1], []).append(chunk)
        from_lines = _criteria_from_lines(own)
        if len(from_lines) >= 2 or not children:
            criteria = from_lines or _criteria_from_lines(picked)
        else:
            criteria = [_criterion(child, group) for child, group in children.items()]
    criteria = [_with_aims(c) for c in criteria if c.statements or c.description]
    if not criteria:
        raise FrameworkError(f"section '{sections[0]}' of {document} has no sub-headings, bullets or named lines to draft from")
    return Framework(name=name, title=title or f"{council or document}: {', '.join(sections)}", council=council,
                     document=document, section=" | ".join(sections), criteria=criteria)


def _with_aims(criterion: Criterion) -> Criterion:
    """The criterion with drafted `towards` and `against` lines (see assistant.review_aims) for a person to edit."""
    return criterion.model_copy(update={"towards": draft_towards(criterion.statements, criterion.description),
                                        "against": draft_against(criterion.statements, criterion.description)})


def _path(chunk: StoredChunk) -> list[str]:
    return [part.strip() for part in str(chunk.metadata.get("section", "")).split(">") if part.strip()]


def _depth(path: list[str], section: str) -> int | None:
    """Where in a section path the wanted heading sits, or None."""
    return next((i for i, part in enumerate(path) if section.lower() in part.lower()), None)


def _select(chunks: list[StoredChunk], section: str) -> list[StoredChunk]:
    """The chunks under the shallowest heading that matches (a theme, not the appendix that repeats its name)."""
    depths = {c.chunk_id: _depth(_path(c), section) for c in chunks}
    found = [d for d in depths.values() if d is not None]
    return [c for c in chunks if found and depths[c.chunk_id] == min(found)]


def _sections(chunks: list[StoredChunk]) -> str:
    return "; ".join(dict.fromkeys(str(c.metadata.get("section", "")) for c in chunks))


def _criterion(name: str, chunks: list[StoredChunk]) -> Criterion:
    description, statements = "", []
    for chunk in chunks:
        for line in _body_lines(chunk):
            bullet = list_item(line)
            if bullet is not None:
                if bullet not in statements:
                    statements.append(bullet)
            elif not description:
                description = line.rstrip(":")
    if not statements:  # prose sections: their sentences are the statements
        text = " ".join(_body_lines(chunks[0]))
        statements = [s for s in sentences(text) if len(s.split()) > 3][:5]
        description = ""
    section = str(chunks[0].metadata.get("section", name))
    return Criterion(name=name, description=description, statements=statements, section=section,
                     chunks=[c.chunk_id for c in chunks])


def _criteria_from_lines(chunks: list[StoredChunk]) -> list[Criterion]:
    """Criteria in a flat section: lead-in lines with their bullets ("Work as one team:" + bullets),
    else one per "Name: description" line, else one per bullet."""
    groups: list[Criterion] = []
    named: list[Criterion] = []
    bullets: list[Criterion] = []
    current: Criterion | None = None
    for chunk in chunks:
        section = str(chunk.metadata.get("section", ""))
        for line in _body_lines(chunk):
            item = list_item(line)
            bullet = item is not None
            text = item if bullet else line
            if not bullet and line.endswith(":") and len(line.split()) <= 8:
                current = Criterion(name=line.rstrip(":").strip(), section=section, chunks=[chunk.chunk_id])
                groups.append(current)
                continue
            if bullet and current is not None:
                current.statements.append(text)
                if chunk.chunk_id not in current.chunks:
                    current.chunks.append(chunk.chunk_id)
                continue
            current = None
            match = NAMED_LINE_RE.match(text)
            if match and len(match.group(1).split()) <= 6:
                named.append(Criterion(name=match.group(1).strip(), description=match.group(2).strip(),
                                       section=section, chunks=[chunk.chunk_id]))
            elif bullet:
                bullets.append(Criterion(name=" ".join(text.split()[:6]), description=text, section=section,
                                         chunks=[chunk.chunk_id]))
    groups = [g for g in groups if g.statements]
    return groups if len(groups) >= 2 else named if len(named) >= 2 else bullets


def save(framework: Framework, settings: Settings, overwrite: bool = False) -> Path:
    """Write the framework as readable YAML under corpus/frameworks/."""
    folder = frameworks_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{framework.name}.yaml"
    if path.exists() and not overwrite:
        raise FrameworkError(f"{path} exists; pass --overwrite to replace it")
    header = ("# Drafted by `tom framework extract`; review the criteria and their towards/against lines (add the concrete\n"
              "# forms working against each aim takes), then set reviewed: true.\n")
    path.write_text(header + yaml.safe_dump(framework.model_dump(), sort_keys=False, allow_unicode=True, width=100),
                    encoding="utf-8")
    return path
