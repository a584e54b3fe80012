"""The model's one small question: does this action move towards the criterion, against it, or neither?

A 1.5B model judges one action against one criterion far more reliably than a whole proposal
against a whole framework, and more reliably still when it is shown both what the criterion asks
for (`towards`) and what working against it looks like (`against`), and a few worked examples
(`prompts/review_judge_examples.txt`): without them it calls nearly every action "towards" (on
hand-labelled pairs from the dev proposals: 9 of 28 right with helps/hinders labels and no
examples, 21 of 28 with against-first lists, examples and the direction rule). The prompt is laid
out for llama.cpp's prefix reuse: system and examples (the same for every question), then the
criterion's block (the same for every action asked about it), then the action; the answer is one
of three words, read from the model's scores in one pass (`llm.choose`), not written.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache

from assistant.errors import UserError
from assistant.frameworks import Criterion
from assistant.llm import LLM, LLMUnavailable, choose
from assistant.prompts import prompt, render

EFFECTS = ("helps", "hinders", "neither")
ANSWERS = {"towards": "helps", "against": "hinders", "neither": "neither"}  # the words the model is asked for
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
    prefix = [{"role": "system", "content": prompt("review_judge_system")}, *examples()]
    effects = []
    for statement in statements:
        messages = [*prefix, {"role": "user", "content": render("review_judge_user", statement=statement, **block)}]
        try:
            answer = choose(llm, messages, "effect", ("neither", "against", "towards"))
        except LLMUnavailable as error:
            raise JudgeError(f"the model gave no judgement for '{criterion.name}' ({error})") from None
        effects.append(ANSWERS.get(answer or "", "neither"))  # no allowed word: it claims nothing
        log.debug("%s | %s -> %s", criterion.name, statement[:60], effects[-1])
    return effects


@lru_cache(maxsize=1)
def examples() -> tuple[dict[str, str], ...]:
    """The worked examples as chat turns: a question, then the model's answer in the reply format."""
    text = "\n".join(line for line in prompt("review_judge_examples").splitlines() if not line.startswith("# "))
    turns: list[dict[str, str]] = []
    for block in (b.strip() for b in text.split("\n\n") if b.strip()):
        question, answer = block.rsplit("\n=> ", 1)
        turns += [{"role": "user", "content": question.strip()},
                  {"role": "assistant", "content": json.dumps({"effect": answer.strip()})}]
    return tuple(turns)


def _short(line: str, words: int = LINE_WORDS) -> str:
    parts = line.rstrip(". ").split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
