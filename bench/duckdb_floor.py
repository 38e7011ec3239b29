"""The DuckDB floor: every inbox file read once with ``read_csv``, the core counts taken in one pass.

This is the least work any implementation must do (parse every byte, group the rows), with none
of the product's validation, pseudonymisation, staging, disclosure control or publication. Its
counts, per organisation and snapshot date D (windows are (D - 12 months, D]):

- ``headcount``: distinct non-bank employees by ethnic group (white, bme, unknown);
- ``shortlisting``: applications shortlisted in the window and those appointed, by group (one row
  per application_id, the newest file's row winning);
- ``disciplinary``: distinct employees with an investigation starting in the window (all groups);
- ``training``: distinct employees with a non-mandatory record starting in the window;
- ``survey``: answers per survey year, group, question and answer code (1..5).

Example::

    counts = floor_counts(Path("inbox"))
    counts["headcount"]  # polars: organisation_code, snapshot_date, ethnic_group, headcount
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from bench.inbox_files import InboxFile, canonical_header, inbox_files, read_header

QUESTIONS = ("q14a", "q14b", "q14c", "q15", "q16b")

# NHS ethnic category (code first, label, or not-stated value) -> white / bme / unknown.
# A code is the first word when it is one or two characters (``A``, ``CA``, ``99``).
_ETHNIC_GROUP = """
case
    when {e} is null or trim({e}) = '' then 'unknown'
    when length(split_part(trim({e}), ' ', 1)) <= 2 then
        case
            when split_part(trim({e}), ' ', 1) = '99' or upper(left(trim({e}), 1)) = 'Z' then 'unknown'
            when upper(left(trim({e}), 1)) in ('A', 'B', 'C') then 'white'
            else 'bme'
        end
    when lower(trim({e})) similar to '(not stated|prefer not to say|not known|unknown).*' then 'unknown'
    when lower(trim({e})) similar to '(white|irish|gypsy|roma|english).*' then 'white'
    else 'bme'
end
"""

_DATE = "coalesce(try_strptime({c}, '%Y-%m-%d'), try_strptime({c}, '%d/%m/%Y'))::date"
_TRUE = "upper(trim({c})) in ('Y', 'YES', 'TRUE', '1')"

# answer labels -> codes, per question family
_ANSWER_CODE = """
case lower(trim({c}))
    when 'never' then '1' when '1-2' then '2' when '3-5' then '3' when '6-10' then '4'
    when 'more than 10' then '5' when 'yes' then '1' when 'no' then '2' when 'don''t know' then '3'
    else trim({c})
end::tinyint
"""


def _source(file: InboxFile) -> str:
    """``read_csv`` of the file with its columns renamed to canonical names, all text."""
    renames = ", ".join(
        f'"{header}" as {canonical_header(header)}'
        for header in read_header(file.path)
        if canonical_header(header)
    )
    path = str(file.path).replace("'", "''")
    return f"(select {renames} from read_csv('{path}', all_varchar = true, header = true))"


def _union(files: list[InboxFile], columns: str) -> str:
    parts = [
        f"select '{f.file_date}'::date as file_date, {f.survey_year or 'null'} as survey_year, {columns} "
        f"from {_source(f)}"
        for f in files
    ]
    return " union all by name ".join(parts)


def floor_counts(inbox: Path, con: duckdb.DuckDBPyConnection | None = None) -> dict[str, pl.DataFrame]:
    """The core counts of ``inbox`` (see the module docstring), each file read exactly once."""
    con = con or duckdb.connect()
    files = inbox_files(inbox)
    by_kind: dict[str, list[InboxFile]] = {}
    for file in files:
        by_kind.setdefault(file.kind, []).append(file)
    snapshots = sorted({f.file_date for f in by_kind.get("staff_in_post", [])})
    windows = " union all ".join(
        f"select '{d}'::date as snapshot_date, ('{d}'::date - interval 12 month)::date as window_start"
        for d in snapshots
    )
    group = _ETHNIC_GROUP.format(e="ethnic_origin")
    results: dict[str, pl.DataFrame] = {}

    staff = _union(
        by_kind["staff_in_post"],
        f"organisation_code, employee_id, {group} as ethnic_group, "
        "coalesce(lower(assignment_category), '') like '%bank%' as is_bank",
    )
    results["headcount"] = con.sql(
        f"""select organisation_code, file_date as snapshot_date, ethnic_group,
                   count(distinct employee_id) as headcount
            from ({staff}) where not is_bank
            group by all order by all"""
    ).pl()

    if by_kind.get("recruitment"):
        recruitment = _union(
            by_kind["recruitment"],
            f"organisation_code, application_id, {group} as ethnic_group, "
            f"{_TRUE.format(c='shortlisted')} as shortlisted, {_TRUE.format(c='appointed')} as appointed, "
            f"{_DATE.format(c='shortlisted_date')} as shortlisted_date",
        )
        results["shortlisting"] = con.sql(
            f"""with newest as (
                    select * from ({recruitment})
                    qualify row_number() over (partition by application_id order by file_date desc) = 1
                )
                select r.organisation_code, w.snapshot_date, r.ethnic_group,
                       count(*) as shortlisted, count(*) filter (where r.appointed) as appointed
                from newest as r join ({windows}) as w
                  on r.shortlisted and r.shortlisted_date > w.window_start
                 and r.shortlisted_date <= w.snapshot_date
                group by all order by all"""
        ).pl()

    for kind, id_column, date_column, keep in (
        ("disciplinary", "case_id", "investigation_start_date", "true"),
        ("training", "record_id", "start_date", f"not {_TRUE.format(c='mandatory')}"),
    ):
        if not by_kind.get(kind):
            continue
        events = _union(
            by_kind[kind],
            f"organisation_code, {id_column} as event_id, employee_id, "
            f"{_DATE.format(c=date_column)} as event_date, {keep} as counts",
        )
        results[kind] = con.sql(
            f"""with newest as (
                    select * from ({events})
                    qualify row_number() over (partition by event_id order by file_date desc) = 1
                )
                select e.organisation_code, w.snapshot_date, count(distinct e.employee_id) as employees
                from newest as e join ({windows}) as w
                  on e.counts and e.event_date > w.window_start and e.event_date <= w.snapshot_date
                group by all order by all"""
        ).pl()

    if by_kind.get("staff_survey"):
        answers = ", ".join(f"{_ANSWER_CODE.format(c=q)} as {q}" for q in QUESTIONS)
        survey = _union(
            by_kind["staff_survey"],
            f"organisation_code, {_ETHNIC_GROUP.format(e='ethnicity')} as ethnic_group, {answers}",
        )
        results["survey"] = con.sql(
            f"""select organisation_code, survey_year, ethnic_group, question, answer, count(*) as answers
                from (select * exclude (file_date) from ({survey}))
                unpivot (answer for question in ({", ".join(QUESTIONS)}))
                group by all order by all"""
        ).pl()
    return results
