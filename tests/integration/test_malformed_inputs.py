"""Issue 4's proof: a catalogue of malformed inputs, each run through the real ``wres run``.

One small, good base inbox is run once (the baseline). The rejected files are then dropped
together beside a copy of the base inbox and run once: every one of them must be rejected with a
message that names the file, the column and the bad values, and the run must leave ``staging``,
``marts`` and the published data exactly as the baseline left them. The warnings are dropped
together in a second run: every one of them loads, and its warning is in the output and in
``ops``. Every identifier in every file starts ``ZQ`` followed by a kind letter and digits, so one
regular expression finds any that leaks into the output, ``ops`` or the publication.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.conftest import run_wres
from tests.integration.test_weekly_flow import snapshot_of, table_digest

pytestmark = pytest.mark.integration

# every identifier planted in these files: ZQ, a letter for its kind, digits
PLANTED_ID = re.compile(r"ZQ[EAPCMRS]\d{3,4}")

STAFF_HEADER = (
    "organisation_code,employee_id,assignment_id,staff_group,job_role,area_of_work,pay_band,"
    "ethnic_origin,assignment_category,is_primary_assignment,fte\n"
)


def staff_row(
    n: int,
    *,
    ethnic: str = "A",
    band: str = "Band 5",
    fte: str = "1",
    role: str = "Staff Nurse",
    area: str = "Ward 1",
    group: str = "Nursing and Midwifery Registered",
) -> str:
    return f"RXX,ZQE{n:04d},ZQA{n:04d}-1,{group},{role},{area},{band},{ethnic},Permanent,Y,{fte}\n"


# ten people, every ethnicity known (so no file of the base warns about unknown ethnicity)
BASE_ETHNICITY = ["A", "N", "H", "A", "C", "M", "A", "L", "A", "B"]
BASE_BANDS = [
    "Band 6",
    "Band 5",
    "Band 3",
    "Band 5",
    "Band 7",
    "Band 5",
    "Band 6",
    "Band 5",
    "Band 4",
    "Band 8a",
]


def staff_file(count: int = 10, **per_row: dict[int, str]) -> str:
    """A staff file of people 1..count; ``per_row`` = {field: {person: value}} overrides."""
    rows = []
    for n in range(1, count + 1):
        fields = {"ethnic": BASE_ETHNICITY[(n - 1) % 10], "band": BASE_BANDS[(n - 1) % 10]}
        if n <= 2:
            fields.update(role="Midwife", area="Maternity Services")
        for name, values in per_row.items():
            if n in values:
                fields[name] = values[n]
        rows.append(staff_row(n, **fields))
    return STAFF_HEADER + "".join(rows)


RECRUITMENT_HEADER = "organisation_code,application_id,ethnic_origin,shortlisted,appointed,shortlisted_date\n"
BASE_RECRUITMENT = RECRUITMENT_HEADER + (
    "RXX,ZQP0001,A,Y,Y,2024-05-01\n"
    "RXX,ZQP0002,N,Y,N,01/06/2024\n"
    "RXX,ZQP0003,A,Yes,No,2024-07-01\n"
    "RXX,ZQP0004,H,Y,Y,2024-08-01\n"
    "RXX,ZQP0005,A,no,no,\n"
)
BOARD_HEADER = "organisation_code,member_id,ethnic_origin,voting,executive\n"
BASE_BOARD = BOARD_HEADER + "RXX,ZQM0001,A,Y,Y\nRXX,ZQM0002,H,Y,N\nRXX,ZQM0003,A,N,Y\n"
DISCIPLINARY_HEADER = "organisation_code,case_id,employee_id,investigation_start_date,ethnic_origin\n"
BASE_DISCIPLINARY = (
    DISCIPLINARY_HEADER + "RXX,ZQC0001,ZQE0002,2024-10-01,N\nRXX,ZQC0002,ZQE0003,2024-11-15,H\n"
)
TRAINING_HEADER = "organisation_code,record_id,employee_id,start_date,mandatory,course_name\n"
SURVEY_HEADER = "organisation_code,respondent_id,ethnicity,q14a,q14b,q14c,q15,q16b\n"

BASE_FILES: dict[str, bytes] = {
    "staff_in_post_2025-03-31.csv": staff_file().encode(),
    "recruitment_2025-03-31.csv": BASE_RECRUITMENT.encode(),
    "board_2025-03-31.csv": BASE_BOARD.encode(),
    "disciplinary_2025-03-31.csv": BASE_DISCIPLINARY.encode(),
}


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_inbox(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return folder


@dataclass(frozen=True)
class Case:
    """One malformed file and what the run must say about it."""

    id: str
    name: str
    content: bytes
    check: str  # the failed check in ops.validation_results
    column: str | None  # its column (None: the file as a whole)
    words: tuple[str, ...]  # each must be in the file's message, in the output and in ops


def _garbage() -> bytes:
    data = bytearray(random.Random(4).randbytes(2048))
    data[10] = 0  # a NUL byte for sure: no text file holds one
    return bytes(data)


REJECTED = [
    Case("empty-file", "staff_in_post_2025-01-01.csv", b"", "empty_file", None, ("is empty",)),
    Case(
        "header-only-staff",
        "staff_in_post_2025-01-02.csv",
        STAFF_HEADER.encode(),
        "no_rows",
        None,
        ("has a header but no rows", "staff_in_post file must list its people"),
    ),
    Case("binary-garbage", "board_2025-01-03.csv", _garbage(), "binary_file", None, ("not a text file",)),
    Case(
        "tab-delimiter",
        "recruitment_2025-01-04.csv",
        BASE_RECRUITMENT.replace(",", "\t").encode(),
        "delimiter",
        None,
        ("separated by tabs", "commas or semicolons"),
    ),
    Case(
        "missing-required-column",
        "staff_in_post_2025-01-05.csv",
        "\n".join(
            ",".join(line.split(",")[:7] + line.split(",")[8:]) for line in staff_file(3).splitlines()
        ).encode(),
        "required_columns",
        "ethnic_origin",
        ("lacks ethnic_origin", "[aliases.headers]", '"Their Header" = "ethnic_origin"'),
    ),
    Case(
        "duplicated-header",
        "board_2025-01-06.csv",
        b"organisation_code,member_id,ethnic_origin,voting,executive,voting\nRXX,ZQM0101,A,Y,Y,N\n",
        "duplicated_header",
        "voting",
        ('the header "voting" appears 2 times (columns 4 and 6)',),
    ),
    Case(
        "unknown-ethnic-code",
        "staff_in_post_2025-01-07.csv",
        staff_file(5, ethnic={2: "X9", 4: "X9"}).encode(),
        "unknown_ethnic_code",
        "ethnic_origin",
        ('"X9" (2 rows)', "rows 3, 5", '[aliases.ethnicity] "X9" = "CODE"'),
    ),
    Case(
        "unparseable-date",
        "recruitment_2025-01-08.csv",
        (
            RECRUITMENT_HEADER
            + "RXX,ZQP0101,A,Y,Y,soon\nRXX,ZQP0102,N,Y,N,31/13/2024\nRXX,ZQP0103,A,Y,N,soon\n"
            + "RXX,ZQP0104,A,Y,N,2024-06-01\n"
        ).encode(),
        "unparseable_value",
        "shortlisted_date",
        ("YYYY-MM-DD or DD/MM/YYYY", 'on 3 rows: "soon" (2 rows), "31/13/2024" (1 row); rows 2, 3, 4'),
    ),
    Case(
        "future-date",
        "disciplinary_2025-01-09.csv",
        (
            DISCIPLINARY_HEADER + "RXX,ZQC0101,ZQE0001,2024-12-01,A\nRXX,ZQC0102,ZQE0002,2025-02-01,N\n"
        ).encode(),
        "date_in_future",
        "investigation_start_date",
        ("after the file's date 2025-01-09", '"2025-02-01" (1 row); row 3'),
    ),
    Case(
        "date-before-1950",
        "training_2025-01-10.csv",
        (
            TRAINING_HEADER + "RXX,ZQR0101,ZQE0001,1900-01-01,N,CPD\nRXX,ZQR0102,ZQE0002,2024-09-01,N,CPD\n"
        ).encode(),
        "date_before_1950",
        "start_date",
        ("dates before 1950-01-01", '"1900-01-01" (1 row); row 2'),
    ),
    Case(
        "negative-fte",
        "staff_in_post_2025-01-11.csv",
        staff_file(4, fte={3: "-0.5"}).encode(),
        "fte_out_of_range",
        "fte",
        ("values outside 0 to 1.5", '"-0.5" (1 row); row 4'),
    ),
    Case(
        "fte-of-2",
        "staff_in_post_2025-01-12.csv",
        staff_file(4, fte={1: "2"}).encode(),
        "fte_out_of_range",
        "fte",
        ("values outside 0 to 1.5", '"2" (1 row); row 2'),
    ),
    Case(
        "duplicate-ids",
        "recruitment_2025-01-13.csv",
        (
            RECRUITMENT_HEADER + "RXX,ZQP0201,A,Y,Y,2024-06-01\nRXX,ZQP0202,N,Y,N,2024-06-01\n"
            "RXX,ZQP0201,A,Y,N,2024-06-02\n"
        ).encode(),
        "duplicate_id",
        "application_id",
        ("1 repeated value on 2 rows (rows 2, 4)", "identifier values are not shown"),
    ),
    Case(
        "appointed-without-shortlisted",
        "recruitment_2025-01-14.csv",
        (RECRUITMENT_HEADER + "RXX,ZQP0301,A,Y,Y,2024-06-01\nRXX,ZQP0302,N,N,Y,\n").encode(),
        "appointed_without_shortlisted",
        "appointed",
        ("appointed but not shortlisted on 1 row (row 3)",),
    ),
    Case(
        "shortlisted-without-date",
        "recruitment_2025-01-15.csv",
        (RECRUITMENT_HEADER + "RXX,ZQP0401,A,Y,N,\nRXX,ZQP0402,N,Y,N,2024-06-01\n").encode(),
        "shortlisted_date_missing",
        "shortlisted_date",
        ("blank on 1 row where shortlisted is true (row 2)",),
    ),
    Case(
        "survey-answer-7",
        "staff_survey_2024.csv",
        (SURVEY_HEADER + "RXX,ZQS0001,White,1,1,1,1,2\nRXX,ZQS0002,Asian,7,1,1,2,1\n").encode(),
        "unknown_survey_answer",
        "q14a",
        ('"7" (1 row); row 3', "1 never; 2 1-2; 3 3-5; 4 6-10; 5 more than 10"),
    ),
    Case(
        "xlsx-without-rows",
        "staff_in_post_2025-01-16.xlsx",
        xlsx_bytes([STAFF_HEADER.strip().split(",")]),
        "no_rows",
        None,
        ("has a header but no rows",),
    ),
    Case(
        "corrupt-xlsx-random-bytes",
        "board_2025-01-17.xlsx",
        random.Random(17).randbytes(3000),
        "corrupt_xlsx",
        None,
        ("is named .xlsx but is not an Excel workbook",),
    ),
    Case(
        "corrupt-xlsx-broken-zip",
        "board_2025-01-18.xlsx",
        b"PK\x03\x04" + random.Random(18).randbytes(3000),
        "corrupt_xlsx",
        None,
        ("is not a readable Excel workbook",),
    ),
    Case(
        "unclosed-quote",
        "staff_in_post_2025-01-19.csv",
        staff_file(4, role={3: '"Staff Nurse'}).encode(),
        "unclosed_quote",
        None,
        ("line 4 opens a quoted value",),
    ),
    Case(
        "mixed-encodings",
        "staff_in_post_2025-01-20.csv",
        # a valid UTF-8 "é" on line 2 and a lone Windows-1252 0xE9 byte on line 5
        staff_file(4, area={1: "Caf\u00e9", 4: "Caf#E9"}).encode().replace(b"#E9", b"\xe9"),
        "encoding",
        None,
        ("mixes two text encodings", "the first on line 5"),
    ),
    Case(
        "blank-required-identifier",
        "staff_in_post_2025-01-21.csv",
        staff_file(3).replace("RXX,ZQE0002,", "RXX,,").encode(),
        "missing_value",
        "employee_id",
        ("blank on 1 row (row 3)", "required on every row"),
    ),
    Case(
        "unparseable-boolean",
        "board_2025-01-22.csv",
        (BOARD_HEADER + "RXX,ZQM0201,A,maybe,Y\nRXX,ZQM0202,N,Y,N\n").encode(),
        "unparseable_value",
        "voting",
        ('"maybe" (1 row); row 2', "Y/N, Yes/No, True/False or 1/0"),
    ),
    Case(
        "ragged-rows",
        "board_2025-01-23.csv",
        (BOARD_HEADER + "RXX,ZQM0301,A,Y,Y\nRXX,ZQM0302,White, British,Y,N\n").encode(),
        "ragged_rows",
        None,
        ("1 row(s) hold more values than the header", "line(s) 3"),
    ),
    Case(
        "utf16-text",
        "board_2025-01-24.csv",
        BASE_BOARD.encode("utf-16"),
        "binary_file",
        None,
        ("UTF-16",),
    ),
    Case(
        "catchment-unknown-area",
        "catchment.csv",
        b"organisation_code,area_code,weight\nRXX,E08000025,0.6\nRXX,E99999999,0.4\n",
        "unknown_catchment_area",
        "area_code",
        ('"E99999999" (1 row); row 3',),
    ),
]

IMPOSSIBLE_NAME = "staff_in_post_2025-02-30.csv"

LONG_ROLE = "LongRole" * 125_000  # 1,000,000 characters of job_role
FORMULA_ROLE = '=HYPERLINK("http://x","y")'


def _csv_quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# a text that a spreadsheet would run, as an organisation code: it reaches the published cells
FORMULA_ORGANISATION = "@SUM(1+1)"
FORMULA_ORGANISATION_ROWS = (
    staff_file(3)
    .removeprefix(STAFF_HEADER)
    .replace("RXX,", FORMULA_ORGANISATION + ",")
    .replace("ZQE000", "ZQE050")
    .replace("ZQA000", "ZQA050")
)

# one file can carry several independent warnings; each case names its own check
UNKNOWNS_FILE = "staff_in_post_2025-04-30.csv"  # RXX's 10 people (3 unknown ethnicity, 2 unknown
# bands) and 3 people of a second organisation whose code is a formula: 3 of 13 unknown
SHRUNK_FILE = "staff_in_post_2025-06-30.csv"  # 2 people after 10: a fifth of the size
MISNAMED_FILE = "Staff in post 31-03-2025.csv"
WARNING_FILES: dict[str, bytes] = {
    UNKNOWNS_FILE: (
        staff_file(ethnic={3: "Z", 5: "", 7: "99"}, band={2: "Band 99", 4: "Band 99"})
        + FORMULA_ORGANISATION_ROWS
    ).encode(),
    SHRUNK_FILE: staff_file(2, role={1: LONG_ROLE, 2: _csv_quoted(FORMULA_ROLE)}).encode(),
    "disciplinary_2025-06-30.csv": (
        DISCIPLINARY_HEADER
        + "RXX,ZQC0901,ZQE0901,2025-05-01,A\nRXX,ZQC0902,ZQE0902,2025-05-02,N\nRXX,ZQC0903,ZQE0001,2025-05-03,A\n"
    ).encode(),
    "recruitment_2025-06-30.csv": RECRUITMENT_HEADER.encode(),  # nothing happened: accepted
    "payroll_2025-03-31.csv": b"organisation_code,employee_id,pay\nRXX,ZQE0001,100\n",  # unknown kind
    MISNAMED_FILE: staff_file(3).encode(),  # a staff file with a UK date in its name: left alone
    "BOARD_2025-03-31.CSV": BASE_BOARD.encode(),  # the base board's bytes under another name
}

# a rejected file, corrected later (same name, new bytes) or made valid by an alias in the settings
CORRECTION_NAME = "staff_in_post_2025-04-30.csv"
BAD_BYTES = staff_file(ethnic={2: "X9", 4: "X9"}).encode()
CORRECTED_BYTES = staff_file(ethnic={2: "A", 4: "A"}).encode()
ALIAS_SETTINGS = '[aliases.ethnicity]\n"X9" = "A"\n'

WARNINGS = [
    Case(
        "unknown-ethnicity-above-10-percent",
        UNKNOWNS_FILE,
        b"",
        "unknown_ethnicity_share",
        "ethnic_origin",
        ("not stated or not known on 23.1% of rows (3 of 13", "above 10%"),
    ),
    Case(
        "unknown-band",
        UNKNOWNS_FILE,
        b"",
        "unrecognised_band",
        "pay_band",
        ('"Band 99" (2 rows); rows 3, 5', "The rows load", '[aliases.band] "Band 99" = "BAND"'),
    ),
    Case(
        "staff-count-a-fifth",
        SHRUNK_FILE,
        b"",
        "staff_count_change",
        "employee_id",
        ("changed by more than 20%", "RXX 2 employees, 10 in its previous snapshot (-80%)"),
    ),
    Case(
        "disciplinary-employees-in-no-snapshot",
        "disciplinary_2025-06-30.csv",
        b"",
        "employee_not_in_snapshot",
        "employee_id",
        (
            "2 employees found in no loaded staff-in-post snapshot",
            "rows 2, 3",
            "identifier values are not shown",
        ),
    ),
]


# --------------------------------------------------------------------------------------------
# running


@dataclass
class Run:
    work: Path
    inbox: Path
    before: dict[str, tuple[str, int]]
    after: dict[str, tuple[str, int]]
    returncode: int
    output: str
    warehouse: Path  # a copy taken right after the run (later runs in the same folder replace it)

    @property
    def out(self) -> Path:
        return self.work / "data" / "outputs"

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


def run_inbox(work: Path, files: dict[str, bytes], prefect_api: str, *args: str) -> Run:
    write_inbox(work / "inbox", files)
    return rerun(work, prefect_api, *args)


def rerun(work: Path, prefect_api: str, *args: str) -> Run:
    inbox = work / "inbox"
    before = snapshot_of(inbox)
    result = run_wres(["run", "--inbox", str(inbox), *args], cwd=work, prefect_api=prefect_api)
    after = snapshot_of(inbox)
    copies = work / "warehouse-after-each-run"
    copies.mkdir(exist_ok=True)
    warehouse = copies / f"{len(list(copies.iterdir())) + 1}.duckdb"
    shutil.copyfile(work / "data" / "warehouse" / "wres.duckdb", warehouse)
    return Run(work, inbox, before, after, result.returncode, result.stdout + result.stderr, warehouse)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, prefect_server: str) -> dict[str, Run]:
    """The independent runs of this module, side by side (each is a subprocess)."""
    rejected = {c.name: c.content for c in REJECTED} | {
        IMPOSSIBLE_NAME: BASE_FILES["staff_in_post_2025-03-31.csv"]
    }
    inboxes = {
        "baseline": BASE_FILES,
        "rejected": BASE_FILES | rejected,
        "warnings": BASE_FILES | WARNING_FILES,
        "corrected": BASE_FILES | {CORRECTION_NAME: BAD_BYTES},
    }
    with ThreadPoolExecutor(max_workers=len(inboxes)) as pool:
        futures = {
            name: pool.submit(run_inbox, tmp_path_factory.mktemp(name), files, prefect_server)
            for name, files in inboxes.items()
        }
        return {name: future.result() for name, future in futures.items()}


# --------------------------------------------------------------------------------------------
# reading what a run left behind


def latest_file(run: Run, name: str) -> Path:
    return run.out / "latest" / name


def workbook_values(path: Path, skip: tuple[str, ...] = ("Data quality",)) -> dict[str, list[tuple]]:
    """Every sheet's cell values except ``skip`` (the data-quality sheet records rejected files)."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {
            sheet.title: list(sheet.iter_rows(values_only=True))
            for sheet in workbook.worksheets
            if sheet.title not in skip
        }
    finally:
        workbook.close()


def ops_text(run: Run) -> str:
    """Every row of every ops table, as text."""
    con = duckdb.connect(str(run.warehouse), read_only=True)
    try:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'ops'"
            ).fetchall()
        ]
        return "\n".join(repr(con.execute(f"select * from ops.{t}").fetchall()) for t in tables)
    finally:
        con.close()


def publication_text(run: Run) -> str:
    """The text of every published file (XLSX unzipped; PNG images left out)."""
    parts = []
    for path in sorted(run.out.rglob("*")):
        if not path.is_file() or path.suffix == ".png":
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                parts.extend(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        else:
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def file_status(run: Run, name: str) -> list[tuple]:
    return run.query("select status, rows from ops.loaded_files where name = ?", [name])


def failed_checks(run: Run, name: str) -> list[tuple]:
    """(check, column, severity, message) of the file's failed validation results."""
    return run.query(
        "select check_name, column_name, severity, message from ops.validation_results "
        "where file_name = ? and not passed order by check_name",
        [name],
    )


def check_message(run: Run, name: str, check: str, column: str | None) -> tuple[str, str]:
    """(severity, message) of the one failed ``check`` on ``column`` of file ``name``."""
    found = [(s, m) for c, col, s, m in failed_checks(run, name) if c == check and col == column]
    assert len(found) == 1, failed_checks(run, name)
    return found[0]


# --------------------------------------------------------------------------------------------
# the baseline


def test_baseline_loads_every_file_with_only_the_no_catchment_warning(runs):
    base = runs["baseline"]
    assert base.returncode == 0, base.output[-3000:]
    assert dict(base.query("select name, status from ops.loaded_files")) == dict.fromkeys(
        BASE_FILES, "loaded"
    )
    # the one warning: no catchment.csv, so RXX is compared with England and Wales (CONTRACT 2)
    assert base.query("select check_name, severity from ops.validation_results where not passed") == [
        ("no_catchment", "warning")
    ]
    assert latest_file(base, "wres_indicators.csv").stat().st_size > 0


@pytest.mark.parametrize("name", ["baseline", "rejected", "warnings", "corrected"])
def test_the_inbox_is_never_modified(runs, name):
    run = runs[name]
    assert run.after == run.before
    assert len(run.before) >= len(BASE_FILES)


@pytest.mark.parametrize("name", ["baseline", "rejected", "warnings", "corrected"])
def test_no_identifier_reaches_the_output_ops_or_the_publication(runs, name):
    run = runs[name]
    assert PLANTED_ID.search(BASE_RECRUITMENT)  # the pattern finds the planted ids
    assert PLANTED_ID.findall(run.output) == []
    assert PLANTED_ID.findall(ops_text(run)) == []
    assert PLANTED_ID.findall(publication_text(run)) == []


# --------------------------------------------------------------------------------------------
# rejected files


@pytest.fixture(scope="module")
def rejected_run(runs) -> Run:
    run = runs["rejected"]
    assert run.returncode == 1, run.output[-3000:]
    return run


def test_rejected_files_change_no_staging_marts_or_published_data(runs, rejected_run):
    base = runs["baseline"]
    assert table_digest(rejected_run.warehouse) == table_digest(base.warehouse)
    for name in ("wres_indicators.csv", "representation.csv"):
        assert latest_file(rejected_run, name).read_bytes() == latest_file(base, name).read_bytes(), name
    # the workbook's data sheets are the same; its data-quality sheet records the rejections
    workbook = latest_file(rejected_run, "wres_tables.xlsx")
    assert workbook_values(workbook) == workbook_values(latest_file(base, "wres_tables.xlsx"))
    quality = workbook_values(workbook, skip=())["Data quality"]
    assert {c.name for c in REJECTED} <= {row[0] for row in quality}


@pytest.mark.parametrize("case", REJECTED, ids=[c.id for c in REJECTED])
def test_rejected_file_is_named_with_its_column_and_values(case, rejected_run):
    run = rejected_run
    assert run.returncode == 1
    assert file_status(run, case.name) == [("rejected", None)]
    assert run.query("select outcome from ops.run_files where name = ?", [case.name]) == [("rejected",)]
    severity, message = check_message(run, case.name, case.check, case.column)
    assert severity == "critical"
    assert case.name in message
    for words in case.words:
        assert words in message, message
    # the console says the same, and the publication's validation report lists the file as rejected
    assert message in run.output
    assert f"{case.name}: REJECTED" in latest_file(run, "validation_report.txt").read_text(encoding="utf-8")


def test_a_file_name_with_an_impossible_date_is_rejected_by_name(rejected_run):
    run = rejected_run
    assert run.query("select outcome from ops.run_files where name = ?", [IMPOSSIBLE_NAME]) == [("rejected",)]
    message = f"{IMPOSSIBLE_NAME}: the name looks like staff_in_post_YYYY-MM-DD.csv but 2025-02-30 is an impossible date"
    assert message in run.output


def test_a_file_name_with_an_impossible_date_is_in_the_report_and_ops_validation_results(rejected_run):
    run = rejected_run
    assert run.query(
        "select count(*) from ops.validation_results where file_name = ? and not passed", [IMPOSSIBLE_NAME]
    ) == [(1,)]
    report = latest_file(run, "validation_report.txt").read_text(encoding="utf-8")
    assert f"{IMPOSSIBLE_NAME}: REJECTED" in report


# --------------------------------------------------------------------------------------------
# warnings and files left alone


@pytest.fixture(scope="module")
def warnings_run(runs) -> Run:
    run = runs["warnings"]
    assert run.returncode == 0, run.output[-3000:]
    return run


@pytest.mark.parametrize("case", WARNINGS, ids=[c.id for c in WARNINGS])
def test_warning_file_loads_and_the_warning_is_reported(case, warnings_run):
    run = warnings_run
    assert run.returncode == 0
    ((status, rows),) = file_status(run, case.name)
    assert status == "loaded" and rows > 0
    severity, message = check_message(run, case.name, case.check, case.column)
    assert severity == "warning"
    assert case.name in message
    for words in case.words:
        assert words in message, message
    assert message in run.output


def test_warning_files_have_their_rows_in_staging(warnings_run):
    counts = dict(
        warnings_run.query("select snapshot_date::varchar, count(*) from staging.staff_in_post group by 1")
    )
    assert counts == {"2025-03-31": 10, "2025-04-30": 13, "2025-06-30": 2}
    assert warnings_run.query("select count(*) from staging.disciplinary") == [(5,)]


def test_a_header_only_recruitment_file_is_accepted(warnings_run):
    assert file_status(warnings_run, "recruitment_2025-06-30.csv") == [("loaded", 0)]
    assert failed_checks(warnings_run, "recruitment_2025-06-30.csv") == []


def test_an_unknown_file_kind_is_reported_and_left_alone(warnings_run):
    name = "payroll_2025-03-31.csv"
    assert file_status(warnings_run, name) == []
    assert warnings_run.query("select outcome from ops.run_files where name = ?", [name]) == [
        ("unrecognised",)
    ]
    assert name in warnings_run.output
    assert "staff_in_post_YYYY-MM-DD.csv" in warnings_run.output  # the accepted forms are listed
    assert (warnings_run.inbox / name).read_bytes() == WARNING_FILES[name]


def test_files_left_alone_are_on_the_data_quality_page_without_other_names(warnings_run):
    run = warnings_run
    assert file_status(run, MISNAMED_FILE) == []
    warned = run.query(
        "select file_name, severity from ops.validation_results where check_name = 'unrecognised_file_name'"
    )
    assert sorted(warned) == [(MISNAMED_FILE, "warning"), ("payroll_2025-03-31.csv", "warning")]
    reports = sorted((run.out / "latest").rglob("validation_report.txt"))
    assert reports
    for path in reports:
        report = path.read_text(encoding="utf-8")
        # a misnamed extract is named, with what its name should be
        assert f"{MISNAMED_FILE}: WARNING" in report
        assert "starts like staff_in_post_YYYY-MM-DD.csv but does not follow it" in report
        # any other name may be anything: counted, not named
        assert "payroll" not in report
        assert "(other files): WARNING" in report
        assert "1 file left alone, not loaded: its name matches none of the accepted forms" in report
    for path in (run.out / "latest").rglob("wres_report.html"):
        html = path.read_text(encoding="utf-8")
        assert MISNAMED_FILE in html and "payroll" not in html


def test_the_same_bytes_under_another_name_load_once(warnings_run):
    outcomes = dict(
        warnings_run.query(
            "select name, outcome from ops.run_files where name in ('board_2025-03-31.csv', 'BOARD_2025-03-31.CSV')"
        )
    )
    assert sorted(outcomes.values()) == ["duplicate", "loaded"]
    assert warnings_run.query("select count(*) from ops.loaded_files where kind = 'board'") == [(1,)]
    assert warnings_run.query("select count(*) from staging.board") == [(3,)]


def test_a_1mb_field_loads_and_never_reaches_a_message(warnings_run):
    run = warnings_run
    assert run.query("select max(length(job_role)) from staging.staff_in_post") == [(1_000_000,)]
    sample = LONG_ROLE[:200]
    assert sample not in run.output
    assert sample not in ops_text(run)
    assert sample not in publication_text(run)


def test_text_starting_with_equals_is_stored_as_text_and_never_published_as_a_formula(warnings_run):
    run = warnings_run
    assert run.query("select count(*) from staging.staff_in_post where job_role = ?", [FORMULA_ROLE]) == [
        (1,)
    ]
    neutralised = "'" + FORMULA_ORGANISATION
    published_csv = (run.out / "2025-04-30" / FORMULA_ORGANISATION / "wres_indicators.csv").read_text(
        encoding="utf-8"
    )
    assert f"\n{neutralised}," in published_csv
    formula_cells = 0
    for path in run.out.rglob("*.xlsx"):
        workbook = openpyxl.load_workbook(path)  # not read-only: data_type is exact
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate)
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
                        formula_cells += cell.value == neutralised
    assert formula_cells > 0
    for path in run.out.rglob("*.csv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert not re.search(r'(^|,)"?[=+@]', line), (path.name, line)


# --------------------------------------------------------------------------------------------
# a rejected file dropped again, corrected; the same bytes made valid by an alias


@pytest.fixture(scope="module")
def correction(runs, prefect_server) -> dict[str, Run]:
    first = runs["corrected"]
    inbox = first.inbox
    (inbox / CORRECTION_NAME).write_bytes(CORRECTED_BYTES)
    corrected = rerun(first.work, prefect_server)
    (inbox / CORRECTION_NAME).write_bytes(BAD_BYTES)
    settings = first.work / "alias.toml"
    settings.write_text(ALIAS_SETTINGS, encoding="utf-8")
    aliased = rerun(first.work, prefect_server, "--config", str(settings))
    return {"rejected": first, "corrected": corrected, "aliased": aliased}


def _status_of_bytes(run: Run, content: bytes) -> list[tuple]:
    return run.query(
        "select status from ops.loaded_files where sha256 = ?", [hashlib.sha256(content).hexdigest()]
    )


def _groups_at(run: Run, snapshot: str) -> dict[str, int]:
    return dict(
        run.query(
            "select ethnic_group, count(distinct employee_id) from staging.staff_in_post "
            "where snapshot_date = ?::date group by 1",
            [snapshot],
        )
    )


def test_a_rejected_file_is_rejected_until_corrected(correction):
    first = correction["rejected"]
    assert first.returncode == 1
    assert _status_of_bytes(first, BAD_BYTES) == [("rejected",)]
    assert _groups_at(first, "2025-04-30") == {}
    assert '"X9" (2 rows)' in first.output


def test_the_corrected_file_loads_normally(correction):
    corrected = correction["corrected"]
    assert corrected.returncode == 0, corrected.output[-3000:]
    assert _status_of_bytes(corrected, CORRECTED_BYTES) == [("loaded",)]
    # people 2 and 4 are now white: 1, 2, 4, 5, 7, 9, 10 white; 3, 6, 8 bme
    assert _groups_at(corrected, "2025-04-30") == {"white": 7, "bme": 3}
    assert corrected.query(
        "select count(*) from ops.run_files where run_id = (select max(run_id) from ops.runs) "
        "and outcome = 'rejected'"
    ) == [(0,)]


def test_the_same_rejected_bytes_load_once_the_settings_hold_an_alias(correction):
    aliased = correction["aliased"]
    assert aliased.returncode == 0, aliased.output[-3000:]
    assert _status_of_bytes(aliased, BAD_BYTES) == [("loaded",)]
    assert '"X9"' not in aliased.output
    assert _groups_at(aliased, "2025-04-30") == {"white": 7, "bme": 3}
    assert aliased.after == aliased.before
