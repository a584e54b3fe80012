"""Runs many killed writers cheaply: loads the embedder once, then forks one writer process per job.

    python -m tests.ingest.crash_runner OP:KILL:ROOT [OP:KILL:ROOT ...]

Each forked child is a real process that opens its own Chroma store and SIGKILLs itself at the step
its job names (see crash_child.py); this parent never opens a store (so a child inherits no Chroma
state) and never runs the model (so no thread pool is forked half-used). Prints one JSON line per
job with the child's exit status.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path


def main(jobs: list[str]) -> None:
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    from assistant.components import Components  # noqa: F401  (imported before forking)
    from ingest.embedder import TokenCounter, load_embedder
    from ingest.settings import load_settings
    from tests.ingest import crash_child

    settings = load_settings()
    shared = {"embedder": load_embedder(settings), "counter": TokenCounter(settings)}
    for job in jobs:
        op, kill, root = job.split(":", 2)
        pid = os.fork()
        if pid == 0:
            try:
                crash_child.main(op, kill, Path(root), **shared)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        print(json.dumps({"job": job, "killed": killed, "status": status}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
