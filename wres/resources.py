"""Locate the files that ship with the monitor: SQL models, expectation suites, reference tables.

Installed from a wheel they live in ``wres/_resources/``; in a source checkout they are the
top-level ``sql/``, ``expectations/`` and ``reference/`` folders.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder ``name`` (``sql``, ``expectations`` or ``reference``)."""
    for candidate in (_PACKAGE_DIR / "_resources" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the monitor's {name}/ folder is missing from the installation")
