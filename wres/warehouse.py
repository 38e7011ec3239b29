"""Build the analyst warehouse from the state and swap it in atomically.

The warehouse is built into a new file beside the published one, in a storage version that
DuckDB clients from 1.2 on read, checkpointed and closed; the publication is prepared from it; then
it is moved over the published path with ``os.replace``, right before the publication is
switched. An analyst holding the old file open read-only keeps a consistent view and never blocks
the run; a crash before the swap leaves the old file as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from wres.catalogue import COLUMN_COMMENTS, TABLE_COMMENTS
from wres.config import Settings
from wres.faults import checkpoint
from wres.memory import release_freed_memory
from wres.models import run_models
from wres.sdc import apply_joint_disclosure_control
from wres.staging import STAGING_TABLES, create_staging_table
from wres.state import BUILD_MEMORY_LIMIT, DISCLOSURE_MEMORY_LIMIT, memory_limited

STORAGE_VERSION = "v1.2.0"
_OPS_TABLES = {
    "loaded_files": "select sha256, name, kind, file_date, survey_year, reference_name, size_bytes, "
    "first_seen, first_seen_order, status, rows, loaded_at, last_checked_at, last_message "
    "from state.main.files order by first_seen_order",
    # the run building this warehouse is 'publishing' in the state until its publication is in
    # place; in the warehouse it publishes, it has completed
    "runs": "select * replace (case when status = 'publishing' then 'completed' else status end as status) "
    "from state.main.runs order by started_at, run_id",
    "run_files": "select * from state.main.run_files order by run_id, name",
    "validation_results": "select * from state.main.validation_results "
    "order by validated_at, run_id, file_name, check_name, column_name",
}


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = ("staging", "ops")) -> None:
    """Comment every table and column of ``schemas`` that has no comment yet, from the catalogue."""
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = current_database() "
        f"and schema_name in ({', '.join(map(_sql_literal, schemas))})"
    ).fetchall()
    for schema, table in tables:
        qualified = f"{schema}.{table}"
        text = TABLE_COMMENTS.get(qualified)
        if text:
            con.execute(f"comment on table {qualified} is {_sql_literal(text)}")
        columns = con.execute(
            "select column_name, comment from duckdb_columns() where database_name = current_database() "
            "and schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchall()
        for column, existing in columns:
            if existing:
                continue
            text = COLUMN_COMMENTS.get(f"{qualified}.{column}", COLUMN_COMMENTS.get(column))
            if text:
                con.execute(f'comment on column {qualified}."{column}" is {_sql_literal(text)}')


_INDICATOR_KEY = (
    "organisation_code",
    "snapshot_date",
    "scope",
    "indicator",
    "measure",
    "ethnic_group",
    "breakdown",
)
_REPRESENTATION_KEY = ("organisation_code", "snapshot_date", "scope", "reference_population", "ethnic_group")


def store_disclosure_flags(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Set ``suppressed`` in the marts to the full rule (primary and secondary, wres.sdc).

    The warehouse keeps exact values; the flag says what the publication hides.
    """
    indicators = con.sql("select * from marts.wres_indicators").pl()
    representation = con.sql("select * from marts.representation").pl()
    indicators, representation = apply_joint_disclosure_control(indicators, representation, settings)
    for table, frame, key in (
        ("marts.wres_indicators", indicators, _INDICATOR_KEY),
        ("marts.representation", representation, _REPRESENTATION_KEY),
    ):
        flags = frame.select(*key, "suppressed")
        con.register("disclosure_flags", flags)
        match = " and ".join(f"t.{c} = f.{c}" for c in key)
        con.execute(
            f"update {table} t set suppressed = f.suppressed from disclosure_flags f "
            f"where {match} and t.suppressed is distinct from f.suppressed"
        )
        con.unregister("disclosure_flags")


def build_warehouse(
    state_con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    progress: Callable[[str], None] = lambda message: None,
) -> Path:
    """Build the new warehouse from the state connection into a file beside the published one and
    return that file's path; ``publish_warehouse`` moves it into place (after the publication is
    prepared from it, so that the two change together)."""
    target = Path(settings.paths.warehouse)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = building_path(target)
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)

    con = state_con
    con.execute(f"attach {_sql_literal(str(building))} as warehouse (storage_version '{STORAGE_VERSION}')")
    try:
        con.execute("use warehouse")
        for schema in ("staging", "marts", "ops"):
            con.execute(f"create schema {schema}")
        for name in STAGING_TABLES:
            progress(f"staging.{name}")
            create_staging_table(con, name, settings)
        con.execute(
            "create table staging.snapshots as select distinct organisation_code, snapshot_date "
            "from staging.staff_in_post order by organisation_code, snapshot_date"
        )
        checkpoint("transform:staging")
        progress("marts")
        run_models(con, settings)
        progress("disclosure control")
        with memory_limited(con, DISCLOSURE_MEMORY_LIMIT, then=BUILD_MEMORY_LIMIT):
            release_freed_memory()
            store_disclosure_flags(con, settings)
        for name, sql in _OPS_TABLES.items():
            con.execute(f"create table ops.{name} as {sql}")
        comment_tables(con)
        con.execute("checkpoint warehouse")
    finally:
        con.execute("use state")
        con.execute("detach warehouse")
    _fsync(building)
    checkpoint("transform:before-swap")
    return building


def building_path(target: Path) -> Path:
    return target.with_name(target.name + ".building")


def publish_warehouse(building: Path, settings: Settings) -> Path:
    """Move the new warehouse over the published one in one atomic step; return the published path."""
    target = Path(settings.paths.warehouse)
    os.replace(building, target)
    _fsync_dir(target.parent)
    return target


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
