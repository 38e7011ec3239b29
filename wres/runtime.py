"""Process set-up the CLI does before Prefect is imported: Prefect's settings for a machine with no
server started by hand, no telemetry, and the library's log lines in Prefect's logs."""

from __future__ import annotations

import os
from pathlib import Path

# A Prefect server migrates its database on the first run of a new machine (~30 s),
# longer than its default 20 s start-up timeout (STACK.md, PrefectHQ/prefect#15075).
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "240",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "wres",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
}


def configure_prefect_environment() -> None:
    """Set Prefect's environment defaults (a value the user set wins)."""
    for name, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(name, value)


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")


def first_prefect_run() -> bool:
    """True when no Prefect server is configured and the temporary server's database is not made yet."""
    return not os.environ.get("PREFECT_API_URL") and not (prefect_home() / "prefect.db").exists()
