"""The core numbers every contender must agree on, in one long shape, and how to compare them.

Rows: organisation_code, snapshot_date (ISO text), measure, ethnic_group, count, where measure is
``headcount`` (trust scope: distinct non-bank people at D), ``shortlisted`` and ``appointed``
(indicator 2, trust scope, all applications, window (D - 12 months, D]); groups white, bme, unknown.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

COLUMNS = ["organisation_code", "snapshot_date", "measure", "ethnic_group", "count"]
GROUPS = ("white", "bme", "unknown")


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[frame["ethnic_group"].isin(GROUPS)].copy()
    frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"]).dt.strftime("%Y-%m-%d")
    frame["count"] = frame["count"].astype("int64")
    frame = frame[frame["count"] > 0]  # a zero cell is absent in some contenders, present in others
    return frame[COLUMNS].sort_values(COLUMNS[:4]).reset_index(drop=True)


def from_indicators(indicators: pd.DataFrame) -> pd.DataFrame:
    """Core numbers from indicator rows (``marts.wres_indicators`` or the pandas implementation)."""
    trust = indicators[(indicators["scope"] == "trust") & (indicators["measure"] != "relative_likelihood")]
    headcount = trust[(trust["indicator"] == 1) & (trust["breakdown"] == "all|all")]
    recruitment = trust[(trust["indicator"] == 2) & (trust["breakdown"] == "")]
    keys = ["organisation_code", "snapshot_date", "ethnic_group"]
    return _tidy(
        pd.concat(
            [
                headcount[keys].assign(measure="headcount", count=headcount["numerator"]),
                recruitment[keys].assign(measure="shortlisted", count=recruitment["denominator"]),
                recruitment[keys].assign(measure="appointed", count=recruitment["numerator"]),
            ]
        )
    )


def from_warehouse(path: Path) -> pd.DataFrame:
    """Core numbers from a published warehouse, opened read-only."""
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.sql(
            "select organisation_code, snapshot_date, scope, indicator, measure, ethnic_group, breakdown, "
            "numerator, denominator from marts.wres_indicators where indicator in (1, 2)"
        ).df()
    return from_indicators(rows)


def from_floor(counts: dict) -> pd.DataFrame:
    """Core numbers from ``bench.duckdb_floor.floor_counts``."""
    headcount = counts["headcount"].to_pandas()
    parts = [headcount.assign(measure="headcount", count=headcount["headcount"])]
    if "shortlisting" in counts:
        short = counts["shortlisting"].to_pandas()
        parts += [
            short.assign(measure="shortlisted", count=short["shortlisted"]),
            short.assign(measure="appointed", count=short["appointed"]),
        ]
    return _tidy(pd.concat(parts))


def disagreements(a: pd.DataFrame, b: pd.DataFrame) -> int:
    """How many core-number rows differ between two contenders (missing on one side counts)."""
    merged = a.merge(b, on=COLUMNS[:4], how="outer", suffixes=("_a", "_b"))
    return int((merged["count_a"] != merged["count_b"]).sum())
