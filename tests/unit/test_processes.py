"""Publication workers end when the run's process is killed outright (wres/processes.py).

Real processes: a child Python starts a spawned pool as ``wres.publish`` does, prints its workers'
process ids and waits; the test kills the child with SIGKILL and watches the workers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

POOL_OWNER = textwrap.dedent(
    """
    import multiprocessing, os, sys, time
    from concurrent.futures import ProcessPoolExecutor
    from wres.processes import exit_with_parent

    if __name__ == "__main__":
        watched = sys.argv[1] == "watched"
        options = {"initializer": exit_with_parent, "initargs": (os.getpid(),)} if watched else {}
        pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"), **options)
        for _ in range(4):
            pool.submit(time.sleep, 0.3)
        while len(pool._processes) < 2:
            time.sleep(0.05)
        print(" ".join(str(pid) for pid in pool._processes), flush=True)
        time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its new parent to reap it counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _workers_after_killing_their_owner(tmp_path, mode: str) -> list[int]:
    script = tmp_path / "owner.py"
    script.write_text(POOL_OWNER)
    # stderr dropped: the owner's resource tracker warns about the semaphores its killed owner left
    owner = subprocess.Popen(
        [sys.executable, str(script), mode], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        workers = [int(pid) for pid in owner.stdout.readline().split()]
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    assert len(workers) == 2 and all(_alive(pid) for pid in workers)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.1)
    return [pid for pid in workers if _alive(pid)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_when_the_process_that_started_them_is_killed(tmp_path):
    assert _workers_after_killing_their_owner(tmp_path, "watched") == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_without_the_watch_the_workers_outlive_their_killed_owner(tmp_path):
    # the control: the property above is the initializer's doing, not the pool's
    left = _workers_after_killing_their_owner(tmp_path, "plain")
    try:
        assert len(left) == 2
    finally:
        for pid in left:
            os.kill(pid, signal.SIGKILL)
