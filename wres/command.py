"""The ``wres`` console command's entry point (``wres.cli`` defines the commands).

Every unexpected failure ends in exit code 3 with a log (CONTRACT section 4), also one that strikes
while the command's own modules load (a broken install, a dependency that fails to import), which
Python would otherwise end with exit code 1, the code that means "a file was rejected". Failures
inside a run are logged in the state folder by ``wres.cli``; these, before any settings are read,
go to a log file of their own in the system's temporary folder.
"""

from __future__ import annotations

import signal
import sys
import tempfile
import traceback
from datetime import datetime

EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


def _write_log(text: str) -> str:
    """Write ``text`` to a new file only its owner can read; return its path."""
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    handle, path = tempfile.mkstemp(prefix=f"wres-internal-error-{stamp}-", suffix=".log")
    with open(handle, "w", encoding="utf-8") as log:
        log.write(text)
    return path


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    # SIGTERM (a service manager stopping the job, ``kill``) ends the command as Ctrl-C does: its
    # clean-ups run, so the run's temporary Prefect server and the publication workers end with it
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        from wres.cli import app

        app()  # ends with SystemExit and the command's exit code
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # noqa: BLE001 - every unexpected failure must end with exit code 3
        path = _write_log(f"{datetime.now().isoformat()} ERROR internal error\n{traceback.format_exc()}")
        print(f"wres: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print(f"wres: the log is at {path}", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
