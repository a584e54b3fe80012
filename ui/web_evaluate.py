"""The Evaluate tab: run a question set through the assistant and show the metrics, plots and report."""

from __future__ import annotations

import logging

import gradio as gr

from ui.services import Services

log = logging.getLogger(__name__)


def build(services: Services) -> None:
    """The tab's components and events (called inside the Blocks). A run writes files, so it counts as a write."""
    from eval.dataset import SETS_DIR, is_proposals_set
    from eval.judge_pairs import is_judge_pairs_set

    question_sets = [p.name for p in sorted(SETS_DIR.glob("*.jsonl")) if not (is_proposals_set(p) or is_judge_pairs_set(p))]
    with gr.Row():
        chosen = gr.Dropdown(question_sets, value=question_sets[0] if question_sets else None, label="Test set")
        mode = gr.Radio(["extractive", "llm"], value="extractive", label="Mode")
        run = gr.Button("Run", variant="primary")
    metrics = gr.Markdown()
    plots = gr.Gallery(label="Plots", columns=3, height=300)
    report = gr.File(label="Download the report (HTML)")

    def evaluate(set_name: str, mode_value: str, request: gr.Request, progress=gr.Progress()):
        from eval.evaluate import evaluate as run_set
        from eval.runner import default_out_dir

        if not services.auth.may_write(request.username):
            raise gr.Error("Log in (at /login) with an API key to run an evaluation.")
        result = run_set([SETS_DIR / set_name], default_out_dir(mode_value), services.components, mode=mode_value,
                         progress=lambda done, total, qid: progress((done, total), desc=qid))
        rows = "\n".join(f"| {k} | {v:.3f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in result.summary.items())
        gate = "\n\n**Gate:** " + ("passed" if not result.failures else "; ".join(result.failures))
        images = [str(p) for p in sorted(result.out_dir.glob("plot-*.png"))]
        return f"| metric | value |\n|---|---|\n{rows}{gate}", images, str(result.files["report.html"])

    run.click(evaluate, [chosen, mode], [metrics, plots, report], api_name="evaluate")
