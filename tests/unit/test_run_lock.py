"""One run at a time per state folder (wres/run_lock.py): a real second process holds the lock."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

from wres.run_lock import RunInProgress, exclusive_run

HOLDER = textwrap.dedent(
    """
    import sys, time
    from wres.run_lock import exclusive_run

    with exclusive_run(sys.argv[1]):
        print("holding", flush=True)
        time.sleep(600)
    """
)


def _holder(tmp_path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "state")], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "holding"
    return process


def test_a_second_run_on_the_same_state_stops_naming_the_first(tmp_path):
    holder = _holder(tmp_path)
    try:
        with pytest.raises(RunInProgress) as caught, exclusive_run(tmp_path / "state"):
            pytest.fail("the lock was taken twice")
        assert f"another run is using the state folder {tmp_path / 'state'} (process {holder.pid}," in str(
            caught.value
        )
        # another state folder is another installation: not held
        with exclusive_run(tmp_path / "other-state"):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_run_leaves_no_stale_lock(tmp_path):
    holder = _holder(tmp_path)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    entered = False
    with exclusive_run(tmp_path / "state"):
        entered = True
    assert entered
    # and the lock is free again after a run that ended normally
    with exclusive_run(tmp_path / "state"):
        pass
