"""`tom eval compare`: what got better or worse between two runs, per metric and per question."""

from __future__ import annotations

import json
from pathlib import Path

from eval.metrics import SUMMARY_KEYS
from eval.report import _fmt, _table_md


def compare(run_a: Path, run_b: Path) -> str:
    """What got better or worse from run A to run B, per metric and per question, as Markdown."""
    a = json.loads((run_a / "summary.json").read_text())
    b = json.loads((run_b / "summary.json").read_text())
    lower_is_better = {"false_refusal_rate", "latency_p50_ms", "latency_p95_ms"}
    rows = [["metric", "A", "B", "change"]]
    for key in (*SUMMARY_KEYS, "latency_p50_ms", "latency_p95_ms"):
        va, vb = a["summary"].get(key), b["summary"].get(key)
        if va is None or vb is None or va == vb:
            change = "same" if va == vb else "–"
        else:
            better = (vb < va) if key in lower_is_better else (vb > va)
            change = f"{'better' if better else 'worse'} ({vb - va:+.3f})"
        rows.append([key, _fmt(va), _fmt(vb), change])
    scores_a = {s["id"]: s for s in a["scores"]}
    changes = []
    for s in b["scores"]:
        old = scores_a.get(s["id"])
        if old is None:
            changes.append(f"- `{s['id']}`: only in B")
            continue
        if old["refusal_correct"] != s["refusal_correct"]:
            changes.append(f"- `{s['id']}`: refusal {'fixed' if s['refusal_correct'] else 'broken'}"
                           f" ({'refused' if s['refused'] else 'answered'} in B)")
        if (old["key_fact_recall"] or 0) != (s["key_fact_recall"] or 0) and s["answerable"]:
            direction = "better" if (s["key_fact_recall"] or 0) > (old["key_fact_recall"] or 0) else "worse"
            changes.append(f"- `{s['id']}`: key facts {direction} ({_fmt(old['key_fact_recall'])} -> {_fmt(s['key_fact_recall'])})")
        if old["citation_valid"] != s["citation_valid"]:
            changes.append(f"- `{s['id']}`: citations {'now valid' if s['citation_valid'] else 'now invalid'}")
    return "\n".join([f"# Compare {run_a.name} (A) with {run_b.name} (B)", "", _table_md(rows), "", "## Per question", "",
                      *(changes or ["- no question changed"]), ""])
