"""An optional LLM judge: faithfulness and correctness from a model on an OpenAI-compatible server.

Its figures are labelled as judged and kept apart from the deterministic metrics, which never
depend on it. The judge replies in a JSON schema, so a small judge model cannot break the format.
"""

from __future__ import annotations

import json
from typing import Any

from assistant.llm import LLM, LLMUnavailable, OpenAICompatibleLLM, complete
from assistant.prompts import render
from ingest.settings import Settings

VERDICT_SCHEMA = {
    "type": "object",
    "properties": {"faithful": {"type": "boolean"}, "correct": {"type": "boolean"}},
    "required": ["faithful", "correct"],
}


def judge_llm(settings: Settings) -> LLM | None:
    """The judge configured by TOM_JUDGE_BASE_URL, or None when there is none."""
    if not settings.judge_base_url:
        return None
    return OpenAICompatibleLLM(settings.model_copy(update={
        "openai_base_url": settings.judge_base_url, "openai_model": settings.judge_model, "openai_api_key": settings.judge_api_key,
    }))


def judge_results(llm: LLM, results: list[dict[str, Any]]) -> dict[str, Any]:
    """Judged faithfulness and correctness over the answered, answerable questions."""
    faithful, correct, errors = [], [], 0
    for result in results:
        if result["refused"] or not result.get("sources"):
            continue
        quotes = "\n".join(f"[{c['n']}] {c['quote']}" for c in result["citations"]) or "(none)"
        message = render("judge", question=result["question"], reference=result.get("reference", ""), quotes=quotes,
                         answer=result["answer"])
        try:
            verdict = json.loads(complete(llm, [{"role": "user", "content": message}], 60, VERDICT_SCHEMA))
            faithful.append(bool(verdict["faithful"]))
            correct.append(bool(verdict["correct"]))
        except (LLMUnavailable, ValueError, KeyError, TypeError):
            errors += 1
    return {
        "judge_model": getattr(llm, "name", "judge"),
        "judged": len(faithful),
        "judge_errors": errors,
        "llm_judged_faithfulness": round(sum(faithful) / len(faithful), 4) if faithful else None,
        "llm_judged_correctness": round(sum(correct) / len(correct), 4) if correct else None,
    }
