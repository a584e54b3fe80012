"""Named points in a write where the crash-safety tests kill the process, as `kill -9` or a power cut would.

`TOM_FAULT_AT=<step>` in a process's environment makes it SIGKILL itself when it reaches that step
(the steps are the `checkpoint(...)` calls in ingest/). Unset, a checkpoint costs one environment
lookup. Kept in the code rather than monkeypatched in by the tests, so the tests can kill the real
`tom` command at exactly the step they name.
"""

from __future__ import annotations

import logging
import os
import signal

FAULT_ENV = "TOM_FAULT_AT"
log = logging.getLogger(__name__)


def checkpoint(step: str) -> None:
    """Die here, at once and without clean-up, if the environment names this step."""
    if os.environ.get(FAULT_ENV) == step:
        log.warning("%s=%s: killing this process", FAULT_ENV, step)
        os.kill(os.getpid(), signal.SIGKILL)
