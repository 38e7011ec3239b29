"""A Prefect server on this machine's loopback, started and ended by the monitor: for a run with no
server configured (``wres run``), for serving a schedule (``wres serve``), and as the test
session's and benchmark's shared server.

``local_prefect_server`` starts ``prefect server start`` on 127.0.0.1 at a free port, waits until it
answers, yields its API URL and ends the server when the block ends. Unlike Prefect's temporary
in-run server, it runs in a session of its own, so a terminal's Ctrl-C reaches the run and not the
server the run reports its end to; and it is told to end with the process that started it
(Linux's parent-death signal), so a run killed outright leaves no server behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from wres.runtime import PREFECT_DEFAULTS

STARTUP_TIMEOUT_S = 240  # the first start on a new machine sets up the database (~30 s, more when busy)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_prefect_server(home: Path, log_file: Path | None = None) -> Iterator[str]:
    """Run a Prefect server with ``PREFECT_HOME`` = ``home`` for the block; yield its API URL.

    Its output goes to ``log_file`` (default ``home/server.log``). RuntimeError, with the log's
    end, when it does not answer within STARTUP_TIMEOUT_S.
    """
    home.mkdir(parents=True, exist_ok=True)
    log_path = log_file or home / "server.log"
    env = {**PREFECT_DEFAULTS, **os.environ, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    with open(log_path, "wb") as log:
        server = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1"]
        server += ["--port", str(port)]
        process = subprocess.Popen(
            [sys.executable, "-m", "wres.prefect_server", str(os.getpid()), *server],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_healthy(url, process, log_path)
            yield url
        finally:
            _end_group(process)


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"the Prefect server did not start (log {log_path}):\n{tail}")
        time.sleep(0.5)


def _end_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# Linux prctl(2) option: the signal a process gets when the thread that started it ends
_PR_SET_PDEATHSIG = 1


def _exec_ending_with_parent(parent: int, command: list[str]) -> None:
    """Become ``command``, set to receive SIGTERM when ``parent`` ends (kept across exec)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent ended before the signal was set
        sys.exit(0)
    os.execv(command[0], command)


if __name__ == "__main__":  # python -m wres.prefect_server PARENT_PID COMMAND...
    _exec_ending_with_parent(int(sys.argv[1]), sys.argv[2:])
