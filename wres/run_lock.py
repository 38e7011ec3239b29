"""One run at a time per state folder.

Two runs on one state would each build ``wres.duckdb.building`` and move it into place, so that the
warehouse of one could be published beside the publication of the other (or a half-built file
moved in). A run holds an exclusive lock on ``run.lock`` in the state folder from before it
records itself until it ends; a second run stops at once with a message naming the first. The
lock is the operating system's (``flock``): it is released when its holder ends, even killed, so
a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from wres.errors import ConfigError

LOCK_NAME = "run.lock"


class RunInProgress(ConfigError):
    """Another run holds the state folder (exit code 2, like a usage error: start it later)."""


@contextmanager
def exclusive_run(state_folder: Path) -> Iterator[None]:
    """Hold the state folder's run lock for the block; RunInProgress when another run holds it."""
    folder = Path(state_folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / LOCK_NAME, "a+", encoding="utf-8")  # noqa: SIM115 - held for the block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "a process"
            raise RunInProgress(
                f"another run is using the state folder {folder} ({holder}); this run did nothing. "
                "Start it again when that run has finished."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}, started {datetime.now():%Y-%m-%d %H:%M:%S}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the lock
