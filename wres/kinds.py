"""The file kinds the inbox accepts: their file-name patterns, columns and types (CONTRACT section 1).

One definition: the reader, the parser, the validation suites and the warehouse all take their
column lists from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["text", "code", "boolean", "date", "number", "answer"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "text"
    required: bool = False
    identifier: bool = False  # pseudonymised on ingest; never shown in messages or publications


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    id_column: str | None  # the row's id: unique within a file, dedup key across event files
    rows_required: bool  # a header with no rows is rejected
    date_in_name: Literal["date", "year", "none", "name"]
    pattern: re.Pattern[str]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def identifiers(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.identifier)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _pattern(stem: str) -> re.Pattern[str]:
    return re.compile(rf"^{stem}\.(csv|xlsx)$", re.IGNORECASE)


_DATE = r"(?P<date>\d{4}-\d{2}-\d{2})"

STAFF_IN_POST = Kind(
    "staff_in_post",
    (
        Column("organisation_code", "code", required=True),
        Column("employee_id", required=True, identifier=True),
        Column("assignment_id", required=True, identifier=True),
        Column("staff_group", required=True),
        Column("job_role", required=True),
        Column("area_of_work", required=True),
        Column("pay_band", required=True),
        Column("ethnic_origin", required=True),
        Column("assignment_category"),
        Column("is_primary_assignment", "boolean"),
        Column("fte", "number"),
        Column("gender"),
        Column("disability"),
    ),
    id_column="assignment_id",
    rows_required=True,
    date_in_name="date",
    pattern=_pattern(rf"staff_in_post_{_DATE}"),
)

RECRUITMENT = Kind(
    "recruitment",
    (
        Column("organisation_code", "code", required=True),
        Column("application_id", required=True, identifier=True),
        Column("ethnic_origin", required=True),
        Column("shortlisted", "boolean", required=True),
        Column("appointed", "boolean", required=True),
        Column("shortlisted_date", "date"),
        Column("vacancy_id"),
        Column("staff_group"),
        Column("job_role"),
        Column("area_of_work"),
        Column("pay_band"),
        Column("international_recruit", "boolean"),
    ),
    id_column="application_id",
    rows_required=False,
    date_in_name="date",
    pattern=_pattern(rf"recruitment_{_DATE}"),
)

DISCIPLINARY = Kind(
    "disciplinary",
    (
        Column("organisation_code", "code", required=True),
        Column("case_id", required=True, identifier=True),
        Column("employee_id", required=True, identifier=True),
        Column("investigation_start_date", "date", required=True),
        Column("ethnic_origin"),
    ),
    id_column="case_id",
    rows_required=False,
    date_in_name="date",
    pattern=_pattern(rf"disciplinary_{_DATE}"),
)

TRAINING = Kind(
    "training",
    (
        Column("organisation_code", "code", required=True),
        Column("record_id", required=True, identifier=True),
        Column("employee_id", required=True, identifier=True),
        Column("start_date", "date", required=True),
        Column("mandatory", "boolean", required=True),
        Column("course_name"),
    ),
    id_column="record_id",
    rows_required=False,
    date_in_name="date",
    pattern=_pattern(rf"training_{_DATE}"),
)

BOARD = Kind(
    "board",
    (
        Column("organisation_code", "code", required=True),
        Column("member_id", required=True, identifier=True),
        Column("ethnic_origin", required=True),
        Column("voting", "boolean", required=True),
        Column("executive", "boolean", required=True),
    ),
    id_column="member_id",
    rows_required=True,
    date_in_name="date",
    pattern=_pattern(rf"board_{_DATE}"),
)

SURVEY_QUESTIONS = ("q14a", "q14b", "q14c", "q15", "q16b")

STAFF_SURVEY = Kind(
    "staff_survey",
    (
        Column("organisation_code", "code", required=True),
        Column("respondent_id", required=True, identifier=True),
        Column("ethnicity", required=True),
        Column("occupation_group"),
        Column("work_area"),
        # the question columns are set per survey year (settings.survey_questions); these are
        # the 2021-2025 names, stored under their meaning in staging
        *(Column(q, "answer") for q in SURVEY_QUESTIONS),
    ),
    id_column="respondent_id",
    rows_required=False,
    date_in_name="year",
    pattern=_pattern(r"staff_survey_(?P<year>\d{4})"),
)

CATCHMENT = Kind(
    "catchment",
    (
        Column("organisation_code", "code", required=True),
        Column("area_code", required=True),
        Column("weight", "number", required=True),
    ),
    id_column=None,
    rows_required=True,
    date_in_name="none",
    pattern=_pattern("catchment"),
)

REFERENCE = Kind(
    "reference",
    (
        Column("organisation_code", "code", required=True),
        Column("ethnic_group", required=True),
        Column("population", "number", required=True),
    ),
    id_column=None,
    rows_required=True,
    date_in_name="name",
    pattern=_pattern(r"reference_(?P<name>[A-Za-z0-9][A-Za-z0-9_-]*)"),
)

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (STAFF_IN_POST, RECRUITMENT, DISCIPLINARY, TRAINING, BOARD, STAFF_SURVEY, CATCHMENT, REFERENCE)
}

# event kinds: rows deduplicated across files by their id, the newest file's row winning
EVENT_KINDS = ("recruitment", "disciplinary", "training")

# every identifier column of every kind (pseudonymised on ingest)
IDENTIFIER_COLUMNS = frozenset(name for k in KINDS.values() for name in k.identifiers)
