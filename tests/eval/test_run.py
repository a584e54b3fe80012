"""The harness end to end on the sample corpus: `tom eval --gate`, resume, compare, and the HTML in Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eval.compare import compare
from eval.dataset import SETS_DIR
from eval.evaluate import evaluate
from eval.runner import RunError, load_results
from tests.conftest import ARTIFACTS, local_only

PROJECT_SET = SETS_DIR / "tom-questions.jsonl"
INDEPENDENT_SET = SETS_DIR / "tom-questions-v2.jsonl"
INDEPENDENT_THRESHOLDS = Path(__file__).resolve().parents[2] / "eval" / "thresholds-v2.yaml"
SAMPLE_THRESHOLDS = Path(__file__).resolve().parents[2] / "eval" / "thresholds-v2-llm-sample.yaml"


@pytest.fixture(scope="module")
def extractive_run(corpus_settings, tmp_path_factory) -> tuple[Path, dict]:
    """`tom eval` with the quality gate, as CI runs it, in a fresh process over the ingested corpus."""
    out = tmp_path_factory.mktemp("run") / "extractive"
    return out, gated_run(corpus_settings, PROJECT_SET, out, timeout=600)


def gated_run(settings, questions: Path, out: Path, *options: str, timeout: float, mode: str = "extractive") -> dict:
    """`tom eval --gate --json` in a fresh process over the ingested corpus, as CI runs it; the printed summary."""
    env = os.environ | {"TOM_DATA_DIR": str(settings.data_dir), "TOM_CORPUS_DIR": str(settings.corpus_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "eval", str(questions), "--mode", mode, "--out", str(out), "--gate", "--json",
         *options],
        capture_output=True, text=True, env=env, timeout=timeout,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_gate_passes_and_the_three_files_are_written(extractive_run) -> None:
    out, data = extractive_run
    assert data["gate_failures"] == []
    for name in ("results.jsonl", "report.md", "report.html", "summary.json"):
        assert (out / name).is_file(), name
    results = load_results(out)
    assert len(results) == data["summary"]["questions"] >= 40
    assert all(r["citations"] or r["refused"] for r in results)
    assert data["summary"]["citation_validity"] == 1.0
    assert "## Per question type" in (out / "report.md").read_text()


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_extractive_gate_on_the_independent_set(corpus_settings, tmp_path) -> None:
    """The 267 questions written blind (both parts), through the CLI with their own thresholds file: a regression
    in the answers that generalise fails CI, not only one on the project's own set (1.5 minutes in CI on 2 cores)."""
    data = gated_run(corpus_settings, INDEPENDENT_SET, tmp_path / "v2", "--thresholds", str(INDEPENDENT_THRESHOLDS),
                     timeout=1700)
    assert data["summary"]["questions"] == 267 and data["gate_failures"] == []


def test_a_thresholds_file_without_the_run_s_mode_fails_the_gate(corpus, tmp_path) -> None:
    """A gate with nothing to check must not pass: the file has no table for llm mode."""
    one = tmp_path / "one.jsonl"
    one.write_text(PROJECT_SET.read_text().splitlines()[0] + "\n")
    table = tmp_path / "thresholds.yaml"
    table.write_text("llm:\n  min:\n    key_fact_recall: 0.5\n")
    evaluation = evaluate([one], tmp_path / "run", corpus, mode="extractive", thresholds=table)
    assert evaluation.failures == ["thresholds.yaml has no thresholds for extractive mode"]


def test_a_missing_thresholds_file_is_refused_before_the_run(tmp_path) -> None:
    done = subprocess.run([sys.executable, "-m", "ui.cli", "eval", str(PROJECT_SET), "--thresholds", str(tmp_path / "none.yaml"),
                           "--out", str(tmp_path / "run")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "is not a file" in " ".join(done.stderr.split())  # rich wraps long lines
    assert not (tmp_path / "run").exists()


def test_follow_ups_run_in_their_question_s_conversation(extractive_run) -> None:
    results = {r["id"]: r for r in load_results(extractive_run[0])}
    follow_ups = [r for r in results.values() if r["follows"]]
    assert follow_ups
    for r in follow_ups:
        assert r["session"] == results[r["follows"]]["session"]


def test_a_run_resumes_without_asking_again(extractive_run, corpus, tmp_path) -> None:
    out, _ = extractive_run
    copy = tmp_path / "partial"
    copy.mkdir()
    lines = (out / "results.jsonl").read_text().splitlines()
    (copy / "results.jsonl").write_text("\n".join(lines[:-3]) + "\n")
    (copy / "run.json").write_text((out / "run.json").read_text())
    asked: list[str] = []
    evaluation = evaluate([PROJECT_SET], copy, corpus, mode="extractive",
                          progress=lambda done, total, qid: asked.append(qid))
    assert evaluation.summary["questions"] == len(lines)
    assert len((copy / "results.jsonl").read_text().splitlines()) == len(lines)  # three appended, none twice
    with pytest.raises(RunError, match="mode=extractive"):
        evaluate([PROJECT_SET], copy, corpus, mode="llm")


def test_compare_names_what_changed(extractive_run, tmp_path) -> None:
    out, _ = extractive_run
    worse = tmp_path / "worse"
    worse.mkdir()
    summary = json.loads((out / "summary.json").read_text())
    summary["summary"]["key_fact_recall"] -= 0.1
    summary["scores"][0]["refusal_correct"] = not summary["scores"][0]["refusal_correct"]
    (worse / "summary.json").write_text(json.dumps(summary))
    text = compare(out, worse)
    assert "| key_fact_recall |" in text and "worse (-0.100)" in text
    assert f"`{summary['scores'][0]['id']}`: refusal" in text


def test_the_html_report_shows_its_plots_in_chromium(extractive_run, browser) -> None:
    out, _ = extractive_run
    page = browser.new_page(viewport={"width": 1100, "height": 1400})
    outside = local_only(page)
    page.goto((out / "report.html").as_uri())
    widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) == 3 and all(w > 200 for w in widths)
    assert page.locator("#plot-hit_at_k").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "eval-report.png"), full_page=True)
    assert outside == []
    page.close()


@pytest.mark.slow
@pytest.mark.timeout(2700)
def test_the_llm_mode_gate_on_a_sample_of_the_independent_set(corpus_settings, tmp_path) -> None:
    """The gate in llm mode with the real default model, on five questions of each type from the independent set's
    dev part (46 with the turns its follow-ups need): about as long as the project's own 50 questions took, 9 minutes
    on 2 cores that read 100 prompt tokens a second and 30 when they read 40; the limit is for a hang, not speed."""
    data = gated_run(corpus_settings, INDEPENDENT_SET, tmp_path / "llm", "--split", "dev", "--per-type", "5",
                     "--thresholds", str(SAMPLE_THRESHOLDS), timeout=2600, mode="llm")
    assert data["config"]["model"].startswith("qwen2.5-coder-1.5b")
    assert data["summary"]["questions"] == 46 and data["gate_failures"] == []
