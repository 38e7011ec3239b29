"""The polars schemas of the two contract tables (CONTRACT section 3), for hand-built test frames, and
the columns that identify a row of each."""

from __future__ import annotations

import polars as pl

INDICATOR_SCHEMA = {
    "organisation_code": pl.String,
    "snapshot_date": pl.Date,
    "scope": pl.String,
    "indicator": pl.Int32,
    "measure": pl.String,
    "ethnic_group": pl.String,
    "breakdown": pl.String,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "value": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "interpretation": pl.String,
    "suppressed": pl.Boolean,
    "source_period": pl.String,
}
REPRESENTATION_SCHEMA = {
    "organisation_code": pl.String,
    "snapshot_date": pl.Date,
    "scope": pl.String,
    "reference_population": pl.String,
    "ethnic_group": pl.String,
    "headcount": pl.Int64,
    "workforce_share": pl.Float64,
    "reference_share": pl.Float64,
    "ratio": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "suppressed": pl.Boolean,
}

# a row's identity: one row per these columns' values
INDICATOR_KEY = (
    "organisation_code",
    "snapshot_date",
    "scope",
    "indicator",
    "measure",
    "ethnic_group",
    "breakdown",
)
REPRESENTATION_KEY = ("organisation_code", "snapshot_date", "scope", "reference_population", "ethnic_group")
