"""Kill -9 at every step of an ingest, an upload and a delete, then check in a fresh process that
recovery leaves store, keyword index and corpus folder agreeing: no half document, no orphan chunks,
no file without chunks, no half-copied file, no duplicate.

Each writer is a real process (forked by tests/ingest/crash_runner.py, running crash_child.py) that
SIGKILLs itself at the step named by TOM_FAULT_AT; one fresh checking process
(tests/ingest/crash_check.py) then opens every store.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.ingest.crash_child import V2

PROJECT = Path(__file__).resolve().parents[2]
KEEP = "Keeping notes\n\nThe keep document stays exactly as it is.\n"
V1 = "Meeting notes\n\nOur boards will have a clear remit.\n"
PILOT = "Zephyr pilot\n\nThe Zephyr parking pilot runs in Frome from May.\n"
SHA = {name: hashlib.sha256(text.encode()).hexdigest() for name, text in (("keep", KEEP), ("v1", V1), ("v2", V2),
                                                                          ("pilot", PILOT))}

# (operation, step, what notes.txt must be after recovery: its content, or None for gone)
STEPS = [
    *[("ingest", step, "v2") for step in ("write.intent", "store.begun", "store.upserted", "store.written", "write.stored")],
    *[("add", step, "v1") for step in ("add.intent", "trash.partial", "add.trashed", "stage.partial")],
    *[("add", step, "v2") for step in ("add.staged", "store.upserted", "add.stored", "add.placed")],
    *[("delete", step, None) for step in ("delete.intent", "delete.trashed", "store.deleted", "delete.stored")],
]


def make_root(root: Path) -> Path:
    (root / "corpus").mkdir(parents=True)
    (root / "upload").mkdir()
    (root / "corpus" / "keep.txt").write_text(KEEP, encoding="utf-8")
    (root / "corpus" / "notes.txt").write_text(V1, encoding="utf-8")
    (root / "upload" / "notes.txt").write_text(V2, encoding="utf-8")
    (root / "upload" / "pilot.txt").write_text(PILOT, encoding="utf-8")
    return root


def run_children(jobs: list[tuple[str, str, Path]]) -> None:
    """Run the writers (each a forked process of one runner that loaded the embedder once) and check
    that each was killed where its job said."""
    result = subprocess.run([sys.executable, "-m", "tests.ingest.crash_runner", *(f"{op}:{kill}:{root}" for op, kill, root in jobs)],
                            cwd=PROJECT, env={**os.environ, "PYTHONPATH": str(PROJECT)}, capture_output=True, text=True,
                            timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(outcomes) == len(jobs) and all(outcome["killed"] for outcome in outcomes), (outcomes, result.stderr[-3000:])


def check(roots: list[Path]) -> dict[str, dict]:
    result = subprocess.run([sys.executable, "-m", "tests.ingest.crash_check", *map(str, roots)], cwd=PROJECT,
                            env={**os.environ, "PYTHONPATH": str(PROJECT)}, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return {Path(report["root"]).name: report for report in reports}


def assert_agree(report: dict, root: Path, notes: str | None, extra: dict[str, str] | None = None) -> None:
    """Store equals a fresh ingest of the corpus folder, which holds whole files only, and nothing else."""
    name = root.name
    assert report["reference_failed"] == [], name
    assert report["store"] == report["reference"], name
    assert report["keyword_index_agrees"], name
    expected = {"keep.txt": SHA["keep"], **({"notes.txt": SHA[notes]} if notes else {}), **(extra or {})}
    assert report["corpus"] == expected, name  # no staged leftovers, no half-copied file
    corpus = (root / "corpus").resolve()
    assert all(Path(source).parent == corpus and Path(source).is_file() for source in report["sources"]), name
    assert sorted(report["store"]) == sorted(expected), name


def test_kill_at_every_step_then_recover(tmp_path: Path):
    jobs = [(op, step, make_root(tmp_path / f"{op}-{step}")) for op, step, _ in STEPS]
    run_children(jobs)
    reports = check([root for _, _, root in jobs])
    for (op, step, notes), (_, _, root) in zip(STEPS, jobs):
        report = reports[root.name]
        assert report["after_recovery"] == report["reference"], f"{root.name}: recovery alone did not settle it"
        assert report["rerun"] == {"added": [], "updated": [], "removed": [], "failed": []}, root.name
        assert report["journal"] == [], root.name
        assert_agree(report, root, notes)
        if op == "delete" or (op == "add" and notes == "v2"):
            assert report["trash"] == [SHA["v1"]], f"{root.name}: the previous version is kept, once"
        else:
            assert report["trash"] == [], f"{root.name}: a copy of a version that was never replaced"


def test_kills_after_the_store_write_that_need_no_hook(tmp_path: Path):
    """Killed straight after Chroma's first upsert (a kill point that exists in any version of the code):
    a half-written document (ingest), and an upload whose chunks were stored before its file was copied
    into the corpus (add-new). Before the journal, the next ingest kept the half document as
    "unchanged", and the upload stayed in the store with no file, its staging path as its source."""
    half, upload = make_root(tmp_path / "half"), make_root(tmp_path / "upload")
    run_children([("ingest", "after-upsert", half), ("add-new", "after-upsert", upload)])
    reports = check([half, upload])
    assert_agree(reports["half"], half, "v2")
    assert_agree(reports["upload"], upload, "v1", {"pilot.txt": SHA["pilot"]})
