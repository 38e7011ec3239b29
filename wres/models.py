"""Run the SQL models in ``sql/`` against a DuckDB connection that holds the staging tables.

Order: ``sql/macros``, then ``sql/intermediate``, then ``sql/marts``, each folder in file-name
order. Settings the SQL needs are written to ``staging.settings`` first and read in SQL with the
``setting('key')`` macro.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

from wres.config import Settings
from wres.resources import resource_dir

MODEL_FOLDERS = ("macros", "intermediate", "marts")


def sql_settings(settings: Settings) -> dict[str, str]:
    """The settings the SQL models read, as text."""
    return {
        "rl_lower": repr(settings.interpretation.lower),
        "rl_upper": repr(settings.interpretation.upper),
        "z": "1.959964",
        "maternity_terms": "|".join(settings.maternity_terms),
        "min_count": str(settings.disclosure.min_count),
        "survey_min_denominator": str(settings.disclosure.survey_min_denominator),
    }


def model_files(sql_dir: Path | None = None) -> list[Path]:
    base = sql_dir or resource_dir("sql")
    files: list[Path] = []
    for folder in MODEL_FOLDERS:
        files.extend(sorted((base / folder).glob("*.sql")))
    return files


def write_settings(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    con.execute("create schema if not exists staging")
    con.execute("create or replace table staging.settings (key varchar, value varchar)")
    con.executemany("insert into staging.settings values (?, ?)", list(sql_settings(settings).items()))
    con.execute("comment on table staging.settings is 'Settings the SQL models read (setting(key) macro).'")
    con.execute("comment on column staging.settings.key is 'Setting name.'")
    con.execute("comment on column staging.settings.value is 'Setting value, as text.'")
    con.execute("create or replace macro setting(k) as (select value from staging.settings where key = k)")


def run_models(
    con: duckdb.DuckDBPyConnection, settings: Settings, files: Iterable[Path] | None = None
) -> None:
    """Create the macros, intermediate and mart tables from the staging tables already in ``con``."""
    write_settings(con, settings)
    for schema in ("intermediate", "marts"):
        con.execute(f"create schema if not exists {schema}")
    for path in files if files is not None else model_files():
        try:
            con.execute(path.read_text(encoding="utf-8"))
        except duckdb.Error as exc:
            raise RuntimeError(f"SQL model {path.name} failed: {exc}") from exc
