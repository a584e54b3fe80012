"""One evaluation from start to end: run the sets, score, aggregate, judge (optional), report, gate."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.components import Components
from eval.dataset import Selection
from eval.metrics import aggregate, aggregate_by, aggregate_by_type, gate, score
from eval.report import write_report
from eval.runner import Progress, run_sets

THRESHOLDS_FILE = Path(__file__).resolve().parent / "thresholds.yaml"


@dataclass
class Evaluation:
    out_dir: Path
    config: dict[str, Any]
    summary: dict[str, Any]
    by_type: dict[str, dict[str, Any]]
    files: dict[str, Path]
    judge: dict[str, Any] | None = None
    failures: list[str] = field(default_factory=list)


def load_thresholds(mode: str, path: Path = THRESHOLDS_FILE) -> dict[str, dict[str, float]]:
    tables = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tables.get(mode) or {}


def evaluate(
    set_paths: list[str | Path],
    out_dir: Path,
    components: Components,
    mode: str | None = None,
    progress: Progress | None = None,
    use_judge: bool = False,
    thresholds: Path = THRESHOLDS_FILE,
    selection: Selection | None = None,
) -> Evaluation:
    config, results = run_sets(set_paths, out_dir, components, mode=mode, progress=progress, selection=selection)
    settings = components.settings
    scores = [score(result) for result in results]
    summary, by_type = aggregate(scores), aggregate_by_type(scores)
    judged = None
    if use_judge:
        from eval.judge import judge_llm, judge_results

        llm = judge_llm(settings)
        judged = judge_results(llm, results) if llm is not None else {"judge": "not configured (set TOM_JUDGE_BASE_URL)"}
    files = write_report(out_dir, config.to_dict(), summary, by_type, scores, results, judged)
    by_document = aggregate_by(scores, "document")
    files["by-document.json"] = out_dir / "by-document.json"
    files["by-document.json"].write_text(json.dumps(by_document, indent=2), encoding="utf-8")
    table = load_thresholds(config.mode, thresholds)
    failures = gate(summary, table) if table else [f"{thresholds.name} has no thresholds for {config.mode} mode"]
    return Evaluation(out_dir, config.to_dict(), summary, by_type, files, judged, failures)
