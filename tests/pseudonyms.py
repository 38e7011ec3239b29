"""Test identifiers as the state holds them: pseudonymised with a test key as on ingest, and read
back as the test's own ids so that assertions stay readable."""

from __future__ import annotations

from typing import Any

import polars as pl

from wres.kinds import IDENTIFIER_COLUMNS
from wres.pseudonymise import pseudonym, pseudonymise_frame

KEY = b"test-pseudonymisation-key-of-the-unit-tests"
_RAW_OF: dict[str, str] = {}


def stored_id(raw: str) -> str:
    """The pseudonym the state holds for the test id ``raw``."""
    value = pseudonym(raw, KEY)
    _RAW_OF[value] = raw
    return value


def pseudonymised(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its identifier columns pseudonymised, as ``wres.pipeline`` stores a file."""
    for column in IDENTIFIER_COLUMNS & set(frame.columns):
        for raw in frame[column].drop_nulls().unique():
            stored_id(raw)
    return pseudonymise_frame(frame, IDENTIFIER_COLUMNS, KEY)


def readable(value: Any) -> Any:
    """The test id behind a stored pseudonym (a UUID or its text); anything else as it is."""
    return _RAW_OF.get(str(value), value) if value is not None else None
