"""Worker processes that end with the process that started them.

A publication worker is spawned by the run's process; if that process is killed outright
(SIGKILL, the out-of-memory killer), nothing tells its workers, which would wait for work forever.
``exit_with_parent`` is the pool's initializer: a daemon thread in the worker checks every half
second that the parent is still its parent, and ends the worker when it is not.
"""

from __future__ import annotations

import os
import threading

CHECK_INTERVAL_S = 0.5
# the worker's exit status when its parent has gone (EX_SOFTWARE would suggest a bug; this is not)
PARENT_GONE_EXIT_CODE = 75


def exit_with_parent(parent_pid: int) -> None:
    """Start the watch in this (worker) process; ``parent_pid`` is the pool owner's ``os.getpid()``."""

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:  # re-parented: the parent is gone
                os._exit(PARENT_GONE_EXIT_CODE)
            threading.Event().wait(CHECK_INTERVAL_S)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
