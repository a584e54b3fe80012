"""The model's one small question: does this action help, hinder, or neither, for this criterion?

A 1.5B model judges one action against one criterion far more reliably than a whole proposal
against a whole framework, and more reliably still when it is shown both what the criterion asks
for (`towards`) and what working against it looks like (`against`): it then compares instead of
guessing which way a change cuts. The criterion's block comes before the action in the prompt and
is the same for every action asked about that criterion, so llama.cpp reuses it (only the action's
tokens are new), and the answer is one constrained word.
"""

from __future__ import annotations

import json
import logging

from assistant.errors import UserError
from assistant.frameworks import Criterion
from assistant.llm import LLM, LLMUnavailable, complete
from assistant.prompts import prompt, render

EFFECTS = ("helps", "hinders", "neither")
EFFECT_SCHEMA = {"type": "object", "properties": {"effect": {"type": "string", "enum": list(EFFECTS)}},
                 "required": ["effect"]}
MAX_LINES = 6  # of each kind shown to the model: a short, fixed criterion block
LINE_WORDS = 14
log = logging.getLogger(__name__)


class JudgeError(UserError):
    """The model gave no usable judgement (it could not be reached)."""


def criterion_block(criterion: Criterion) -> dict[str, str]:
    """The criterion's part of the prompt: its name and its towards/against lines, as bullets."""
    towards = criterion.aims()[:MAX_LINES]
    against = criterion.against[:MAX_LINES] or ["the opposite of the lines above"]
    return {"criterion": criterion.name, "towards": "\n".join(f"- {_short(line)}" for line in towards),
            "against": "\n".join(f"- {_short(line)}" for line in against)}


def judge(llm: LLM, criterion: Criterion, statements: list[str]) -> list[str]:
    """helps / hinders / neither for each statement, asked one at a time with the criterion's block first."""
    block = criterion_block(criterion)
    system = prompt("review_judge_system")
    effects = []
    for statement in statements:
        messages = [{"role": "system", "content": system},
                    {"role": "user", "content": render("review_judge_user", statement=statement, **block)}]
        try:
            reply = complete(llm, messages, 12, EFFECT_SCHEMA)
        except LLMUnavailable as error:
            raise JudgeError(f"the model gave no judgement for '{criterion.name}' ({error})") from None
        effects.append(_effect(reply))
        log.debug("%s | %s -> %s", criterion.name, statement[:60], effects[-1])
    return effects


def _effect(reply: str) -> str:
    """The model's answer, or "neither" when it is not one of the allowed words (it then claims nothing)."""
    try:
        effect = json.loads(reply).get("effect")
    except (json.JSONDecodeError, AttributeError):
        return "neither"
    return effect if effect in EFFECTS else "neither"


def _short(line: str, words: int = LINE_WORDS) -> str:
    parts = line.rstrip(". ").split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
