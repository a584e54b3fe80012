"""Run test sets through the real assistant and write one result per line, resumably.

A run lives in one folder: `run.json` (what was run and how), `results.jsonl` (one answer per
line, appended as each finishes), and `answers.sqlite3` (the run's own conversation log, so
follow-ups share a conversation and a resumed run still has their history). Starting again with
the same folder skips the questions already answered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from assistant.answering import Assistant
from assistant.components import Components
from assistant.conversations import AnswerLog
from eval.dataset import Question, Selection, load_set, select

RUNS_DIR = Path(__file__).resolve().parent / "runs"
Progress = Callable[[int, int, str], None]


class RunError(ValueError):
    """A run that cannot start or resume (for example a folder holding a run of another mode)."""


@dataclass
class RunConfig:
    sets: list[str]
    mode: str
    backend: str
    model: str

    def to_dict(self) -> dict[str, Any]:
        return {"sets": self.sets, "mode": self.mode, "backend": self.backend, "model": self.model}


def default_out_dir(mode: str) -> Path:
    return RUNS_DIR / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{mode}"


def load_results(out_dir: Path) -> list[dict[str, Any]]:
    path = out_dir / "results.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_sets(
    set_paths: list[str | Path],
    out_dir: Path,
    components: Components,
    mode: str | None = None,
    progress: Progress | None = None,
    selection: Selection | None = None,
) -> tuple[RunConfig, list[dict[str, Any]]]:
    """Answer every selected question of the sets not yet in `out_dir`; returns the config and all results."""
    settings, retriever = components.settings, components.retriever
    mode = mode or settings.answer_mode
    questions: list[tuple[str, Question]] = []
    for path in set_paths:
        name = Path(path).stem
        questions.extend((name, q) for q in select(load_set(path), selection or Selection()))
    model = settings.openai_model if settings.llm_backend == "openai" else settings.resolved_llm_path.stem
    config = RunConfig(sets=[str(p) for p in set_paths], mode=mode, backend=settings.llm_backend,
                       model=model if mode == "llm" else "extractive")

    out_dir.mkdir(parents=True, exist_ok=True)
    run_file = out_dir / "run.json"
    if run_file.is_file():
        previous = json.loads(run_file.read_text(encoding="utf-8"))
        if {k: previous.get(k) for k in ("mode", "backend", "model")} != {k: v for k, v in config.to_dict().items() if k != "sets"}:
            raise RunError(f"{out_dir} holds a run with mode={previous.get('mode')}, backend={previous.get('backend')}, "
                           f"model={previous.get('model')}; choose another --out to run with mode={mode}")
    run_file.write_text(json.dumps(config.to_dict() | {"started": datetime.now(timezone.utc).isoformat()}, indent=2))

    results = load_results(out_dir)
    done = {(r["set"], r["id"]) for r in results}
    sessions = {(r["set"], r["id"]): r["session"] for r in results}
    assistant = Assistant(settings, retriever, AnswerLog(out_dir / "answers.sqlite3"), components.models)
    with (out_dir / "results.jsonl").open("a", encoding="utf-8") as sink:
        for position, (set_name, question) in enumerate(questions, start=1):
            if progress:
                progress(position, len(questions), question.id)
            key = (set_name, question.id)
            if key in done:
                continue
            session = sessions.get((set_name, question.follows)) if question.follows else None
            started = time.perf_counter()
            answer = assistant.ask(question.question, session=session, mode=mode)
            cited_ids = sorted({c.chunk_id for c in answer.citations})
            chunk_texts = {c.chunk_id: c.metadata.get("source_text") or c.text  # quotes are the document's own words
                           for c in retriever.store.get(cited_ids)} if cited_ids else {}
            result = {"set": set_name, **question.model_dump(exclude={"answer"}), "reference": question.answer, **answer.to_dict(), "chunk_texts": chunk_texts,
                      "wall_ms": int((time.perf_counter() - started) * 1000)}
            sink.write(json.dumps(result, ensure_ascii=False) + "\n")
            sink.flush()
            sessions[key] = answer.session
            results.append(result)
    order = {(name, q.id): i for i, (name, q) in enumerate(questions)}
    results = [r for r in results if (r["set"], r["id"]) in order]
    results.sort(key=lambda r: order[(r["set"], r["id"])])
    return config, results
