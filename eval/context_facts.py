"""Does the focused prompt keep the key facts? A model-free check of what the model is given to read.

For every answerable question of a set, the context is built as an answer builds it, and each key
fact (any of its alternatives) is looked for in the whole passages and in the lines `Focus`
chooses. A fact the whole passages hold and the focused ones lose is one the model can no longer
write. Also reports the size of what the model reads, in characters.

    python -m eval.context_facts eval/sets/tom-questions-v2.jsonl --split dev [--budget 2000]
"""

from __future__ import annotations

import argparse
import json
import statistics

import numpy as np

import ingest  # noqa: F401  (offline first)
from assistant.components import Components
from assistant.focus import render_sources
from eval.dataset import Selection, load_set
from eval.metrics import key_facts
from ingest.text import alternatives


def present(fact: str, text: str) -> bool:
    """`text` holds the fact, written any of its ways (as the eval's key-fact recall counts it)."""
    return key_facts(text, [alternatives(fact)])[1]


def measure(components: Components, path: str, selection: Selection, budget: int) -> dict:
    assistant = components.assistant
    questions = [q for q in load_set(path) if selection.wants(q) and q.answerable and not q.follows]
    held = kept = 0
    whole_sizes, focused_sizes, lost = [], [], []
    for q in questions:
        context = assistant.contexts.build(assistant.retriever.search(q.question), q.question)
        whole = render_sources(context)
        focused = render_sources(context, assistant.focus.choose(q.question, context, budget, assistant.retriever.identity))
        whole_sizes.append(len(whole))
        focused_sizes.append(len(focused))
        for fact in q.must_include:
            if present(fact, whole):
                held += 1
                if present(fact, focused):
                    kept += 1
                else:
                    lost.append({"id": q.id, "fact": fact})
    return {"questions": len(questions), "facts_in_passages": held, "facts_kept": kept,
            "kept_share": round(kept / held, 3) if held else None,
            "chars_p50": {"whole": statistics.median(whole_sizes), "focused": statistics.median(focused_sizes)},
            "chars_p95": {"whole": int(np.percentile(whole_sizes, 95, method="lower")),
                          "focused": int(np.percentile(focused_sizes, 95, method="lower"))},
            "lost": lost}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set")
    parser.add_argument("--split", choices=["dev", "test"])
    parser.add_argument("--budget", type=int, default=2000, help="characters of passage text the model reads")
    args = parser.parse_args()
    print(json.dumps(measure(Components(), args.set, Selection(split=args.split), args.budget), indent=1))


if __name__ == "__main__":
    main()
