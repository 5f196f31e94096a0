"""Named points where a process can be made to die on purpose, to prove that dying there loses nothing.

`WENGAO_FAULT_AT=<point>` in the environment makes the process SIGKILL itself the first time it
reaches that point: the same abrupt end as `kill -9`, landed exactly where it is aimed rather than
wherever a timer happens to fall. The points are the steps of an index build (rag/index/store.py:
"write chunks.jsonl" ... "fsynced", "renamed", "prune") and of a workspace change of the corpus
(ui/workspace.py); eval/fault_kill.py kills at each in turn.

Unset, as in every ordinary run, reaching a point costs one lookup in the environment.
"""

from __future__ import annotations

import os
import signal

VARIABLE = "WENGAO_FAULT_AT"


def reach(point: str) -> None:
    """Die here, by SIGKILL, when WENGAO_FAULT_AT names `point`."""
    if os.environ.get(VARIABLE) == point:
        os.kill(os.getpid(), signal.SIGKILL)
