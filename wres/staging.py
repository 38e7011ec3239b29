"""Staging: the rows in force, with every field definition applied (docs/architecture.md).

The state keeps each file's typed rows as given; the rules that decide which rows are in force
("newer" files win) and what each value means (ethnic group, band, staff group, maternity scope)
are applied here, on every run, so that a change of settings applies to all data at once.

The row data never leaves DuckDB: each field definition (``wres.ethnicity``, ``wres.bands``,
``wres.staff_groups``, ``wres.maternity``) runs in Python on the DISTINCT values of its columns
only (a few hundred labels, however many rows), and the results go back as small lookup tables
that a single SQL statement joins to the rows in force. A national state (millions of rows) is
staged within DuckDB's memory limit, spilling to disk when it must.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import polars as pl

from wres.bands import band_series
from wres.config import Settings
from wres.ethnicity import classify_series
from wres.kinds import KINDS
from wres.maternity import scope_frame, survey_staff_group_series
from wres.reference import census_reference
from wres.staff_groups import staff_group_series
from wres.state import rows_table

# A file's rows with the file's date, year, reference name and first sighting. Each statement below
# reads it twice, written out each time: a CTE read twice is materialised, every column of every
# row (that copy was a third of the staging time at national scale).
_LOADED = """
    select r.*, f.file_date, f.survey_year, f.reference_name, f.first_seen_order
    from {table} r join state.main.files f on f.sha256 = r.file_sha256
    where f.status = 'loaded'
"""

# "newer" between files: the later date in the file name, then the later first sighting. The
# winner of each key is found among the (key, file) pairs, a few per file.
_IN_FORCE = """
with winners as (
    select {keys}, arg_max(file_sha256, first_seen_order) as winner
    from (select distinct {keys}, file_sha256, first_seen_order from ({loaded}))
    group by {keys}
)
select loaded.* exclude (first_seen_order)
from ({loaded}) loaded join winners on {join} and loaded.file_sha256 = winners.winner
"""

# events: one row per id, from the newest file that holds it (CONTRACT: "deduplicated across files
# by their id"; an id is unique across organisations, as within a file, so a newer file that gives
# an event another organisation moves it). Only the ids found more than once are ranked (an extract
# holds most ids once); the rows that lose are left out.
_NEWEST_EVENT = """
with repeated as (
    select {id} from ({loaded}) group by all having count(*) > 1
),
losers as (
    select file_sha256, source_row from (
        select l.file_sha256, l.source_row, row_number() over (
            partition by l.{id}
            order by l.file_date desc, l.first_seen_order desc, l.source_row
        ) as rank_in_id
        from ({loaded}) l semi join repeated on repeated.{id} is not distinct from l.{id}
    ) where rank_in_id > 1
)
select loaded.* exclude (first_seen_order)
from ({loaded}) loaded anti join losers
    on losers.file_sha256 = loaded.file_sha256 and losers.source_row = loaded.source_row
"""


@dataclass(frozen=True)
class StagingQuery:
    """One staging table as a SQL ``select`` over the attached state, plus the small lookup
    frames it joins (registered under their names while the statement runs)."""

    sql: str
    lookups: dict[str, pl.DataFrame] = field(default_factory=dict)


def _in_force_sql(kind: str, keys: list[str]) -> str:
    join = " and ".join(f"loaded.{k} is not distinct from winners.{k}" for k in keys)
    loaded = _LOADED.format(table=f"state.main.{rows_table(kind)}")
    return _IN_FORCE.format(loaded=loaded, keys=", ".join(keys), join=join)


def _newest_events_sql(kind: str, id_column: str) -> str:
    return _NEWEST_EVENT.format(loaded=_LOADED.format(table=f"state.main.{rows_table(kind)}"), id=id_column)


def _in_force(state: duckdb.DuckDBPyConnection, kind: str, keys: list[str]) -> pl.DataFrame:
    return state.sql(_in_force_sql(kind, keys)).pl()


def _distinct(state: duckdb.DuckDBPyConnection, kind: str, columns: list[str]) -> pl.DataFrame:
    """The distinct values (tuples) of ``columns`` over every stored row of ``kind``, null included:
    a superset of the rows in force, which is all a lookup needs."""
    names = ", ".join(f'"{c}"' for c in columns)
    return state.sql(f"select distinct {names} from state.main.{rows_table(kind)}").pl()


def _matches(lookup: str, pairs: dict[str, str]) -> str:
    """The join condition of ``lookup`` (alias) to the rows ``r``: lookup column -> row column, null
    matching null (a blank value has its own definition, e.g. ethnicity not known)."""
    return " and ".join(f"{lookup}.{key} is not distinct from r.{column}" for key, column in pairs.items())


def ethnicity_lookup(
    state: duckdb.DuckDBPyConnection, kind: str, column: str, settings: Settings, survey: bool = False
) -> pl.DataFrame:
    """``value`` -> ethnic_group, census_group, unknown_reason (``wres.ethnicity``) for every
    distinct value of ``column``."""
    values = _distinct(state, kind, [column])[column].alias("value")
    groups = classify_series(values, settings.ethnicity_aliases, survey=survey)
    return pl.DataFrame([values, *groups.select("ethnic_group", "census_group", "unknown_reason")])


def staff_group_lookup(state: duckdb.DuckDBPyConnection, kind: str, settings: Settings) -> pl.DataFrame:
    """``value`` (staff_group as stored) -> staff_group, staff_group_recognised, workforce."""
    values = _distinct(state, kind, ["staff_group"])["staff_group"].alias("value")
    groups = staff_group_series(values, settings.staff_group_aliases)
    return pl.DataFrame([values, *groups.select("staff_group", "staff_group_recognised", "workforce")])


def band_lookup(state: duckdb.DuckDBPyConnection, kind: str, settings: Settings) -> pl.DataFrame:
    """``value`` (pay_band as given) -> band, band_rank, band_recognised."""
    values = _distinct(state, kind, ["pay_band"])["pay_band"].alias("value")
    bands = band_series(values, settings.band_aliases)
    return pl.DataFrame([values, *bands.select("band", "band_rank", "band_recognised")])


def scope_lookup(state: duckdb.DuckDBPyConnection, kind: str, settings: Settings) -> pl.DataFrame:
    """(area, role, staff_group as stored) -> in_maternity_scope, role_group, where the staff group the
    scope reads is the canonical one (``wres.staff_groups``), or for the survey the one
    ``survey_staff_group`` gives its occupation group."""
    if kind == "staff_survey":
        keys = _distinct(state, kind, ["work_area", "occupation_group"])
        keys = keys.select(
            pl.col("work_area").alias("area"),
            pl.col("occupation_group").alias("role"),
            pl.lit(None, dtype=pl.String).alias("staff_group"),
        )
        groups = survey_staff_group_series(keys["role"])
    else:
        keys = _distinct(state, kind, ["area_of_work", "job_role", "staff_group"])
        keys = keys.rename({"area_of_work": "area", "job_role": "role"})
        groups = staff_group_series(keys["staff_group"], settings.staff_group_aliases)["staff_group"]
    scope = scope_frame(keys["area"], keys["role"], groups, settings.maternity_terms)
    return pl.DataFrame([*keys, *scope.select("in_maternity_scope", "role_group")])


def is_bank(assignment_category: pl.Expr) -> pl.Expr:
    """Bank assignments: assignment_category containing "bank", any case (left out of every indicator)."""
    return assignment_category.str.to_lowercase().str.contains("bank", literal=True).fill_null(False)


def bank_lookup(state: duckdb.DuckDBPyConnection, kind: str) -> pl.DataFrame:
    """``value`` (assignment_category) -> is_bank."""
    values = _distinct(state, kind, ["assignment_category"])
    return values.select(
        pl.col("assignment_category").alias("value"), is_bank(pl.col("assignment_category")).alias("is_bank")
    )


def _select(source: str, columns: list[str], joins: list[str]) -> str:
    """The staging statement. Its rows are not sorted: a national staging table holds millions of
    rows keyed by pseudonyms, and sorting them was a third of the staging time; an
    analyst sorts what they query."""
    return f"with r as ({source})\nselect {', '.join(columns)}\nfrom r\n" + "\n".join(joins)


_ETHNICITY_COLUMNS = ["eth.ethnic_group", "eth.census_group", "eth.unknown_reason"]


def staff_in_post(state: duckdb.DuckDBPyConnection, settings: Settings) -> StagingQuery:
    kind = "staff_in_post"
    sql = _select(
        _in_force_sql(kind, ["organisation_code", "file_date"]),
        [
            "r.organisation_code",
            "r.file_date as snapshot_date",
            "r.employee_id",
            "r.assignment_id",
            "r.assignment_order",
            "sg.staff_group",
            "sg.staff_group_recognised",
            "sg.workforce",
            "r.job_role",
            "r.area_of_work",
            "r.pay_band",
            "b.band",
            "b.band_rank",
            "b.band_recognised",
            "r.ethnic_origin",
            *_ETHNICITY_COLUMNS,
            "r.assignment_category",
            "bank.is_bank",
            "r.is_primary_assignment",
            "r.fte",
            "r.gender",
            "r.disability",
            "sc.in_maternity_scope",
            "sc.role_group",
            "r.file_sha256",
        ],
        [
            "left join lookup_staff_group sg on " + _matches("sg", {"value": "staff_group"}),
            "left join lookup_band b on " + _matches("b", {"value": "pay_band"}),
            "left join lookup_ethnicity eth on " + _matches("eth", {"value": "ethnic_origin"}),
            "left join lookup_bank bank on " + _matches("bank", {"value": "assignment_category"}),
            "left join lookup_scope sc on "
            + _matches("sc", {"area": "area_of_work", "role": "job_role", "staff_group": "staff_group"}),
        ],
    )
    return StagingQuery(
        sql,
        {
            "lookup_staff_group": staff_group_lookup(state, kind, settings),
            "lookup_band": band_lookup(state, kind, settings),
            "lookup_ethnicity": ethnicity_lookup(state, kind, "ethnic_origin", settings),
            "lookup_bank": bank_lookup(state, kind),
            "lookup_scope": scope_lookup(state, kind, settings),
        },
    )


def recruitment(state: duckdb.DuckDBPyConnection, settings: Settings) -> StagingQuery:
    kind = "recruitment"
    sql = _select(
        _newest_events_sql(kind, "application_id"),
        [
            "r.organisation_code",
            "r.application_id",
            "r.ethnic_origin",
            *_ETHNICITY_COLUMNS,
            "r.shortlisted",
            "r.appointed",
            "r.shortlisted_date",
            "r.international_recruit",
            "r.vacancy_id",
            "sg.staff_group",
            "sg.staff_group_recognised",
            "sg.workforce",
            "r.job_role",
            "r.area_of_work",
            "r.pay_band",
            "b.band",
            "b.band_recognised",
            "sc.in_maternity_scope",
            "sc.role_group",
            "r.file_date",
            "r.file_sha256",
        ],
        [
            "left join lookup_staff_group sg on " + _matches("sg", {"value": "staff_group"}),
            "left join lookup_band b on " + _matches("b", {"value": "pay_band"}),
            "left join lookup_ethnicity eth on " + _matches("eth", {"value": "ethnic_origin"}),
            "left join lookup_scope sc on "
            + _matches("sc", {"area": "area_of_work", "role": "job_role", "staff_group": "staff_group"}),
        ],
    )
    return StagingQuery(
        sql,
        {
            "lookup_staff_group": staff_group_lookup(state, kind, settings),
            "lookup_band": band_lookup(state, kind, settings),
            "lookup_ethnicity": ethnicity_lookup(state, kind, "ethnic_origin", settings),
            "lookup_scope": scope_lookup(state, kind, settings),
        },
    )


def disciplinary(state: duckdb.DuckDBPyConnection, settings: Settings) -> StagingQuery:
    kind = "disciplinary"
    sql = _select(
        _newest_events_sql(kind, "case_id"),
        [
            "r.organisation_code",
            "r.case_id",
            "r.employee_id",
            "r.investigation_start_date",
            "r.ethnic_origin",
            *_ETHNICITY_COLUMNS,
            "r.file_date",
            "r.file_sha256",
        ],
        ["left join lookup_ethnicity eth on " + _matches("eth", {"value": "ethnic_origin"})],
    )
    return StagingQuery(sql, {"lookup_ethnicity": ethnicity_lookup(state, kind, "ethnic_origin", settings)})


def training(state: duckdb.DuckDBPyConnection, settings: Settings) -> StagingQuery:
    sql = _select(
        _newest_events_sql("training", "record_id"),
        [
            "r.organisation_code",
            "r.record_id",
            "r.employee_id",
            "r.start_date",
            "r.mandatory",
            "r.course_name",
            "r.file_date",
            "r.file_sha256",
        ],
        [],
    )
    return StagingQuery(sql)


def board(state: duckdb.DuckDBPyConnection, settings: Settings) -> StagingQuery:
    kind = "board"
    sql = _select(
        _in_force_sql(kind, ["organisation_code", "file_date"]),
        [
            "r.organisation_code",
            "r.file_date as board_date",
            "r.member_id",
            "r.ethnic_origin",
            *_ETHNICITY_COLUMNS,
            "r.voting",
            "r.executive",
            "r.file_sha256",
        ],
        ["left join lookup_ethnicity eth on " + _matches("eth", {"value": "ethnic_origin"})],
    )
    return StagingQuery(sql, {"lookup_ethnicity": ethnicity_lookup(state, kind, "ethnic_origin", settings)})


def staff_survey(state: duckdb.DuckDBPyConnection, settings: Settings) -> StagingQuery:
    kind = "staff_survey"
    sql = _select(
        _in_force_sql(kind, ["organisation_code", "survey_year"]),
        [
            "r.organisation_code",
            "cast(r.survey_year as integer) as survey_year",
            "r.respondent_id",
            "r.ethnicity",
            *_ETHNICITY_COLUMNS,
            "r.occupation_group",
            "r.work_area",
            "sc.in_maternity_scope",
            "sc.role_group",
            "r.q14a",
            "r.q14b",
            "r.q14c",
            "r.q15",
            "r.q16b",
            "r.file_sha256",
        ],
        [
            "left join lookup_ethnicity eth on " + _matches("eth", {"value": "ethnicity"}),
            "left join lookup_scope sc on "
            + _matches("sc", {"area": "work_area", "role": "occupation_group"}),
        ],
    )
    return StagingQuery(
        sql,
        {
            "lookup_ethnicity": ethnicity_lookup(state, kind, "ethnicity", settings, survey=True),
            "lookup_scope": scope_lookup(state, kind, settings),
        },
    )


def _from_frame(frame: pl.DataFrame) -> StagingQuery:
    """A small table built in polars (a few thousand rows at most)."""
    return StagingQuery("select * from frame_to_store", {"frame_to_store": frame})


def catchment(state: duckdb.DuckDBPyConnection, settings: Settings) -> StagingQuery:
    # the newest catchment file that mentions an organisation sets its whole catchment
    frame = _in_force(state, "catchment", ["organisation_code"])
    return _from_frame(
        frame.select("organisation_code", "area_code", "weight").sort("organisation_code", "area_code")
    )


def reference_population(state: duckdb.DuckDBPyConnection, settings: Settings) -> StagingQuery:
    from wres.reference import normalise_reference_group

    frame = _in_force(state, "reference", ["reference_name", "organisation_code"])
    frame = frame.with_columns(
        pl.col("ethnic_group").map_elements(normalise_reference_group, return_dtype=pl.String)
    )
    return _from_frame(
        frame.select(
            pl.col("reference_name").alias("reference_population"),
            "organisation_code",
            "ethnic_group",
            pl.col("population").cast(pl.Float64),
        ).sort("reference_population", "organisation_code", "ethnic_group")
    )


def census2021(state: duckdb.DuckDBPyConnection, settings: Settings) -> StagingQuery:
    return _from_frame(census_reference().sort("area_code", "ethnic_group"))


def loaded_kinds(state: duckdb.DuckDBPyConnection, settings: Settings) -> StagingQuery:
    """Which kinds of data (and which survey years) each organisation has loaded: a file with a
    header and no rows is valid for the event kinds and the survey ("nothing happened") and must
    still count, so an empty file is listed with organisation_code NULL, meaning every organisation
    (or the settings' organisation_code)."""
    per_file = " union all ".join(
        f"select distinct file_sha256, organisation_code from state.main.{rows_table(kind)}" for kind in KINDS
    )
    frame = state.sql(
        f"""select distinct f.kind, f.survey_year, r.organisation_code
            from state.main.files f left join ({per_file}) r on r.file_sha256 = f.sha256
            where f.status = 'loaded'"""
    ).pl()
    if settings.organisation_code:
        frame = frame.with_columns(pl.col("organisation_code").fill_null(settings.organisation_code))
    return _from_frame(frame.unique().sort("kind", "survey_year", "organisation_code", nulls_last=True))


STAGING_TABLES: dict[str, Callable[[duckdb.DuckDBPyConnection, Settings], StagingQuery]] = {
    "staff_in_post": staff_in_post,
    "recruitment": recruitment,
    "disciplinary": disciplinary,
    "training": training,
    "board": board,
    "staff_survey": staff_survey,
    "catchment": catchment,
    "reference_population": reference_population,
    "census2021": census2021,
    "loaded_kinds": loaded_kinds,
}


def create_staging_table(
    con: duckdb.DuckDBPyConnection, name: str, settings: Settings, target: str | None = None
) -> None:
    """Create ``target`` (default ``staging.<name>``) from the state attached as ``state``."""
    query = STAGING_TABLES[name](con, settings)
    for lookup, frame in query.lookups.items():
        con.register(lookup, frame)
    try:
        con.execute(f"create table {target or 'staging.' + name} as {query.sql}")
    finally:
        for lookup in query.lookups:
            con.unregister(lookup)
