"""prefect.yaml deploys the weekly flow to a process work pool on Mondays 07:00 Europe/London:
deployed for real against the session's Prefect server, then read back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.integration


def prefect(args: list[str], api: str, cwd=REPO_ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PREFECT_API_URL": api, "WRES_PROJECT_DIR": str(REPO_ROOT), "DO_NOT_TRACK": "1"}
    return subprocess.run(
        [sys.executable, "-m", "prefect", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_prefect_yaml_deploys_the_weekly_schedule(prefect_server):
    pool = prefect(["work-pool", "create", "wres-pool", "--type", "process", "--overwrite"], prefect_server)
    assert pool.returncode == 0, pool.stdout + pool.stderr
    deployed = prefect(["--no-prompt", "deploy", "--all"], prefect_server)
    assert deployed.returncode == 0, deployed.stdout[-3000:] + deployed.stderr[-3000:]
    inspected = prefect(
        ["deployment", "inspect", "wres-weekly/wres-weekly", "--output", "json"], prefect_server
    )
    assert inspected.returncode == 0, inspected.stdout + inspected.stderr
    deployment = json.loads(inspected.stdout)
    assert deployment["entrypoint"] == "flows/weekly.py:weekly"
    assert deployment["work_pool_name"] == "wres-pool"
    [schedule] = deployment["schedules"]
    assert schedule["schedule"]["cron"] == "0 7 * * 1"
    assert schedule["schedule"]["timezone"] == "Europe/London"
    assert schedule["active"] is True


def test_wres_serve_serves_the_same_schedule_without_a_work_pool(prefect_server, tmp_path):
    env = {**os.environ, "PREFECT_API_URL": prefect_server, "DO_NOT_TRACK": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "wres.cli", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deployment = None
        for _ in range(120):
            inspected = prefect(
                ["deployment", "inspect", "wres-weekly/wres-weekly", "--output", "json"], prefect_server
            )
            if inspected.returncode == 0:
                candidate = json.loads(inspected.stdout)
                if candidate.get("work_pool_name") is None:
                    deployment = candidate
                    break
            if server.poll() is not None:
                break
            time.sleep(1)
        assert deployment is not None, server.stdout.read() if server.poll() is not None else "not served"
        [schedule] = deployment["schedules"]
        assert schedule["schedule"]["cron"] == "0 7 * * 1"
        assert schedule["schedule"]["timezone"] == "Europe/London"
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def test_wres_serve_without_a_server_starts_one_for_the_schedule_and_stops_it(tmp_path):
    # Prefect's temporary in-run server cannot run schedules: serve starts a real one on loopback
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "DO_NOT_TRACK": "1"}
    env.pop("PREFECT_API_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "wres", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url, deployment, output = None, None, []
    try:
        for line in server.stdout:  # "Prefect server: http://127.0.0.1:PORT/api; serving ..."
            output.append(line)
            if line.startswith("Prefect server: "):
                url = line.split()[2].rstrip(";")
                break
        assert url, "".join(output)
        for _ in range(120):
            inspected = prefect(["deployment", "inspect", "wres-weekly/wres-weekly", "--output", "json"], url)
            if inspected.returncode == 0:
                deployment = json.loads(inspected.stdout)
                break
            time.sleep(1)
        assert deployment is not None, "not served"
        [schedule] = deployment["schedules"]
        assert (schedule["schedule"]["cron"], schedule["schedule"]["timezone"]) == (
            "0 7 * * 1",
            "Europe/London",
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # as a service manager stops it
        server.wait(timeout=60)
    # the server it started ended with it
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/health", timeout=5)
