"""Each speed technique's own effect on LLM answers: with and without it, in one process.

For every question the two variants run back to back, in alternating order, so the machine's load
and llama.cpp's reuse of the previous prompt fall on both alike. Reported per technique: time to
the first verified phrased token and to the full answer (p50 of each variant, and their ratio),
and how many of the questions' key facts each variant's answers hold. Writes
bench/results/techniques.json.

    .venv/bin/python bench/bench_techniques.py [--questions 8] [--only focus]

Techniques: `focus` (the model reads the lines that bear on the question, not whole passages) and
`cache` (an answer after another kind of call resumes from the state saved after the last answer
instead of reading its instructions again). Prompt-lookup decoding is not here: llama-cpp-python
0.3.36 needs `logits_all` for it (logits for every prompt token, the part that is already slow) and
failed on the answer prompts ("could not broadcast input array … into shape (0,)").
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import ingest  # noqa: F401  (offline first)
from common import write_result
from assistant.components import Components
from assistant.followups import standalone
from eval.dataset import SETS_DIR, load_set
from eval.context_facts import present

Toggle = Callable[[bool], None]


def toggles(components: Components, llama, cache_mb: int) -> dict[str, Toggle]:
    from llama_cpp import LlamaRAMCache

    settings = components.settings
    budget = settings.source_chars or 2000
    cache = LlamaRAMCache(capacity_bytes=cache_mb << 20)  # one cache, kept while it is switched off
    return {
        "focus": lambda on: object.__setattr__(settings, "source_chars", budget if on else 0),
        "cache": lambda on: llama.set_cache(cache if on else None),
    }


def facts_held(answer: str, facts: list[str]) -> int:
    return sum(present(fact, answer) for fact in facts)


def run(components: Components, technique: str, toggle: Toggle, questions) -> dict:
    assistant, llm = components.assistant, components.models.get()
    timings: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    facts = {False: 0, True: 0}
    for i, question in enumerate(questions):
        for on in (True, False) if i % 2 else (False, True):
            toggle(on)
            if technique == "cache":  # what evicts the answer's instructions: another kind of call in between
                standalone("And who agreed it?", [{"standalone": question.question, "answer": question.answer}], llm)
            marks: list[float] = []
            started = time.perf_counter()
            answer = assistant.ask(question.question, mode="llm", on_token=lambda _t: marks.append(time.perf_counter()))
            ended = time.perf_counter()
            timings[on].append(((marks[0] if marks else ended) - started, ended - started))
            facts[on] += facts_held(answer.answer, question.must_include)
    toggle(False)
    row = {"technique": technique, "questions": len(questions), "facts": sum(len(q.must_include) for q in questions)}
    for on, name in ((False, "without"), (True, "with")):
        row[name] = {"first_token_p50_s": round(statistics.median(t[0] for t in timings[on]), 2),
                     "full_answer_p50_s": round(statistics.median(t[1] for t in timings[on]), 2),
                     "facts_held": facts[on]}
    row["first_token_ratio"] = round(row["with"]["first_token_p50_s"] / row["without"]["first_token_p50_s"], 2)
    row["full_answer_ratio"] = round(row["with"]["full_answer_p50_s"] / row["without"]["full_answer_p50_s"], 2)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=8)
    parser.add_argument("--only", choices=["focus", "cache"])
    parser.add_argument("--cache-mb", type=int, default=1024)
    args = parser.parse_args()
    components = Components()
    questions = [q for q in load_set(SETS_DIR / "tom-questions.jsonl") if q.answerable and not q.follows][: args.questions]
    components.assistant.ask(questions[0].question, mode="llm")  # warm: model, embedder, keyword index
    llama = components.models.get()._llama
    base = {name: t for name, t in toggles(components, llama, args.cache_mb).items() if args.only in (None, name)}
    for toggle in base.values():
        toggle(False)
    rows = [run(components, name, toggle, questions) for name, toggle in base.items()]
    write_result("techniques", {"rows": rows})


if __name__ == "__main__":
    main()
