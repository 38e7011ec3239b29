"""Crash points for the crash-safety tests: ``WRES_KILL_AT=<point>`` makes the process kill itself
with SIGKILL when it reaches that point, so a test can check that a crash at any stage leaves the
last good warehouse and publication exactly as they were. Unset (always, outside those tests), a
checkpoint does nothing."""

from __future__ import annotations

import os
import signal

KILL_VARIABLE = "WRES_KILL_AT"

POINTS = (
    "ingest:mid-file",  # some of a file's rows stored, the file not yet marked loaded
    "ingest:after-file",  # a file stored, the next not yet read
    "transform:staging",  # the new warehouse file half built
    "transform:before-swap",  # the new warehouse complete, not yet moved over the old one
    "publish:mid-folder",  # a publication folder half written
    "publish:before-switch",  # the new publication complete, not yet switched in
)


def checkpoint(point: str) -> None:
    if os.environ.get(KILL_VARIABLE) == point:
        os.kill(os.getpid(), signal.SIGKILL)
