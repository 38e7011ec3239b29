"""What the two comparison contenders share: which inbox file is which kind, and header names.

Deliberately independent of ``wres`` (the contenders stand for what an analyst would write without
the product): a file's kind and date come from its name, and a header is matched after lowercasing
and dropping everything but letters and digits, through a small alias table that covers the ESR
report headers the synthetic generator writes (CONTRACT section 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

_DATED = re.compile(r"^(staff_in_post|recruitment|disciplinary|training|board)_(\d{4})-(\d{2})-(\d{2})\.csv$")
_SURVEY = re.compile(r"^staff_survey_(\d{4})\.csv$")

# ESR report header (squashed) -> canonical column
HEADER_ALIASES = {
    "orgcode": "organisation_code",
    "organisationcode": "organisation_code",
    "odscode": "organisation_code",
    "employeenumber": "employee_id",
    "assignmentnumber": "assignment_id",
    "staffgroup": "staff_group",
    "jobrole": "job_role",
    "areaofwork": "area_of_work",
    "payband": "pay_band",
    "grade": "pay_band",
    "ethnicorigin": "ethnic_origin",
    "assignmentcategory": "assignment_category",
    "primary": "is_primary_assignment",
    "primaryassignment": "is_primary_assignment",
    "contractedwte": "fte",
}


@dataclass(frozen=True)
class InboxFile:
    kind: str
    path: Path
    file_date: date | None  # the date in the name (None for the survey)
    survey_year: int | None = None


def inbox_files(folder: Path) -> list[InboxFile]:
    """The CSV files of known kinds in ``folder``, sorted by kind then date (oldest first).

    >>> [f.kind for f in inbox_files(Path("/nonexistent"))]
    []
    """
    found = []
    for path in sorted(Path(folder).glob("*.csv")):
        name = path.name.lower()
        if match := _DATED.match(name):
            kind, y, m, d = match.groups()
            found.append(InboxFile(kind, path, date(int(y), int(m), int(d))))
        elif match := _SURVEY.match(name):
            year = int(match.group(1))
            found.append(InboxFile("staff_survey", path, None, year))
    return sorted(found, key=lambda f: (f.kind, f.file_date or date(f.survey_year or 1, 1, 1)))


def canonical_header(name: str) -> str:
    """The canonical column for a header: ``Org Code`` -> ``organisation_code``; canonical names pass.

    >>> canonical_header("Ethnic Origin"), canonical_header("employee_id"), canonical_header("q14a")
    ('ethnic_origin', 'employee_id', 'q14a')
    """
    squashed = re.sub(r"[^a-z0-9]", "", name.lower())
    if squashed in HEADER_ALIASES:
        return HEADER_ALIASES[squashed]
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def read_header(path: Path) -> list[str]:
    """The first line of a CSV, split on commas (the benchmark's files are plain comma CSV)."""
    with Path(path).open(encoding="utf-8-sig") as handle:
        return handle.readline().rstrip("\r\n").split(",")
