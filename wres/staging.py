"""Staging: the rows in force, with every field definition applied (docs/architecture.md).

The state keeps each file's typed rows as given; the rules that decide which rows are in force
("newer" files win) and what each value means (ethnic group, band, staff group, maternity scope)
are applied here, on every run, so that a change of settings applies to all data at once.
"""

from __future__ import annotations

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

# "newer" between files: the later date in the file name, then the later first sighting
_IN_FORCE = """
with loaded as (
    select r.*, f.file_date, f.survey_year, f.reference_name, f.first_seen_order
    from {table} r join files f on f.sha256 = r.file_sha256
    where f.status = 'loaded'
),
winners as (
    select {keys}, arg_max(file_sha256, first_seen_order) as winner
    from loaded group by {keys}
)
select loaded.* exclude (first_seen_order)
from loaded join winners on {join} and loaded.file_sha256 = winners.winner
"""

# events: one row per (organisation, id), from the newest file that holds it
_NEWEST_EVENT = """
with loaded as (
    select r.*, f.file_date, f.first_seen_order
    from {table} r join files f on f.sha256 = r.file_sha256
    where f.status = 'loaded'
)
select * exclude (first_seen_order, rank_in_id) from (
    select *, row_number() over (
        partition by organisation_code, {id} order by file_date desc, first_seen_order desc, source_row
    ) as rank_in_id
    from loaded
) where rank_in_id = 1
"""


def _in_force(state: duckdb.DuckDBPyConnection, kind: str, keys: list[str]) -> pl.DataFrame:
    join = " and ".join(f"loaded.{k} is not distinct from winners.{k}" for k in keys)
    sql = _IN_FORCE.format(table=f"state.main.{rows_table(kind)}", keys=", ".join(keys), join=join)
    return state.sql(sql.replace(" files ", " state.main.files ")).pl()


def _newest_events(state: duckdb.DuckDBPyConnection, kind: str, id_column: str) -> pl.DataFrame:
    sql = _NEWEST_EVENT.format(table=f"state.main.{rows_table(kind)}", id=id_column)
    return state.sql(sql.replace(" files ", " state.main.files ")).pl()


def _with_ethnicity(
    frame: pl.DataFrame, column: str, settings: Settings, survey: bool = False
) -> pl.DataFrame:
    groups = classify_series(frame[column], settings.ethnicity_aliases, survey=survey)
    return frame.with_columns(*groups.select("ethnic_group", "census_group", "unknown_reason").get_columns())


def _with_scope(
    frame: pl.DataFrame, area: str, role: str, staff_group: str, settings: Settings
) -> pl.DataFrame:
    scope = scope_frame(frame[area], frame[role], frame[staff_group], settings.maternity_terms)
    return frame.with_columns(*scope.select("in_maternity_scope", "role_group").get_columns())


def is_bank(assignment_category: pl.Expr) -> pl.Expr:
    """Bank assignments: assignment_category containing "bank", any case (left out of every indicator)."""
    return assignment_category.str.to_lowercase().str.contains("bank", literal=True).fill_null(False)


def staff_in_post(state: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    frame = _in_force(state, "staff_in_post", ["organisation_code", "file_date"])
    frame = frame.rename({"file_date": "snapshot_date"})
    groups = staff_group_series(frame["staff_group"], settings.staff_group_aliases)
    bands = band_series(frame["pay_band"], settings.band_aliases)
    frame = frame.with_columns(
        *groups.select("staff_group", "staff_group_recognised", "workforce").get_columns(),
        *bands.select("band", "band_rank", "band_recognised").get_columns(),
        is_bank(pl.col("assignment_category")).alias("is_bank"),
    )
    frame = _with_ethnicity(frame, "ethnic_origin", settings)
    frame = _with_scope(frame, "area_of_work", "job_role", "staff_group", settings)
    return frame.select(
        "organisation_code",
        "snapshot_date",
        "employee_id",
        "assignment_id",
        "assignment_order",
        "staff_group",
        "staff_group_recognised",
        "workforce",
        "job_role",
        "area_of_work",
        "pay_band",
        "band",
        "band_rank",
        "band_recognised",
        "ethnic_origin",
        "ethnic_group",
        "census_group",
        "unknown_reason",
        "assignment_category",
        "is_bank",
        "is_primary_assignment",
        "fte",
        "gender",
        "disability",
        "in_maternity_scope",
        "role_group",
        "file_sha256",
    ).sort("organisation_code", "snapshot_date", "employee_id", "assignment_order")


def recruitment(state: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    frame = _newest_events(state, "recruitment", "application_id")
    groups = staff_group_series(frame["staff_group"], settings.staff_group_aliases)
    bands = band_series(frame["pay_band"], settings.band_aliases)
    frame = frame.with_columns(
        *groups.select("staff_group", "workforce").get_columns(), *bands.select("band").get_columns()
    )
    frame = _with_ethnicity(frame, "ethnic_origin", settings)
    frame = _with_scope(frame, "area_of_work", "job_role", "staff_group", settings)
    return frame.select(
        "organisation_code",
        "application_id",
        "ethnic_origin",
        "ethnic_group",
        "census_group",
        "unknown_reason",
        "shortlisted",
        "appointed",
        "shortlisted_date",
        "international_recruit",
        "vacancy_id",
        "staff_group",
        "workforce",
        "job_role",
        "area_of_work",
        "pay_band",
        "band",
        "in_maternity_scope",
        "role_group",
        "file_date",
        "file_sha256",
    ).sort("organisation_code", "application_id")


def disciplinary(state: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    frame = _with_ethnicity(_newest_events(state, "disciplinary", "case_id"), "ethnic_origin", settings)
    return frame.select(
        "organisation_code",
        "case_id",
        "employee_id",
        "investigation_start_date",
        "ethnic_origin",
        "ethnic_group",
        "census_group",
        "unknown_reason",
        "file_date",
        "file_sha256",
    ).sort("organisation_code", "case_id")


def training(state: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    frame = _newest_events(state, "training", "record_id")
    return frame.select(
        "organisation_code",
        "record_id",
        "employee_id",
        "start_date",
        "mandatory",
        "course_name",
        "file_date",
        "file_sha256",
    ).sort("organisation_code", "record_id")


def board(state: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    frame = _in_force(state, "board", ["organisation_code", "file_date"]).rename({"file_date": "board_date"})
    frame = _with_ethnicity(frame, "ethnic_origin", settings)
    return frame.select(
        "organisation_code",
        "board_date",
        "member_id",
        "ethnic_origin",
        "ethnic_group",
        "census_group",
        "unknown_reason",
        "voting",
        "executive",
        "file_sha256",
    ).sort("organisation_code", "board_date", "member_id")


def staff_survey(state: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    frame = _in_force(state, "staff_survey", ["organisation_code", "survey_year"])
    frame = _with_ethnicity(frame, "ethnicity", settings, survey=True)
    frame = frame.with_columns(
        survey_staff_group_series(frame["occupation_group"]).alias("survey_staff_group")
    )
    frame = _with_scope(frame, "work_area", "occupation_group", "survey_staff_group", settings)
    return frame.select(
        "organisation_code",
        pl.col("survey_year").cast(pl.Int32),
        "respondent_id",
        "ethnicity",
        "ethnic_group",
        "census_group",
        "unknown_reason",
        "occupation_group",
        "work_area",
        "in_maternity_scope",
        "role_group",
        "q14a",
        "q14b",
        "q14c",
        "q15",
        "q16b",
        "file_sha256",
    ).sort("organisation_code", "survey_year", "respondent_id")


def catchment(state: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    # the newest catchment file that mentions an organisation sets its whole catchment
    frame = _in_force(state, "catchment", ["organisation_code"])
    return frame.select("organisation_code", "area_code", "weight").sort("organisation_code", "area_code")


def reference_population(state: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    from wres.reference import normalise_reference_group

    frame = _in_force(state, "reference", ["reference_name", "organisation_code"])
    frame = frame.with_columns(
        pl.col("ethnic_group").map_elements(normalise_reference_group, return_dtype=pl.String)
    )
    return frame.select(
        pl.col("reference_name").alias("reference_population"),
        "organisation_code",
        "ethnic_group",
        pl.col("population").cast(pl.Float64),
    ).sort("reference_population", "organisation_code", "ethnic_group")


def census2021(state: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    return census_reference().sort("area_code", "ethnic_group")


def loaded_kinds(state: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    """Which kinds of data each organisation has loaded: a file with a header and no rows is valid
    for the event kinds ("nothing happened") and must still count, so an empty file is listed with
    organisation_code NULL, meaning every organisation (or the settings' organisation_code)."""
    per_file = " union all ".join(
        f"select distinct file_sha256, organisation_code from state.main.{rows_table(kind)}" for kind in KINDS
    )
    frame = state.sql(
        f"""select distinct f.kind, r.organisation_code
            from state.main.files f left join ({per_file}) r on r.file_sha256 = f.sha256
            where f.status = 'loaded'"""
    ).pl()
    if settings.organisation_code:
        frame = frame.with_columns(pl.col("organisation_code").fill_null(settings.organisation_code))
    return frame.unique().sort("kind", "organisation_code", nulls_last=True)


STAGING_TABLES = {
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
