"""Build the staging tables (docs/architecture.md) in a DuckDB connection from small Python rows.

For tests of the SQL models and of anything that reads ``staging``: give each table a list of
dicts holding only the columns the test is about; every other column takes a documented default.
Derived columns are not derived from raw values (that is the job of ``wres/staging.py``): a test
states them, with two conveniences: ``ethnic_group`` defaults from ``census_group``
(``white`` -> white, another group -> bme, none -> unknown), and ``band_rank`` from ``band``
through the small test table ``TEST_BAND_RANK`` (only the order of ranks matters to the models).

>>> con = build_staging(staff_in_post=[{"employee_id": "e1", "census_group": "black"}])
>>> con.execute("select ethnic_group, band, snapshot_date::varchar from staging.staff_in_post").fetchall()
[('bme', 'Band 5', '2025-03-31')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

from wres.config import Settings
from wres.models import MODEL_FOLDERS, run_models

ORGANISATION = "RXX"
SNAPSHOT = dt.date(2025, 3, 31)

# test-only ranks: only their order matters to the SQL (the real ones come from wres/bands.py)
TEST_BAND_RANK: dict[str, int] = {
    "Other": 0,
    "Medical: Trainee": 0,
    "Medical: Career grade": 0,
    "Medical: Consultant": 0,
    **{f"Band {n}": n * 10 for n in range(1, 8)},
    "Band 8a": 81,
    "Band 8b": 82,
    "Band 8c": 83,
    "Band 8d": 84,
    "Band 9": 90,
    "VSM": 100,
}

# table -> column -> (DuckDB type, default). A default of None is NULL.
STAGING_COLUMNS: dict[str, dict[str, tuple[str, Any]]] = {
    "staff_in_post": {
        "organisation_code": ("VARCHAR", ORGANISATION),
        "snapshot_date": ("DATE", SNAPSHOT),
        "employee_id": ("VARCHAR", None),
        "assignment_id": ("VARCHAR", None),  # default: employee_id + '-' + assignment_order
        "assignment_order": ("INTEGER", 1),
        "staff_group": ("VARCHAR", "Nursing and Midwifery Registered"),
        "staff_group_recognised": ("BOOLEAN", True),
        "workforce": ("VARCHAR", "clinical"),
        "job_role": ("VARCHAR", "Staff Nurse"),
        "area_of_work": ("VARCHAR", "Surgery"),
        "pay_band": ("VARCHAR", None),  # default: band
        "band": ("VARCHAR", "Band 5"),
        "band_rank": ("INTEGER", None),  # default: TEST_BAND_RANK[band]
        "band_recognised": ("BOOLEAN", True),
        "ethnic_origin": ("VARCHAR", None),
        "ethnic_group": ("VARCHAR", None),  # default: from census_group
        "census_group": ("VARCHAR", None),
        "unknown_reason": ("VARCHAR", None),
        "assignment_category": ("VARCHAR", "Permanent"),
        "is_bank": ("BOOLEAN", False),
        "is_primary_assignment": ("BOOLEAN", None),
        "fte": ("DOUBLE", 1.0),
        "gender": ("VARCHAR", None),
        "disability": ("VARCHAR", None),
        "in_maternity_scope": ("BOOLEAN", False),
        "role_group": ("VARCHAR", None),
        "file_hash": ("VARCHAR", "0" * 64),
    },
    "recruitment": {
        "organisation_code": ("VARCHAR", ORGANISATION),
        "application_id": ("VARCHAR", None),
        "ethnic_origin": ("VARCHAR", None),
        "ethnic_group": ("VARCHAR", None),
        "census_group": ("VARCHAR", None),
        "unknown_reason": ("VARCHAR", None),
        "shortlisted": ("BOOLEAN", True),
        "appointed": ("BOOLEAN", False),
        "shortlisted_date": ("DATE", dt.date(2024, 10, 1)),
        "international_recruit": ("BOOLEAN", None),
        "vacancy_id": ("VARCHAR", None),
        "staff_group": ("VARCHAR", None),
        "workforce": ("VARCHAR", None),
        "job_role": ("VARCHAR", None),
        "area_of_work": ("VARCHAR", None),
        "pay_band": ("VARCHAR", None),
        "band": ("VARCHAR", None),
        "in_maternity_scope": ("BOOLEAN", False),
        "role_group": ("VARCHAR", None),
        "file_date": ("DATE", SNAPSHOT),
        "file_hash": ("VARCHAR", "1" * 64),
    },
    "disciplinary": {
        "organisation_code": ("VARCHAR", ORGANISATION),
        "case_id": ("VARCHAR", None),
        "employee_id": ("VARCHAR", None),
        "investigation_start_date": ("DATE", dt.date(2024, 10, 1)),
        "ethnic_origin": ("VARCHAR", None),
        "ethnic_group": ("VARCHAR", None),
        "census_group": ("VARCHAR", None),
        "unknown_reason": ("VARCHAR", None),
        "file_date": ("DATE", SNAPSHOT),
        "file_hash": ("VARCHAR", "2" * 64),
    },
    "training": {
        "organisation_code": ("VARCHAR", ORGANISATION),
        "record_id": ("VARCHAR", None),
        "employee_id": ("VARCHAR", None),
        "start_date": ("DATE", dt.date(2024, 10, 1)),
        "mandatory": ("BOOLEAN", False),
        "course_name": ("VARCHAR", None),
        "file_date": ("DATE", SNAPSHOT),
        "file_hash": ("VARCHAR", "3" * 64),
    },
    "board": {
        "organisation_code": ("VARCHAR", ORGANISATION),
        "board_date": ("DATE", SNAPSHOT),
        "member_id": ("VARCHAR", None),
        "ethnic_origin": ("VARCHAR", None),
        "ethnic_group": ("VARCHAR", None),
        "census_group": ("VARCHAR", None),
        "unknown_reason": ("VARCHAR", None),
        "voting": ("BOOLEAN", True),
        "executive": ("BOOLEAN", False),
        "file_hash": ("VARCHAR", "4" * 64),
    },
    "staff_survey": {
        "organisation_code": ("VARCHAR", ORGANISATION),
        "survey_year": ("INTEGER", 2024),
        "respondent_id": ("VARCHAR", None),
        "ethnicity": ("VARCHAR", None),
        "ethnic_group": ("VARCHAR", None),
        "census_group": ("VARCHAR", None),
        "unknown_reason": ("VARCHAR", None),
        "occupation_group": ("VARCHAR", None),
        "work_area": ("VARCHAR", None),
        "in_maternity_scope": ("BOOLEAN", False),
        "role_group": ("VARCHAR", None),
        "q14a": ("TINYINT", None),
        "q14b": ("TINYINT", None),
        "q14c": ("TINYINT", None),
        "q15": ("TINYINT", None),
        "q16b": ("TINYINT", None),
        "file_hash": ("VARCHAR", "5" * 64),
    },
    "catchment": {
        "organisation_code": ("VARCHAR", ORGANISATION),
        "area_code": ("VARCHAR", None),
        "weight": ("DOUBLE", 1.0),
    },
    "reference_population": {
        "reference_population": ("VARCHAR", None),
        "organisation_code": ("VARCHAR", ORGANISATION),
        "ethnic_group": ("VARCHAR", None),
        "population": ("DOUBLE", None),
    },
    "census2021": {
        "area_code": ("VARCHAR", None),
        "area_name": ("VARCHAR", None),
        "ethnic_group": ("VARCHAR", None),
        "population": ("DOUBLE", None),
    },
}

_TABLES_WITH_ETHNICITY = {"staff_in_post", "recruitment", "disciplinary", "board", "staff_survey"}


def _wres_group(census_group: str | None) -> str:
    if census_group is None:
        return "unknown"
    return "white" if census_group == "white" else "bme"


def _complete(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    columns = STAGING_COLUMNS[table]
    unknown = set(row) - set(columns)
    if unknown:
        raise KeyError(f"staging.{table} has no column(s) {sorted(unknown)}")
    full = {name: row.get(name, default) for name, (_, default) in columns.items()}
    if table in _TABLES_WITH_ETHNICITY and "ethnic_group" not in row:
        full["ethnic_group"] = _wres_group(full["census_group"])
    if table == "staff_in_post":
        if "assignment_id" not in row:
            full["assignment_id"] = f"{full['employee_id']}-{full['assignment_order']}"
        if "band_rank" not in row:
            full["band_rank"] = TEST_BAND_RANK[full["band"]]
        if "pay_band" not in row:
            full["pay_band"] = full["band"]
    for name, (sql_type, _) in columns.items():
        if sql_type == "DATE" and isinstance(full[name], str):
            full[name] = dt.date.fromisoformat(full[name])
    return full


def build_staging(
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    snapshots: Iterable[tuple[str, str | dt.date]] | None = None,
    loaded_kinds: Iterable[tuple[str, str | None] | tuple[str, str | None, int]] | None = None,
    **tables: Iterable[Mapping[str, Any]],
) -> duckdb.DuckDBPyConnection:
    """Create every staging table (empty unless rows are given) and return the connection.

    ``tables`` maps a staging table name (``staff_in_post``, ``recruitment``, ...) to its rows.
    ``snapshots`` defaults to the distinct (organisation_code, snapshot_date) of staff_in_post;
    ``loaded_kinds`` (kind, organisation_code or None for an empty file[, survey_year]) to the
    kinds, organisations (and survey years) present in the event and survey tables.
    """
    unknown = set(tables) - set(STAGING_COLUMNS)
    if unknown:
        raise KeyError(f"no staging table(s) {sorted(unknown)}")
    con = con or duckdb.connect()
    con.execute("create schema if not exists staging")
    for table, columns in STAGING_COLUMNS.items():
        ddl = ", ".join(f"{name} {sql_type}" for name, (sql_type, _) in columns.items())
        con.execute(f"create or replace table staging.{table} ({ddl})")
        rows = [_complete(table, row) for row in tables.get(table, ())]
        if rows:
            placeholders = ", ".join("?" for _ in columns)
            con.executemany(
                f"insert into staging.{table} values ({placeholders})",
                [list(row.values()) for row in rows],
            )
    con.execute("create or replace table staging.snapshots (organisation_code VARCHAR, snapshot_date DATE)")
    if snapshots is None:
        con.execute(
            "insert into staging.snapshots select distinct organisation_code, snapshot_date "
            "from staging.staff_in_post order by all"
        )
    else:
        con.executemany(
            "insert into staging.snapshots values (?, ?)",
            [(org, dt.date.fromisoformat(d) if isinstance(d, str) else d) for org, d in snapshots],
        )
    con.execute(
        "create or replace table staging.loaded_kinds "
        "(kind VARCHAR, survey_year INTEGER, organisation_code VARCHAR)"
    )
    if loaded_kinds is None:
        for kind in ("staff_in_post", "recruitment", "disciplinary", "training", "board"):
            con.execute(
                f"insert into staging.loaded_kinds select distinct '{kind}', null, organisation_code "
                f"from staging.{kind}"
            )
        con.execute(
            "insert into staging.loaded_kinds select distinct 'staff_survey', survey_year, organisation_code "
            "from staging.staff_survey"
        )
    else:
        con.executemany(
            "insert into staging.loaded_kinds (kind, organisation_code, survey_year) values (?, ?, ?)",
            [(*entry, None)[:3] for entry in loaded_kinds],
        )
    return con


def indicator_model_files(sql_dir: Path | None = None) -> list[Path]:
    """The SQL files marts.wres_indicators needs: every macro and intermediate model, and the mart.

    Other marts are left out, so that a test of the indicators does not depend on them.
    """
    base = sql_dir or Path(__file__).resolve().parents[1] / "sql"
    files: list[Path] = []
    for folder in MODEL_FOLDERS:
        found = sorted((base / folder).glob("*.sql"))
        files.extend(p for p in found if folder != "marts" or p.name == "010_wres_indicators.sql")
    return files


def run_indicator_models(
    con: duckdb.DuckDBPyConnection, settings: Settings | None = None
) -> duckdb.DuckDBPyConnection:
    """Run the macros, intermediate models and marts.wres_indicators on the staging tables in ``con``."""
    run_models(con, settings or Settings(), indicator_model_files())
    return con
