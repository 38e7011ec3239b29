"""Issue 5's proof: everything the real flow publishes is disclosure-controlled, free of identifiers,
safe to open in a spreadsheet, and stable.

The real ``wres run`` (subprocess, against the session's Prefect server) runs twice on each of two
inboxes: (a) the synthetic demo trust, (b) a small hand-made inbox of two organisations where most
cells hold 1 to 4 people and survey groups hold fewer than 11 answers, with distinctive identifiers
planted in every kind of extract. Every file of every published snapshot folder is then read back
(CSV, XLSX through openpyxl, the HTML report's tables through html.parser and its embedded chart
specs, SVG) and checked against the warehouse's exact values and ``suppressed`` flags.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import math
import os
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from tests.conftest import TEST_KEY, run_wres
from tests.contract_schemas import INDICATOR_KEY, REPRESENTATION_KEY
from wres.charts import format_share
from wres.pseudonymise import pseudonym
from wres.synthetic import generate_inbox

pytestmark = pytest.mark.integration

SMALL = range(1, 5)  # counts CONTRACT section 2 hides (min_count 5)
SURVEY_MIN = 11
TRIGGERS = ("=", "+", "-", "@")
INDICATOR_HIDDEN = ("numerator", "denominator", "value", "ci_low", "ci_high", "interpretation")
REPRESENTATION_HIDDEN = ("headcount", "workforce_share", "ratio", "ci_low", "ci_high")
COUNT_COLUMNS = ("numerator", "denominator", "headcount")
WORKBOOK_SHEETS = [
    "1 Workforce by band",
    "2-4 Relative likelihoods",
    "5-8 Staff survey",
    "9 Board",
    "Representation",
    "Notes",
    "Data quality",
]

# --- the crafted inbox: two organisations, small cells, planted identifiers ------------------------

# one organisation's code starts with a formula trigger: it reaches the CSV and XLSX as text
ORG_A, ORG_B = "RAA", "=RBB"
PLANTED = {
    "employee": "99887766",
    "assignment": "99887766-1",
    "application": "APP-55443322",
    "case": "CASE-7788",
    "member": "BRD-4455",
    "respondent": "RSP-3322",
    "record": "TRN-6655",
}
STAFF_HEADER = (
    "organisation_code,employee_id,assignment_id,staff_group,job_role,area_of_work,pay_band,"
    "ethnic_origin,assignment_category,is_primary_assignment,fte"
)
NURSE = ("Nursing and Midwifery Registered", "Staff Nurse", "Ward 1", "Band 5")
CLERK = ("Administrative and Clerical", "Clerk", "Finance", "Band 3")
MIDWIFE = ("Nursing and Midwifery Registered", "Midwife", "Maternity Services", "Band 6")
OBSTETRICIAN = ("Medical and Dental", "Consultant", "Obstetrics", "Consultant")
MSW = ("Additional Clinical Services", "Maternity Support Worker", "Maternity Services", "Band 3")
PORTER = ("Estates and Ancillary", "Porter", "Estates", "Band 2")
PHYSIO = ("Allied Health Professionals", "Physiotherapist", "Therapies", "Band 6")
# (organisation, how many, post, ethnic origin); the planted employee is the one black midwife
STAFF_SPEC = [
    (ORG_A, 20, NURSE, "A"),
    (ORG_A, 6, NURSE, "N"),
    (ORG_A, 2, NURSE, "Z"),
    (ORG_A, 8, CLERK, "A"),
    (ORG_A, 3, CLERK, "H"),
    (ORG_A, 3, MIDWIFE, "A"),
    (ORG_A, 1, MIDWIFE, "N"),
    (ORG_A, 1, OBSTETRICIAN, "H"),
    (ORG_A, 7, MSW, "A"),
    (ORG_B, 9, PORTER, "A"),
    (ORG_B, 2, PORTER, "M"),
    (ORG_B, 1, PORTER, "99"),
    (ORG_B, 15, PHYSIO, "A"),
    (ORG_B, 5, PHYSIO, "K"),
]


def _staff() -> list[tuple[str, str, str, tuple[str, str, str, str], str]]:
    """(organisation, employee, assignment, post, ethnic origin) of every person."""
    people = []
    number = 20_000_000
    for organisation, count, post, origin in STAFF_SPEC:
        for _ in range(count):
            number += 1
            employee = PLANTED["employee"] if post is MIDWIFE and origin == "N" else str(number)
            assignment = PLANTED["assignment"] if employee == PLANTED["employee"] else f"{employee}-1"
            people.append((organisation, employee, assignment, post, origin))
    return people


def _staff_csv(people: list) -> str:
    lines = [STAFF_HEADER]
    for organisation, employee, assignment, (group, role, area, band), origin in people:
        lines.append(
            f"{organisation},{employee},{assignment},{group},{role},{area},{band},{origin},Permanent,Y,1"
        )
    return "\n".join(lines) + "\n"


def make_crafted_inbox(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    people = _staff()
    (folder / "staff_in_post_2025-03-31.csv").write_text(_staff_csv(people), encoding="utf-8")
    # a year earlier: the same people but two white nurses not yet started
    earlier = [p for p in people if p[1] not in {"20000001", "20000002"}]
    (folder / "staff_in_post_2024-03-31.csv").write_text(_staff_csv(earlier), encoding="utf-8")

    recruitment = ["organisation_code,application_id,ethnic_origin,shortlisted,appointed,shortlisted_date"]
    for organisation, white, white_appointed, bme, bme_appointed in (
        (ORG_A, 30, 9, 3, 1),
        (ORG_B, 12, 4, 6, 2),
    ):
        for i in range(white):
            appointed = "Y" if i < white_appointed else "N"
            recruitment.append(f"{organisation},APP-{organisation[-3:]}-W{i},A,Y,{appointed},2024-06-15")
        for i in range(bme):
            application = (
                PLANTED["application"]
                if organisation == ORG_A and i == 0
                else f"APP-{organisation[-3:]}-B{i}"
            )
            appointed = "Y" if i < bme_appointed else "N"
            recruitment.append(f"{organisation},{application},N,Y,{appointed},15/07/2024")
        recruitment.append(f"{organisation},APP-{organisation[-3:]}-X,A,N,N,")
    (folder / "recruitment_2025-03-31.csv").write_text("\n".join(recruitment) + "\n", encoding="utf-8")

    white_nurses = [p[1] for p in people if p[0] == ORG_A and p[3] is NURSE and p[4] == "A"]
    black_nurses = [p[1] for p in people if p[0] == ORG_A and p[3] is NURSE and p[4] == "N"]
    disciplinary = [
        "organisation_code,case_id,employee_id,investigation_start_date",
        f"{ORG_A},{PLANTED['case']},{PLANTED['employee']},2024-09-01",
        f"{ORG_A},CASE-1001,{white_nurses[0]},2024-10-01",
        f"{ORG_A},CASE-1002,{black_nurses[0]},2024-11-01",
    ]
    (folder / "disciplinary_2025-03-31.csv").write_text("\n".join(disciplinary) + "\n", encoding="utf-8")

    training = ["organisation_code,record_id,employee_id,start_date,mandatory,course_name"]
    learners = [*white_nurses[:10], *black_nurses[:2], PLANTED["employee"]]
    for i, employee in enumerate(learners):
        record = PLANTED["record"] if employee == PLANTED["employee"] else f"TRN-{i}"
        training.append(f"{ORG_A},{record},{employee},2024-05-0{1 + i % 9},N,Leadership")
    training.append(f"{ORG_A},TRN-M1,{white_nurses[11]},2024-05-01,Y,Fire safety")
    (folder / "training_2025-03-31.csv").write_text("\n".join(training) + "\n", encoding="utf-8")

    board = [
        "organisation_code,member_id,ethnic_origin,voting,executive",
        f"{ORG_A},{PLANTED['member']},H,Y,N",
    ]
    board += [f"{ORG_A},BRD-A{i},A,Y,{'Y' if i < 3 else 'N'}" for i in range(6)]
    board += [f"{ORG_B},BRD-B{i},{'A' if i else 'M'},Y,Y" for i in range(4)]
    (folder / "board_2025-03-31.csv").write_text("\n".join(board) + "\n", encoding="utf-8")

    survey = ["organisation_code,respondent_id,ethnicity,occupation_group,work_area,q14a,q14b,q14c,q15,q16b"]
    for organisation, groups in (
        (ORG_A, (("White", 30), ("Black", 6), ("", 2))),
        (ORG_B, (("White", 12), ("Asian", 12))),
    ):
        n = 0
        for ethnicity, count in groups:
            for i in range(count):
                n += 1
                respondent = (
                    PLANTED["respondent"]
                    if organisation == ORG_A and ethnicity == "Black" and i == 0
                    else (f"RSP-{organisation[-3:]}-{n}")
                )
                area = "Maternity services" if i % 3 == 0 else "Acute wards"
                survey.append(
                    f"{organisation},{respondent},{ethnicity},Allied Health Professionals,{area},"
                    f"{1 + i % 5},{1 + i % 4},{1 + (i + 1) % 5},{1 + i % 3},{1 + i % 2}"
                )
    (folder / "staff_survey_2024.csv").write_text("\n".join(survey) + "\n", encoding="utf-8")
    return folder


# --- running the flow ----------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    work: Path
    first: Any
    second: Any
    digest_after_first: dict[str, str]
    digest_after_second: dict[str, str]
    identifiers: dict[str, str] = field(default_factory=dict)  # what -> raw value never to publish

    @property
    def out(self) -> Path:
        return self.work / "data" / "outputs"

    @property
    def warehouse(self) -> Path:
        return self.work / "data" / "warehouse" / "wres.duckdb"


def publication_digest(out: Path) -> dict[str, str]:
    """sha256 of every file reachable under ``out`` through its links (latest, each date)."""
    digests = {}
    for root, _dirs, files in os.walk(out, followlinks=True):
        for name in files:
            path = Path(root) / name
            digests[str(path.relative_to(out))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def _demo_identifiers(inbox: Path) -> dict[str, str]:
    """A few raw ids from the synthetic extracts (the id columns of the canonical-header files)."""
    found = {}
    for file_name, column in (
        ("staff_in_post_2025-03-31.csv", "employee_id"),
        ("staff_in_post_2025-03-31.csv", "assignment_id"),
        ("recruitment_2025-03-31.csv", "application_id"),
        ("disciplinary_2025-03-31.csv", "case_id"),
        ("training_2025-03-31.csv", "record_id"),
        ("board_2025-03-31.csv", "member_id"),
        ("staff_survey_2024.csv", "respondent_id"),
    ):
        with open(inbox / file_name, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows, file_name
        for i, row in enumerate(rows[:3]):
            found[f"{column} {i}"] = row[column]
    return found


@pytest.fixture(scope="module", params=["demo", "crafted"])
def run(request, tmp_path_factory: pytest.TempPathFactory, prefect_server: str) -> Run:
    work = tmp_path_factory.mktemp(f"publication-{request.param}")
    inbox = work / "inbox"
    if request.param == "demo":
        generate_inbox(inbox, trusts=1, staff_per_trust=1200, seed=20250331)
        identifiers = _demo_identifiers(inbox)
    else:
        make_crafted_inbox(inbox)
        identifiers = dict(PLANTED)
    first = run_wres(["run", "--inbox", str(inbox)], cwd=work, prefect_api=prefect_server)
    assert first.returncode == 0, first.stderr[-4000:]
    after_first = publication_digest(work / "data" / "outputs")
    second = run_wres(["run", "--inbox", str(inbox)], cwd=work, prefect_api=prefect_server)
    assert second.returncode == 0, second.stderr[-4000:]
    after_second = publication_digest(work / "data" / "outputs")
    return Run(request.param, work, first, second, after_first, after_second, identifiers)


# --- reading what was published -------------------------------------------------------------------


@dataclass
class Folder:
    """One published folder: one organisation at one snapshot."""

    path: Path
    organisation: str
    snapshot: str


def published_folders(out: Path) -> list[Folder]:
    """Every organisation's folder of every dated snapshot link (not ``latest``, checked apart)."""
    folders = []
    for link in sorted(out.iterdir()):
        if not link.is_symlink() or link.name in {"latest", "current"}:
            continue
        holders = (
            [link]
            if (link / "wres_indicators.csv").exists()
            else sorted(p for p in link.iterdir() if p.is_dir())
        )
        for holder in holders:
            rows = read_csv(holder / "wres_indicators.csv")
            organisations = {unneutralised(r["organisation_code"]) for r in rows}
            assert len(organisations) == 1, holder
            folders.append(Folder(holder, organisations.pop(), link.name))
    return folders


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def unneutralised(text: str) -> str:
    """A text cell as the warehouse holds it (the publication prefixes formula triggers with ')."""
    return text[1:] if text.startswith("'") and text[1:2] in TRIGGERS else text


def warehouse_rows(path: Path, table: str) -> tuple[list[str], list[dict[str, Any]]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        relation = con.sql(f"select * from marts.{table}")
        columns = relation.columns
        rows = [dict(zip(columns, r, strict=True)) for r in relation.fetchall()]
    finally:
        con.close()
    return columns, rows


def warehouse_text_columns(path: Path, table: str) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            name
            for name, kind in con.execute(
                "select column_name, data_type from duckdb_columns() where schema_name = 'marts' and table_name = ?",
                [table],
            ).fetchall()
            if kind == "VARCHAR"
        }
    finally:
        con.close()


def key_of(row: dict[str, Any], key: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(unneutralised(str(row[k])) if row[k] is not None else "" for k in key)


class ReportTables(HTMLParser):
    """Every ``<table>`` of the report: its section, caption, header and rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, Any]] = []
        self._section = ""
        self._table: dict[str, Any] | None = None
        self._row: list[str] | None = None
        self._text: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self._section = dict(attrs).get("id") or ""
        elif tag == "table":
            self._table = {"section": self._section, "caption": "", "header": [], "rows": []}
        elif self._table is not None and tag == "caption":
            self._in_caption, self._text = True, []
        elif self._table is not None and tag == "tr":
            self._row = []
        elif self._row is not None and tag in {"td", "th"}:
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if self._table is None:
            return
        if tag == "caption":
            self._table["caption"], self._in_caption, self._text = (
                "".join(self._text or []).strip(),
                False,
                None,
            )
        elif tag in {"td", "th"} and self._row is not None and self._text is not None:
            self._row.append("".join(self._text).strip())
            self._text = None
        elif tag == "tr" and self._row is not None:
            if not self._table["header"]:
                self._table["header"] = self._row
            else:
                self._table["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def report_tables(html_text: str) -> list[dict[str, Any]]:
    parser = ReportTables()
    parser.feed(html_text)
    return parser.tables


def chart_specs(html_text: str) -> dict[str, Any]:
    marker = '<script type="application/json" id="wres-chart-specs">'
    assert html_text.count(marker) == 1
    return json.loads(html_text.split(marker)[1].split("</script>")[0])


def _as_count(text: str) -> int | None:
    cleaned = text.replace(",", "").strip()
    return int(cleaned) if cleaned.isdigit() else None


def _is_blank(value: Any) -> bool:
    return value is None or value == ""


# --- the properties -------------------------------------------------------------------------------


def test_the_runs_published_every_snapshot_and_the_second_changed_nothing(run):
    folders = published_folders(run.out)
    expected = {"demo": {("RXX01", "2024-03-31"), ("RXX01", "2025-03-31")}}
    expected["crafted"] = {(o, s) for o in (ORG_A, ORG_B) for s in ("2024-03-31", "2025-03-31")}
    assert {(f.organisation, f.snapshot) for f in folders} == expected[run.name]
    assert run.digest_after_first, "nothing was published"
    assert run.digest_after_second == run.digest_after_first


def test_latest_is_the_newest_snapshot(run):
    assert (run.out / "latest").resolve() == (run.out / "2025-03-31").resolve()
    assert (run.out / "2024-03-31").resolve() != (run.out / "2025-03-31").resolve()


def test_each_folder_holds_every_published_file(run):
    for folder in published_folders(run.out):
        names = {p.name for p in folder.path.iterdir()}
        assert {
            "wres_report.html",
            "wres_indicators.csv",
            "representation.csv",
            "wres_tables.xlsx",
            "validation_report.txt",
            "charts",
        } <= names, folder.path
        charts = {p.name for p in (folder.path / "charts").iterdir()}
        assert charts, folder.path
        stems = {Path(n).stem for n in charts}
        assert charts == {f"{s}.png" for s in stems} | {f"{s}.svg" for s in stems}


def test_csvs_keep_the_warehouse_columns_and_rows_with_hidden_cells_blank(run):
    for table, key, hidden, count_columns in (
        ("wres_indicators", INDICATOR_KEY, INDICATOR_HIDDEN, ("numerator", "denominator")),
        ("representation", REPRESENTATION_KEY, REPRESENTATION_HIDDEN, ("headcount",)),
    ):
        columns, rows = warehouse_rows(run.warehouse, table)
        for folder in published_folders(run.out):
            path = folder.path / f"{table}.csv"
            assert csv_header(path) == columns, path
            published = {key_of(r, key): r for r in read_csv(path)}
            exact = {
                key_of(r, key): r
                for r in rows
                if r["organisation_code"] == folder.organisation
                and str(r["snapshot_date"]) == folder.snapshot
            }
            assert len(read_csv(path)) == len(exact) == len(published), path
            assert published.keys() == exact.keys(), path
            for k, row in published.items():
                truth = exact[k]
                assert row["suppressed"] == ("true" if truth["suppressed"] else "false"), (path, k)
                if truth["suppressed"]:
                    assert all(row[c] == "" for c in hidden), (path, k, row)
                    continue
                for c in count_columns:
                    assert row[c] == ("" if truth[c] is None else str(truth[c])), (path, k, c)
                for c in ("value", "ci_low", "ci_high", "workforce_share", "ratio"):
                    if c in row:
                        assert (row[c] == "") == (truth[c] is None), (path, k, c)
                        if truth[c] is not None:
                            assert float(row[c]) == truth[c], (path, k, c)


def test_there_is_something_to_hide(run):
    """The crafted inbox is built so that suppression matters: many rows hidden, small survey bases."""
    _, rows = warehouse_rows(run.warehouse, "wres_indicators")
    hidden = [r for r in rows if r["suppressed"]]
    assert len(hidden) >= 20
    small_survey = [
        r
        for r in rows
        if 5 <= r["indicator"] <= 8
        and r["measure"] == "rate"
        and r["denominator"]
        and r["denominator"] < SURVEY_MIN
    ]
    assert small_survey
    if run.name == "crafted":
        # organisation B's 12 white and 12 asian respondents give shown survey rates; A's 6 black ones do not
        shown_survey = {
            (r["organisation_code"], r["ethnic_group"])
            for r in rows
            if 5 <= r["indicator"] <= 8
            and r["measure"] == "rate"
            and r["scope"] == "trust"
            and not r["suppressed"]
        }
        assert (ORG_B, "bme") in shown_survey and (ORG_A, "white") in shown_survey
        assert (ORG_A, "bme") not in shown_survey


def test_no_small_count_in_any_csv_or_workbook(run):
    for folder in published_folders(run.out):
        for table in ("wres_indicators", "representation"):
            for row in read_csv(folder.path / f"{table}.csv"):
                for column in COUNT_COLUMNS:
                    if row.get(column):
                        assert int(row[column]) not in SMALL, (folder.path, table, column, row)
        workbook = openpyxl.load_workbook(folder.path / "wres_tables.xlsx")
        for sheet in workbook.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            if not rows:
                continue
            header = list(rows[0])
            for column in COUNT_COLUMNS:
                if column in header:
                    index = header.index(column)
                    values = [r[index] for r in rows[1:]]
                    assert not [v for v in values if isinstance(v, int | float) and v in SMALL], (
                        sheet.title,
                        column,
                    )


def test_workbook_has_its_sheets_and_hides_what_the_warehouse_hides(run):
    _, rows = warehouse_rows(run.warehouse, "wres_indicators")
    _, rep_rows = warehouse_rows(run.warehouse, "representation")
    truth = {key_of(r, INDICATOR_KEY): r for r in rows} | {key_of(r, REPRESENTATION_KEY): r for r in rep_rows}
    for folder in published_folders(run.out):
        workbook = openpyxl.load_workbook(folder.path / "wres_tables.xlsx")
        assert workbook.sheetnames == WORKBOOK_SHEETS
        checked = 0
        for sheet in workbook.worksheets[:5]:
            rows_ = list(sheet.iter_rows(values_only=True))
            header = list(rows_[0])
            key = REPRESENTATION_KEY if sheet.title == "Representation" else INDICATOR_KEY
            hidden = REPRESENTATION_HIDDEN if sheet.title == "Representation" else INDICATOR_HIDDEN
            for values in rows_[1:]:
                row = dict(zip(header, values, strict=True))
                row["snapshot_date"] = row["snapshot_date"].date().isoformat()
                exact = truth[key_of(row, key)]
                assert row["suppressed"] is exact["suppressed"], (sheet.title, row)
                if exact["suppressed"]:
                    assert all(_is_blank(row[c]) for c in hidden), (sheet.title, row)
                checked += 1
        expected = sum(
            1
            for r in (*rows, *rep_rows)
            if r["organisation_code"] == folder.organisation and str(r["snapshot_date"]) == folder.snapshot
        )
        assert checked == expected, folder.path


def test_no_survey_rate_on_fewer_than_11_answers(run):
    _, rows = warehouse_rows(run.warehouse, "wres_indicators")
    for row in rows:
        if 5 <= row["indicator"] <= 8 and row["denominator"] is not None and row["denominator"] < SURVEY_MIN:
            assert row["suppressed"], row
    for folder in published_folders(run.out):
        for row in read_csv(folder.path / "wres_indicators.csv"):
            if 5 <= int(row["indicator"]) <= 8 and row["value"] != "":
                assert int(row["denominator"]) >= SURVEY_MIN, row
        html_text = (folder.path / "wres_report.html").read_text(encoding="utf-8")
        for name, spec in chart_specs(html_text).items():
            for data in spec.get("datasets", {}).values():
                for point in data:
                    if "survey" in name and point.get("denominator") is not None:
                        assert point["denominator"] >= SURVEY_MIN, (name, point)


def _hidden_groups(rows: list[dict[str, Any]], group_key: tuple[str, ...], member: str) -> dict[tuple, list]:
    groups: dict[tuple, list] = defaultdict(list)
    for row in rows:
        groups[tuple(row[k] for k in group_key)].append((row[member], row["suppressed"] == "true"))
    return groups


def test_secondary_suppression_never_leaves_one_hidden_member(run):
    for folder in published_folders(run.out):
        indicators = read_csv(folder.path / "wres_indicators.csv")
        shares = [r for r in indicators if r["indicator"] == "1" and r["measure"] == "share"]
        # white, bme and unknown within a cell add up to the cell's headcount
        for key, members in _hidden_groups(shares, ("scope", "breakdown"), "ethnic_group").items():
            assert sorted(m for m, _ in members) == ["bme", "unknown", "white"], key
            hidden = [m for m, h in members if h]
            assert len(hidden) != 1, (folder.path, key, hidden)
        # the bands within a workforce add up to its 'all' row, group by group
        by_band = [
            dict(r, workforce=r["breakdown"].split("|")[0], band=r["breakdown"].split("|")[1]) for r in shares
        ]
        for key, members in _hidden_groups(by_band, ("scope", "workforce", "ethnic_group"), "band").items():
            total_shown = not any(h for m, h in members if m == "all")
            hidden = [m for m, h in members if h and m != "all"]
            if total_shown:
                assert len(hidden) != 1, (folder.path, key, hidden)
        # the census groups within a representation add up to the staff of known ethnicity
        representation = read_csv(folder.path / "representation.csv")
        for key, members in _hidden_groups(
            representation, ("scope", "reference_population"), "ethnic_group"
        ).items():
            hidden = [m for m, h in members if h]
            assert len(hidden) != 1, (folder.path, key, hidden)


def test_text_cells_cannot_become_formulas(run):
    neutralised_seen = 0
    for folder in published_folders(run.out):
        for table in ("wres_indicators", "representation"):
            text_columns = warehouse_text_columns(run.warehouse, table)
            for row in read_csv(folder.path / f"{table}.csv"):
                for column in text_columns:
                    assert not row[column].startswith(TRIGGERS), (table, column, row[column])
                    neutralised_seen += row[column].startswith("'=")
        workbook = openpyxl.load_workbook(folder.path / "wres_tables.xlsx")
        for sheet in workbook.worksheets:
            for cells in sheet.iter_rows():
                for cell in cells:
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(TRIGGERS), (sheet.title, cell.coordinate, cell.value)
                        neutralised_seen += cell.value.startswith("'=")
    if run.name == "crafted":  # organisation "=RBB" arrived, as text
        assert neutralised_seen > 0


def _forbidden_values(run: Run, organisation: str) -> set[float]:
    """Exact values of the organisation's hidden rows that no shown row shares: a chart must hold none."""
    hidden, shown = set(), set()
    for table, columns in (
        ("wres_indicators", ("value", "ci_low", "ci_high")),
        ("representation", ("workforce_share", "ratio", "ci_low", "ci_high")),
    ):
        for row in warehouse_rows(run.warehouse, table)[1]:
            if row["organisation_code"] != organisation:
                continue
            values = {row[c] for c in columns if row[c] is not None}
            (hidden if row["suppressed"] else shown).update(values)
    return hidden - shown


RULE_LINES = {"one", "lower", "upper"}  # the reference lines at 1 and 0.80 / 1.25, not data


def test_charts_hold_no_hidden_figure(run):
    """Every number in every chart's embedded data is the value of a shown row, never of a hidden one."""
    points = 0
    for folder in published_folders(run.out):
        forbidden = _forbidden_values(run, folder.organisation)
        assert forbidden, "no hidden values to look for"
        html_text = (folder.path / "wres_report.html").read_text(encoding="utf-8")
        specs = chart_specs(html_text)
        assert specs
        for name, spec in specs.items():
            for data in spec.get("datasets", {}).values():
                for point in data:
                    points += 1
                    for column, value in point.items():
                        if column in RULE_LINES:
                            continue
                        if isinstance(value, float) and not math.isnan(value):
                            assert value not in forbidden, (folder.path, name, column, point)
                        if column in COUNT_COLUMNS and isinstance(value, int):
                            assert value not in SMALL, (folder.path, name, point)
    assert points > 0


_WORKFORCE = {"All staff": "all", "Clinical": "clinical", "Non-clinical": "non_clinical"}


def test_report_tables_hide_small_counts_and_what_rests_on_them(run):
    _, rows = warehouse_rows(run.warehouse, "wres_indicators")
    _, rep_rows = warehouse_rows(run.warehouse, "representation")
    checked = Counter()
    for folder in published_folders(run.out):
        exact = {
            key_of(r, INDICATOR_KEY)[2:]: r
            for r in rows
            if r["organisation_code"] == folder.organisation and str(r["snapshot_date"]) == folder.snapshot
        }
        representation = {
            key_of(r, REPRESENTATION_KEY)[2:]: r
            for r in rep_rows
            if r["organisation_code"] == folder.organisation and str(r["snapshot_date"]) == folder.snapshot
        }
        tables = report_tables((folder.path / "wres_report.html").read_text(encoding="utf-8"))
        assert tables
        for table in tables:
            header = table["header"]
            scope = {"maternity": "maternity_neonatal", "trust": "trust"}.get(table["section"])
            # count columns: never 1 to 4
            for column in ("People", "Staff"):
                if column in header:
                    index = header.index(column)
                    for cells in table["rows"]:
                        assert _as_count(cells[index]) not in SMALL, (folder.path, table["caption"], cells)
                        checked["count cells"] += 1
            if table["caption"] == "Indicator 1: workforce by band" and scope:
                for cells in table["rows"]:
                    workforce, band = cells[0].split(", ", 1)
                    breakdown = f"{_WORKFORCE[workforce]}|{'all' if band == 'all bands' else band}"
                    for group, text in zip(("white", "bme", "unknown"), cells[1:4], strict=True):
                        truth = exact[(scope, "1", "share", group, breakdown)]
                        if truth["suppressed"]:
                            assert text == "*", (folder.path, breakdown, group, text)
                        else:
                            assert text == format_share(truth["value"]), (folder.path, breakdown, group)
                        checked["band cells"] += 1
            if table["caption"] == "Representation against the community" and scope:
                for cells in table["rows"]:
                    group, reference = cells[0].rstrip(")").split(" (")
                    truth = representation[(scope, reference, group)]
                    shown = [
                        cells[header.index(c)] for c in ("Staff", "Workforce share", "Ratio", "95% interval")
                    ]
                    if truth["suppressed"]:
                        assert shown == ["*"] * 4, (folder.path, cells)
                    else:
                        assert shown[0] == f"{truth['headcount']:,}", (folder.path, cells)
                    checked["representation rows"] += 1
            if table["caption"].startswith("Indicators 5 to 8") and scope:
                for cells in table["rows"]:
                    number = cells[0].split(" ")[0]
                    for group, index in (("white", 1), ("bme", 3)):
                        truth = exact.get((scope, number, "rate", group, ""))
                        if truth is None or truth["suppressed"]:
                            assert cells[index] == "*" or cells[index] == "", (folder.path, cells)
                        else:
                            assert cells[index] == format_share(truth["value"]), (folder.path, cells)
                        checked["survey cells"] += 1
    assert checked["count cells"] and checked["band cells"] and checked["representation rows"]
    assert checked["survey cells"]


def _published_texts(out: Path) -> dict[str, bytes]:
    """Every published file's bytes; an XLSX's zip members are read uncompressed."""
    texts = {}
    for root, _dirs, files in os.walk(out / ".versions"):
        for name in files:
            path = Path(root) / name
            data = path.read_bytes()
            if path.suffix == ".xlsx":
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    for member in archive.namelist():
                        texts[f"{path}!{member}"] = archive.read(member)
            else:
                texts[str(path)] = data
    return texts


def test_no_identifier_or_pseudonym_is_published_printed_or_logged(run):
    key = TEST_KEY.encode()
    wanted = {f"{what} (raw)": raw for what, raw in run.identifiers.items()}
    wanted |= {f"{what} (pseudonym)": pseudonym(raw, key) for what, raw in run.identifiers.items()}
    # the same 128 bits written as plain hex, and the whole HMAC an older version stored
    wanted |= {
        f"{what} (pseudonym hex)": pseudonym(raw, key).replace("-", "")
        for what, raw in run.identifiers.items()
    }
    wanted |= {
        f"{what} (whole hmac)": hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()
        for what, raw in run.identifiers.items()
    }
    places = _published_texts(run.out)
    assert any(p.endswith("wres_report.html") for p in places)
    for console in (run.first, run.second):
        places["console"] = (console.stdout + console.stderr).encode()
    for log in (run.work / "data" / "state" / "logs").glob("*"):
        places[str(log)] = log.read_bytes()
    for what, value in wanted.items():
        needle = value.encode()
        if run.name == "demo" and "(raw)" in what:
            continue  # short synthetic ids (R10004618) can occur inside other numbers: pseudonyms only
        found = [place for place, data in places.items() if needle in data]
        assert not found, f"{what} found in {found}"
    if run.name == "crafted":
        # the planted pseudonyms do exist in the warehouse's staging: the search above could have failed
        con = duckdb.connect(str(run.warehouse), read_only=True)
        try:
            employees = {
                r[0] for r in con.execute("select employee_id::varchar from staging.staff_in_post").fetchall()
            }
        finally:
            con.close()
        assert pseudonym(PLANTED["employee"], key) in employees


def test_a_multi_organisation_publication_has_a_national_report_without_hidden_figures(run):
    dated = [link for link in sorted(run.out.iterdir()) if link.is_symlink() and link.name[:2] == "20"]
    reports = [link / "national_report.html" for link in dated]
    if run.name == "demo":  # one organisation: no national report
        assert not any(report.exists() for report in reports)
        return
    assert len(reports) == 2 and all(report.exists() for report in reports)
    forbidden = (_forbidden_values(run, ORG_A) | _forbidden_values(run, ORG_B)) - _shown_values(run)
    assert forbidden, "no hidden values to look for"
    for report in reports:
        html_text = report.read_text(encoding="utf-8")
        assert "http://" not in html_text.split("<script")[0] and 'src="http' not in html_text
        headline = next(t for t in report_tables(html_text) if t["caption"].startswith("Headline figures"))
        assert {unneutralised(row[0]) for row in headline["rows"]} == {ORG_A, ORG_B}
        numbers = 0
        for name, spec in chart_specs(html_text).items():
            for data in spec.get("datasets", {}).values():
                for point in data:
                    if "curve" in point:  # a limit line, from the pooled national value: not a trust's
                        continue
                    for column, value in point.items():
                        if isinstance(value, float) and not math.isnan(value):
                            numbers += 1
                            assert value not in forbidden, (report, name, column, point)
        assert numbers > 0


def _shown_values(run: Run) -> set[float]:
    shown = set()
    for table, columns in (
        ("wres_indicators", ("value", "ci_low", "ci_high")),
        ("representation", ("workforce_share", "ratio", "ci_low", "ci_high")),
    ):
        for row in warehouse_rows(run.warehouse, table)[1]:
            if not row["suppressed"]:
                shown.update(row[c] for c in columns if row[c] is not None)
    return shown
