"""Test sets: JSONL, one question per line, validated with errors that name the line and field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

SETS_DIR = Path(__file__).resolve().parent / "sets"
QUESTION_TYPES = ("fact", "list", "multi_doc", "table", "numeric", "negative", "paraphrase", "followup", "cover")


class SetError(ValueError):
    """A test set that cannot be used; the message says which line and field."""


class Question(BaseModel):
    """One question; `must_include` entries may list alternatives separated by ' | '."""

    id: str = Field(min_length=1)
    question: str = Field(min_length=3)
    answer: str = ""
    must_include: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    type: Literal[QUESTION_TYPES]  # type: ignore[valid-type]
    follows: str | None = None
    split: Literal["dev", "test"] | None = None  # dev: look and tune; test: run only to report

    @field_validator("must_include")
    @classmethod
    def _facts_not_blank(cls, value: list[str]) -> list[str]:
        if any(not fact.strip() for fact in value):
            raise ValueError("entries must not be blank")
        return value

    @property
    def answerable(self) -> bool:
        return bool(self.sources)


@dataclass(frozen=True)
class Selection:
    """Which questions of a set to run: one split, and/or those whose main source is one document
    (leave-one-document-out), or whose main source is any but that one (the four to tune on)."""

    split: str | None = None
    document: str | None = None
    exclude_document: str | None = None
    per_type: int | None = None  # at most this many of each question type, the first in the file (a sample that fits CI)

    def wants(self, question: Question) -> bool:
        main = question.sources[0] if question.sources else None
        return ((self.split is None or question.split == self.split)
                and (self.document is None or main == self.document)
                and (self.exclude_document is None or main != self.exclude_document))


def select(questions: list[Question], selection: Selection) -> list[Question]:
    """The wanted questions, with the earlier turns each follow-up needs (so its conversation is real)."""
    by_id = {q.id: q for q in questions}
    wanted = {q.id for q in _sample([q for q in questions if selection.wants(q)], selection.per_type)}
    for question_id in list(wanted):
        parent = by_id[question_id].follows
        while parent and parent not in wanted:
            wanted.add(parent)
            parent = by_id[parent].follows
    return [q for q in questions if q.id in wanted]


def _sample(questions: list[Question], per_type: int | None) -> list[Question]:
    """The first `per_type` questions of each type (all when None): every type is represented, and the same set
    gives the same sample."""
    if per_type is None:
        return questions
    taken: dict[str, int] = {}
    sample = []
    for question in questions:
        if taken.get(question.type, 0) < per_type:
            taken[question.type] = taken.get(question.type, 0) + 1
            sample.append(question)
    return sample


def _resolve(path: str | Path, what: str) -> Path:
    """A set by path, or by file name in eval/sets/."""
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        path = SETS_DIR / path.name
    if not path.is_file():
        raise SetError(f"{path}: no such {what}")
    return path


def _records(path: Path, model: type[BaseModel]) -> Iterator[tuple[int, BaseModel]]:
    """Each non-blank line validated as `model`, with its line number; errors name the line and field."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise SetError(f"{path.name}, line {number}: not valid JSON ({error.msg})") from None
        if not isinstance(data, dict):
            raise SetError(f"{path.name}, line {number}: expected a JSON object")
        try:
            yield number, model.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "(object)"
            raise SetError(f"{path.name}, line {number}, field '{field}': {first['msg']}") from None


def load_set(path: str | Path) -> list[Question]:
    """Read and validate a set; raises SetError for a malformed line, a bad `follows` or an empty set."""
    path = _resolve(path, "test set")
    questions: list[Question] = []
    seen: set[str] = set()
    for number, question in _records(path, Question):
        if question.id in seen:
            raise SetError(f"{path.name}, line {number}, field 'id': duplicate id '{question.id}'")
        if question.follows and question.follows not in seen:
            raise SetError(
                f"{path.name}, line {number}, field 'follows': unknown id '{question.follows}' (it must come earlier in the set)"
            )
        if question.type == "negative" and question.sources:
            raise SetError(f"{path.name}, line {number}, field 'sources': a negative question has no sources")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise SetError(f"{path.name}: the set is empty")
    return questions

class ProposalCase(BaseModel):
    """One proposal for the review: expected verdicts for the criteria the author is sure of."""

    id: str = Field(min_length=1)
    proposal: str = Field(min_length=1)
    framework: str = Field(min_length=1)
    expected: dict[str, Literal["supports", "conflicts", "not_addressed"]]
    overall: Literal["fits", "partly_fits", "conflicts"]
    type: str = "proposal"
    same_as: str | None = None  # the clean twin of a proposal with an injected instruction


def load_proposals(path: str | Path) -> list[ProposalCase]:
    """Read and validate a proposals set, with the same line-and-field errors as a question set."""
    path = _resolve(path, "proposals set")
    cases: list[ProposalCase] = []
    for number, case in _records(path, ProposalCase):
        if case.same_as and case.same_as not in {c.id for c in cases}:
            raise SetError(f"{path.name}, line {number}, field 'same_as': unknown id '{case.same_as}'")
        cases.append(case)
    if not cases:
        raise SetError(f"{path.name}: the set is empty")
    return cases


def first_record(path: str | Path) -> dict:
    """The first line of a set as an object ({} for a missing or unreadable file): what kind of set it is."""
    try:
        path = _resolve(path, "set")
        first = next((line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()), "{}")
        record = json.loads(first)
    except (SetError, json.JSONDecodeError):
        return {}
    return record if isinstance(record, dict) else {}


def is_proposals_set(path: str | Path) -> bool:
    """A proposals set has a `proposal` field on its first line."""
    return "proposal" in first_record(path)
    first = next((line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()), "{}")
    try:
        return "proposal" in json.loads(first)
    except json.JSONDecodeError:
        return False
