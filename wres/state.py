"""The job's own state: a DuckDB file under the state folder that no analyst opens.

It remembers every file seen (by content hash), the typed and pseudonymised rows of every file
that passed validation, every validation result and every run. The analyst warehouse is rebuilt
from it on each run, so the warehouse is always a pure function of the state and the settings.

A file's rows count only once its ``files`` row says ``loaded``, which is set in one transaction
with its validation results after every row is in: a crash mid-load leaves no half-loaded file
(the rows already written belong to no loaded file, are read by nothing and are removed when the
file is stored again or at the next ingest).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from wres.faults import checkpoint
from wres.kinds import KINDS, Kind
from wres.pseudonymise import PSEUDONYM_SQL_TYPE

STATE_FILE_NAME = "state.duckdb"

log = logging.getLogger("wres")

_SQL_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "number": "DOUBLE",
    "answer": "TINYINT",
}

# DuckDB's own memory (buffer pool, sorts, hash tables) stays within a limit and spills to its
# temporary folder beside the state file (state.duckdb.tmp) beyond it, so that a national state
# (millions of rows) is loaded and built within the job's memory target. While files are ingested the
# Python side holds one file's frames (about 2 GB at the peak for 1.5 million staff rows), so DuckDB
# gets less then (measured: 1 GB there put the process at 2.7 GB); the warehouse build has the
# process to itself.
INGEST_MEMORY_LIMIT = "384MB"
BUILD_MEMORY_LIMIT = "1GB"
# disclosure control works in polars on the marts (a few hundred thousand rows), after the models:
# DuckDB gives back the buffers the models filled first (national warehouse build alone, peak RSS
# of that step: 1,341 MiB with 1 GB kept, 1,067 MiB with this)
DISCLOSURE_MEMORY_LIMIT = "256MB"


def tune(con: duckdb.DuckDBPyConnection, memory_limit: str = INGEST_MEMORY_LIMIT) -> None:
    """Bound DuckDB's memory and threads on ``con``."""
    con.execute(f"set memory_limit = '{memory_limit}'")
    con.execute(f"set threads = {max(1, min(os.cpu_count() or 1, 4))}")


@contextmanager
def memory_limited(con: duckdb.DuckDBPyConnection, memory_limit: str, *, then: str) -> Iterator[None]:
    """DuckDB's memory on ``con`` bounded by ``memory_limit`` for the block (it evicts its buffers
    down to it), then by ``then`` (given, not read back: DuckDB shows its limit rounded to 0.1 MiB,
    and that text set again is not the limit it was)."""
    con.execute(f"set memory_limit = '{memory_limit}'")
    try:
        yield
    finally:
        con.execute(f"set memory_limit = '{then}'")


# DuckDB stores a table in row groups of 122,880 rows; a commit of a slice that is not a whole
# number of them leaves a part-filled row group that every later slice starts anew. Whole row
# groups (measured on a national staff file of 1.5 million rows): the state file 116 MB, not
# 173 MB, and the checkpoint after the file 0.1 s, not 1.1 to 1.4 s.
_ROW_GROUP_ROWS = 122_880
_INSERT_SLICE_ROWS = 2 * _ROW_GROUP_ROWS

# columns stored beside a kind's own columns
_EXTRA_COLUMNS = {"staff_in_post": {"assignment_order": "INTEGER"}}


def rows_table(kind: str) -> str:
    return f"rows_{kind}"


def stored_columns(kind: Kind) -> dict[str, str]:
    """Column -> SQL type of the rows table of ``kind`` (file_sha256 first)."""
    columns = {"file_sha256": "VARCHAR", "source_row": "BIGINT"}
    columns.update({c.name: PSEUDONYM_SQL_TYPE if c.identifier else _SQL_TYPES[c.type] for c in kind.columns})
    columns.update(_EXTRA_COLUMNS.get(kind.name, {}))
    return columns


_SCHEMA = """
create sequence if not exists sighting_seq start 1;
create table if not exists files (
    sha256 varchar primary key,
    name varchar not null,
    kind varchar,
    file_date date,
    survey_year integer,
    reference_name varchar,
    size_bytes bigint,
    first_seen timestamp not null,
    first_seen_order bigint not null,
    status varchar not null,          -- loaded | rejected
    rows bigint,
    loaded_at timestamp,
    last_checked_at timestamp,
    last_message varchar
);
create table if not exists runs (
    run_id varchar primary key,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar,
    exit_code integer,
    files_seen integer,
    files_loaded integer,
    files_rejected integer,
    files_unchanged integer,
    message varchar
);
create table if not exists run_files (
    run_id varchar, name varchar, sha256 varchar, kind varchar, outcome varchar, rows bigint,
    message varchar
);
create table if not exists state_format (name varchar primary key, value varchar);
create table if not exists validation_results (
    run_id varchar, file_name varchar, sha256 varchar, kind varchar, check_name varchar,
    column_name varchar, severity varchar, passed boolean, unexpected_count bigint,
    message varchar, expectation varchar, validated_at timestamp
);
"""


@dataclass(frozen=True)
class KnownFile:
    sha256: str
    name: str
    kind: str | None
    status: str
    rows: int | None
    file_date: date | None = None
    survey_year: int | None = None
    reference_name: str | None = None

    @property
    def identity(self) -> tuple[str | None, date | None, int | None, str | None]:
        """What the file's name says: kind, date, survey year, reference name."""
        return (self.kind, self.file_date, self.survey_year, self.reference_name)


def migrate_pseudonyms(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Turn a state written before pseudonyms were UUIDs (the whole HMAC as 64 hex characters) into
    the present form: the first 32 hex digits as a UUID, which is the same person's pseudonym now
    (``wres.pseudonymise``). Returns the ``table.column`` names changed; a present state changes
    nothing."""
    identifier_columns = {
        (rows_table(kind.name), name) for kind in KINDS.values() for name in kind.identifiers
    }
    stored = con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main' and data_type = 'VARCHAR'"
    ).fetchall()
    changed = [(table, column) for table, column in stored if (table, column) in identifier_columns]
    if not changed:
        return []
    con.execute("begin transaction")
    try:
        for table, column in changed:
            con.execute(
                f'alter table {table} alter "{column}" type {PSEUDONYM_SQL_TYPE} '
                f'using cast(left("{column}", 32) as {PSEUDONYM_SQL_TYPE})'
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("checkpoint")
    names = [f"{table}.{column}" for table, column in sorted(changed)]
    log.info("state: pseudonyms now stored as UUIDs (the first 128 bits of each) in %s", ", ".join(names))
    return names


# how identifiers are compared before hashing (wres.pseudonymise.comparable_identifier)
IDENTIFIER_RULE = "all-digit identifiers without leading zeros"


def note_identifier_rule(con: duckdb.DuckDBPyConnection) -> bool:
    """Record the identifier rule in the state; warn (and return True) once when files were loaded
    before it, whose all-digit identifiers with leading zeros kept other pseudonyms."""
    recorded = con.execute("select value from state_format where name = 'identifiers'").fetchone()
    if recorded is not None:
        return False
    loaded = con.execute("select count(*) from files where status = 'loaded'").fetchone()[0]
    con.execute("insert into state_format values ('identifiers', ?)", [IDENTIFIER_RULE])
    if loaded:
        log.warning(
            "state: its %d loaded file(s) were pseudonymised before identifiers made only of digits were "
            "compared without leading zeros; if any of their employee or event ids start with 0, run once "
            "with a new state folder so that every file is read again under the same rule",
            loaded,
        )
    return bool(loaded)


class StateStore:
    """A connection to the state file. Use as a context manager."""

    def __init__(self, folder: Path, memory_limit: str = INGEST_MEMORY_LIMIT):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / STATE_FILE_NAME
        self.con = duckdb.connect(str(self.path))
        tune(self.con, memory_limit)
        self.con.execute(_SCHEMA)
        for kind in KINDS.values():
            cols = ", ".join(f'"{name}" {sql_type}' for name, sql_type in stored_columns(kind).items())
            self.con.execute(f"create table if not exists {rows_table(kind.name)} ({cols})")
        migrate_pseudonyms(self.con)
        note_identifier_rule(self.con)

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # files -----------------------------------------------------------------------------------
    def known_file(self, sha256: str) -> KnownFile | None:
        row = self.con.execute(
            "select sha256, name, kind, status, rows, file_date, survey_year, reference_name "
            "from files where sha256 = ?",
            [sha256],
        ).fetchone()
        return KnownFile(*row) if row else None

    def record_sighting(
        self,
        *,
        sha256: str,
        name: str,
        kind: str | None,
        file_date: date | None,
        survey_year: int | None,
        reference_name: str | None,
        size: int,
        now: datetime,
    ) -> KnownFile:
        """Remember the first sighting of these bytes (its order decides "newer" between files);
        returns what the state knows of them."""
        self.con.execute(
            """insert into files (sha256, name, kind, file_date, survey_year, reference_name, size_bytes,
                                  first_seen, first_seen_order, status)
               select ?, ?, ?, ?, ?, ?, ?, ?, nextval('sighting_seq'), 'rejected'
               where not exists (select 1 from files where sha256 = ?)""",
            [sha256, name, kind, file_date, survey_year, reference_name, size, now, sha256],
        )
        return self._known(sha256)

    def _known(self, sha256: str) -> KnownFile:
        known = self.known_file(sha256)
        if known is None:
            raise KeyError(f"no file {sha256} in the state")
        return known

    def take_name(
        self,
        sha256: str,
        *,
        name: str,
        kind: str,
        file_date: date | None,
        survey_year: int | None,
        reference_name: str | None,
    ) -> KnownFile:
        """Known bytes seen under another name take that name, and with it what the name says
        (CONTRACT section 1: the kind and date come from the file name). When the new name says
        another kind or date, the rows stored under the old one are removed and the file waits,
        not loaded, to be validated under the new one, in one transaction (a crash leaves the old
        name and rows, or the new name and no rows). Its first sighting stays: the bytes were
        first seen then. Returns what the state now knows of the file."""
        old = self._known(sha256)
        if (kind, file_date, survey_year, reference_name) == old.identity:
            self.con.execute("update files set name = ? where sha256 = ?", [name, sha256])
            return self._known(sha256)
        self.con.execute("begin transaction")
        try:
            if old.kind in KINDS:
                self.con.execute(f"delete from {rows_table(old.kind)} where file_sha256 = ?", [sha256])
            self.con.execute(
                """update files set name = ?, kind = ?, file_date = ?, survey_year = ?, reference_name = ?,
                   status = 'rejected', rows = null, loaded_at = null where sha256 = ?""",
                [name, kind, file_date, survey_year, reference_name, sha256],
            )
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        return self._known(sha256)

    def mark_rejected(
        self, sha256: str, message: str, now: datetime, *, run_id: str, validation_rows: Iterable[tuple] = ()
    ) -> None:
        """Record a rejection and its validation results, in one transaction."""
        self.con.execute("begin transaction")
        try:
            self.con.execute(
                "update files set status = 'rejected', last_checked_at = ?, last_message = ? "
                "where sha256 = ?",
                [now, message, sha256],
            )
            self.record_validation(run_id, validation_rows)
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise

    def store_rows(
        self,
        sha256: str,
        kind: Kind,
        frame: pl.DataFrame,
        now: datetime,
        *,
        run_id: str,
        validation_rows: Iterable[tuple] = (),
    ) -> int:
        """Store a validated file's rows, then mark it loaded and record its validation results in one
        transaction: until that commits the rows belong to no loaded file, so a crash leaves either
        all of the file or, in effect, none of it.

        The rows go in slice by slice, each committed, and are then checkpointed into the state
        file: DuckDB keeps the rows of an open transaction, and committed rows until a checkpoint,
        in memory (measured on a national staff file of 1.7 million rows: 0.55 GB more at the peak
        in one transaction, and 1 GB held until the next checkpoint).
        """
        columns = stored_columns(kind)
        present = [c for c in columns if c in frame.columns and c != "file_sha256"]
        selected = frame.select(present)
        table = rows_table(kind.name)
        names = ", ".join(f'"{c}"' for c in present)
        self.con.execute(f"delete from {table} where file_sha256 = ?", [sha256])
        # in slices: DuckDB converts what it is given to Arrow, and a national file whole would be
        # a second copy of its rows (about 0.4 GB for 1.5 million staff rows)
        for position, rows in enumerate(selected.iter_slices(_INSERT_SLICE_ROWS)):
            self.con.register("incoming_rows", rows)
            insert = f"insert into {table} (file_sha256, {names}) select ?, {names} from incoming_rows"
            self.con.execute(insert, [sha256])
            self.con.unregister("incoming_rows")
            if position == 0:
                checkpoint("ingest:mid-file")
        self.con.execute("begin transaction")
        try:
            self.con.execute(
                """update files set status = 'loaded', rows = ?, loaded_at = ?, last_checked_at = ?,
                   last_message = null where sha256 = ?""",
                [frame.height, now, now, sha256],
            )
            self.record_validation(run_id, validation_rows)
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("checkpoint")
        return frame.height

    def discard_unfinished_rows(self) -> int:
        """Remove the rows of files that are not loaded (left by a run that stopped while storing
        a file); returns how many. Nothing reads them: this only gives the space back."""
        discarded = 0
        for kind in KINDS.values():
            (count,) = self.con.execute(
                f"""delete from {rows_table(kind.name)} where file_sha256 not in
                    (select sha256 from files where status = 'loaded')"""
            ).fetchall()[0]
            discarded += count
        return discarded

    def employees_not_in_snapshots(self, pairs: pl.DataFrame) -> pl.Series:
        """For each row of ``pairs`` (organisation_code, employee_id), in order: True where the
        employee is given and is in no loaded staff-in-post snapshot of that organisation. The
        state's employees stay in DuckDB (a national state holds millions)."""
        numbered = pairs.select("organisation_code", "employee_id").with_row_index("row_index")
        # a cursor of its own: the store's connection may hold a result not fetched to its end
        cursor = self.con.cursor()
        try:
            cursor.register("checked_pairs", numbered)
            flags = cursor.sql(
                """select p.row_index, p.employee_id is not null and k.employee_id is null as unknown
                   from checked_pairs p left join (
                       select distinct r.organisation_code, r.employee_id from rows_staff_in_post r
                       join files f on f.sha256 = r.file_sha256 where f.status = 'loaded'
                   ) k on k.organisation_code = p.organisation_code and k.employee_id = p.employee_id
                   order by p.row_index"""
            ).pl()
        finally:
            cursor.close()
        return flags["unknown"].alias("employee_not_in_snapshot")

    def stored_identifiers(self, pseudonyms: pl.Series) -> pl.Series:
        """For each of ``pseudonyms`` (UUID text), in order: True where a stored row of any kind
        holds it as an identifier (an employee number of the staff files, say), so that a message
        about another file never quotes it. Meant for a message's few bad values."""
        numbered = pseudonyms.rename("pseudonym").to_frame().with_row_index("row_index")
        wanted = "select try_cast(pseudonym as uuid) from checked_pseudonyms"
        held = " union ".join(
            f'select "{column}" as pseudonym from {rows_table(kind.name)} where "{column}" in ({wanted})'
            for kind in KINDS.values()
            for column in kind.identifiers
        )
        cursor = self.con.cursor()  # the store's connection may hold a result not fetched to its end
        try:
            cursor.register("checked_pseudonyms", numbered)
            flags = cursor.sql(
                f"""select c.row_index, h.pseudonym is not null as held
                    from checked_pseudonyms c
                    left join ({held}) h on h.pseudonym = try_cast(c.pseudonym as uuid)
                    order by c.row_index"""
            ).pl()
        finally:
            cursor.close()
        return flags["held"].alias("stored_identifier")

    # runs ------------------------------------------------------------------------------------
    def start_run(self, run_id: str, now: datetime) -> None:
        """Record a new run; an earlier run still 'running' or 'publishing' was stopped before it
        could say how it ended (killed, the machine switched off): it is marked 'interrupted'."""
        self.con.execute("begin transaction")
        try:
            self.con.execute(
                "update runs set status = 'interrupted', message = 'stopped before it finished' "
                "where status in ('running', 'publishing')"
            )
            self.con.execute(
                "insert into runs (run_id, started_at, status) values (?, ?, 'running')", [run_id, now]
            )
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise

    def finish_run(
        self,
        run_id: str,
        *,
        now: datetime,
        status: str,
        exit_code: int,
        counts: dict[str, int],
        message: str | None = None,
    ) -> None:
        self.con.execute(
            """update runs set finished_at = ?, status = ?, exit_code = ?, files_seen = ?, files_loaded = ?,
               files_rejected = ?, files_unchanged = ?, message = ? where run_id = ?""",
            [
                now,
                status,
                exit_code,
                counts.get("seen", 0),
                counts.get("loaded", 0),
                counts.get("rejected", 0),
                counts.get("unchanged", 0),
                message,
                run_id,
            ],
        )

    def complete_run(self, run_id: str, now: datetime) -> None:
        """The run's warehouse and publication are in place: 'publishing' becomes 'completed'."""
        self.con.execute(
            "update runs set status = 'completed', finished_at = ? "
            "where run_id = ? and status = 'publishing'",
            [now, run_id],
        )

    def record_run_file(
        self,
        run_id: str,
        *,
        name: str,
        sha256: str | None,
        kind: str | None,
        outcome: str,
        rows: int | None,
        message: str | None,
    ) -> None:
        self.con.execute(
            "insert into run_files values (?, ?, ?, ?, ?, ?, ?)",
            [run_id, name, sha256, kind, outcome, rows, message],
        )

    def record_validation(self, run_id: str, rows: Iterable[tuple]) -> None:
        """Rows of (file_name, sha256, kind, check, column, severity, passed, unexpected_count,
        message, expectation, validated_at)."""
        rows = list(rows)
        if rows:
            self.con.executemany(
                "insert into validation_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, *row) for row in rows],
            )
