"""Shared fixtures: one real Prefect server on loopback for the whole session, and a helper that
runs the real ``wres`` command in a subprocess against it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from wres.prefect_server import local_prefect_server

TEST_KEY = "test-pseudonymisation-key-0123456789abcdef"
REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``prefect server start`` on 127.0.0.1, in its own process group, ended with the session."""
    with local_prefect_server(tmp_path_factory.mktemp("prefect-home")) as url:
        yield url


def wres_env(prefect_api: str | None, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "WRES_PSEUDONYMISATION_KEY": TEST_KEY,
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    if prefect_api:
        env["PREFECT_API_URL"] = prefect_api
    env.update(extra)
    return env


def run_wres(
    args: list[str], *, cwd: Path, prefect_api: str | None, timeout: float = 600, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """Run the real ``wres`` command (``python -m wres``) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "wres", *args],
        cwd=cwd,
        env=wres_env(prefect_api, **extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
