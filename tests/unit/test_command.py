"""The ``wres`` command's entry point (wres/command.py): an unexpected failure, even while the
command's own modules load, ends in exit code 3 with the log's location (CONTRACT section 4),
never in Python's exit code 1, which the contract gives to a rejected file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def _wres(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wres", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_dependency_that_fails_to_import_is_an_internal_error_with_a_log(tmp_path):
    # a broken install: the command-line library the command is built on cannot be imported
    broken = tmp_path / "broken"
    (broken / "typer").mkdir(parents=True)
    (broken / "typer" / "__init__.py").write_text('raise ImportError("simulated broken install")\n')
    result = _wres(["run"], tmp_path, PYTHONPATH=str(broken), TMPDIR=str(tmp_path))
    assert result.returncode == 3, result.stderr[-2000:]
    assert "wres: internal error: ImportError: simulated broken install" in result.stderr
    found = re.search(r"wres: the log is at (\S+)", result.stderr)
    assert found, result.stderr
    log = Path(found.group(1))
    assert log.parent == tmp_path
    assert "Traceback" in log.read_text() and "simulated broken install" in log.read_text()
    assert log.stat().st_mode & 0o077 == 0  # only its owner reads it
    assert "Traceback" not in result.stderr  # the traceback is for the log, not the console


def test_the_command_still_gives_its_own_exit_codes(tmp_path):
    assert _wres(["--help"], tmp_path).returncode == 0
    missing = _wres(["run", "--inbox", str(tmp_path / "nowhere")], tmp_path)
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr
