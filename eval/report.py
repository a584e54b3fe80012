"""The run's report: `summary.json`, `report.md` and a self-contained `report.html` with plots.

The HTML embeds its plots as PNG data URIs and carries no script, font or style sheet from
anywhere else, so it can be mailed or opened offline. Every piece of text from a question or an
answer is escaped.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from eval.metrics import HIT_KS, SUMMARY_KEYS

PLOT_METRICS = ("key_fact_recall", "refusal_accuracy", "citation_validity", "citation_support", "retrieved_hit@5")


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def plots(summary: dict[str, Any], by_type: dict[str, dict[str, Any]], scores: list[dict[str, Any]]) -> dict[str, str]:
    """Three plots as base64 PNGs: metric bars per type, latency histogram, hit@k curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out: dict[str, str] = {}
    types = list(by_type)
    figure, axes = plt.subplots(figsize=(9, 3.6))
    width = 0.8 / len(PLOT_METRICS)
    for i, metric in enumerate(PLOT_METRICS):
        values = [by_type[t].get(metric) or 0.0 for t in types]
        axes.bar([x + i * width for x in range(len(types))], values, width, label=metric)
    axes.set_xticks([x + 0.4 - width / 2 for x in range(len(types))], types, rotation=20)
    axes.set_ylim(0, 1.05)
    axes.set_title("Metrics per question type")
    axes.legend(fontsize=7, ncol=3, loc="lower right")
    out["metrics_by_type"] = _png(figure)

    figure, axes = plt.subplots(figsize=(6, 3.2))
    axes.hist([s["latency_ms"] / 1000 for s in scores], bins=20, color="#4a7ab5")
    axes.set_xlabel("seconds per answer")
    axes.set_ylabel("questions")
    axes.set_title(f"Latency (p50 {summary['latency_p50_ms']} ms, p95 {summary['latency_p95_ms']} ms)")
    out["latency"] = _png(figure)

    figure, axes = plt.subplots(figsize=(6, 3.2))
    axes.plot(HIT_KS, [summary.get(f"retrieved_hit@{k}") or 0.0 for k in HIT_KS], marker="o")
    axes.set_xlabel("k (passages retrieved)")
    axes.set_ylabel("expected document found")
    axes.set_ylim(0, 1.05)
    axes.set_title("Source hit@k")
    out["hit_at_k"] = _png(figure)
    return out


def _table_md(rows: list[list[str]]) -> str:
    header, *body = rows
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def _rows(config: dict[str, Any], summary: dict[str, Any], by_type: dict[str, dict[str, Any]]) -> tuple[list[list[str]], list[list[str]]]:
    overall = [["metric", "value"]] + [[key, _fmt(summary.get(key))] for key in (*SUMMARY_KEYS, "latency_p50_ms", "latency_p95_ms")]
    columns = ("questions", "key_fact_recall", "all_facts", "refusal_accuracy", "false_refusal_rate", "citation_validity",
               "citation_support", "retrieved_hit@5", "latency_p50_ms")
    per_type = [["type", *columns]] + [[t, *(_fmt(m.get(c)) for c in columns)] for t, m in by_type.items()]
    return overall, per_type


def _problems(scores: list[dict[str, Any]]) -> list[tuple[str, str]]:
    notes = []
    for s in scores:
        if s["answerable"] and s["refused"]:
            notes.append((s["id"], "refused an answerable question"))
        elif not s["answerable"] and not s["refused"]:
            notes.append((s["id"], "answered a question whose answer is absent"))
        elif s["answerable"] and s["key_fact_recall"] is not None and s["key_fact_recall"] < 1:
            notes.append((s["id"], f"key facts {s['key_fact_recall']:.2f}"))
        for problem in s["citation_problems"]:
            notes.append((s["id"], problem))
    return notes


def write_report(out_dir: Path, config: dict[str, Any], summary: dict[str, Any], by_type: dict[str, dict[str, Any]],
                 scores: list[dict[str, Any]], results: list[dict[str, Any]], judge: dict[str, Any] | None = None) -> dict[str, Path]:
    """Write summary.json, report.md and report.html into `out_dir`."""
    overall, per_type = _rows(config, summary, by_type)
    notes = _problems(scores)
    title = f"tom-assistant evaluation: {', '.join(Path(s).name for s in config['sets'])} ({config['mode']}, {config['model']})"
    (out_dir / "summary.json").write_text(json.dumps({"config": config, "summary": summary, "by_type": by_type,
                                                      "judge": judge, "scores": scores}, indent=2))

    md = [f"# {title}", "", "## Overall", "", _table_md(overall), "", "## Per question type", "", _table_md(per_type), ""]
    if judge:
        md += ["## LLM-judged (labelled: from a judge model, not deterministic)", "",
               _table_md([["metric", "value"]] + [[k, _fmt(v)] for k, v in judge.items()]), ""]
    md += ["## Questions to look at", ""] + ([f"- `{qid}`: {text}" for qid, text in notes] or ["- none"]) + [""]
    (out_dir / "report.md").write_text("\n".join(md), encoding="utf-8")

    images = plots(summary, by_type, scores)
    for name, data in images.items():
        (out_dir / f"plot-{name}.png").write_bytes(base64.b64decode(data))

    def table_html(rows: list[list[str]]) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows[1:])
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    answers = "".join(
        f"<details><summary>{html.escape(r['id'])} · {html.escape(r['type'])} · {'refused' if r['refused'] else 'answered'}"
        f" · {r['latency_ms']} ms — {html.escape(r['question'])}</summary>"
        f"<p class='answer'>{html.escape(r['answer'])}</p><ol>"
        + "".join(f"<li>[{c['n']}] {html.escape(c['title'])} — {html.escape(c['section'])}: “{html.escape(c['quote'])}”</li>"
                  for c in r["citations"])
        + "</ol></details>"
        for r in results
    )
    figures = "".join(f"<figure><img alt='{name}' id='plot-{name}' src='data:image/png;base64,{data}'></figure>"
                      for name, data in images.items())
    judge_html = (f"<h2>LLM-judged (labelled: from a judge model, not deterministic)</h2>"
                  f"{table_html([['metric', 'value']] + [[k, _fmt(v)] for k, v in judge.items()])}") if judge else ""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;margin:1em 0;font-size:14px}} td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}
td:first-child,th:first-child{{text-align:left}} figure{{margin:1em 0}} img{{max-width:100%}}
details{{margin:.3em 0}} .answer{{white-space:pre-wrap;background:#f6f6f6;padding:.5em}}
</style></head><body>
<h1>{html.escape(title)}</h1>
<h2>Overall</h2>{table_html(overall)}
<h2>Per question type</h2>{table_html(per_type)}
{judge_html}
<h2>Plots</h2>{figures}
<h2>Questions to look at</h2><ul>{''.join(f'<li><code>{html.escape(q)}</code>: {html.escape(t)}</li>' for q, t in notes) or '<li>none</li>'}</ul>
<h2>Answers</h2>{answers}
</body></html>"""
    (out_dir / "report.html").write_text(page, encoding="utf-8")
    return {name: out_dir / name for name in ("summary.json", "report.md", "report.html", "results.jsonl")}
