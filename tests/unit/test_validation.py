"""wres.validation: each check fails on a tiny file, with the severity, outcome and message the
contract sets; clean files pass; settings override severities; the suites are well formed."""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from pathlib import Path

import polars as pl
import pytest

from tests.pseudonyms import KEY, pseudonymised
from wres.config import Settings, settings_from_dict
from wres.errors import ConfigError
from wres.kinds import KINDS
from wres.parsing import parse
from wres.pseudonymise import pseudonymise_column
from wres.reading import RawTable
from wres.resources import resource_dir
from wres.validation import ValidationContext, ValidationReport, build_data_docs, validate

FILE_DATE = date(2025, 3, 31)


def raw(columns: dict[str, list[str | None]]) -> RawTable:
    height = len(next(iter(columns.values())))
    frame = pl.DataFrame(
        {"__row": list(range(2, height + 2)), **columns},
        schema={"__row": pl.Int64, **{name: pl.String for name in columns}},
    )
    return RawTable(frame=frame, header_row=1, source_format="csv", encoding="utf-8", delimiter=",")


def clean(kind: str, n: int = 3) -> dict[str, list[str | None]]:
    """n rows of a kind that pass every check (all ethnicities known)."""
    org = ["RXX"] * n
    ids = [f"ID{i:04d}" for i in range(n)]
    return {
        "staff_in_post": {
            "organisation_code": org,
            "employee_id": [f"EMP{i:04d}" for i in range(n)],
            "assignment_id": ids,
            "staff_group": ["Nursing and Midwifery Registered"] * n,
            "job_role": ["Staff Nurse"] * n,
            "area_of_work": ["Ward 1"] * n,
            "pay_band": ["Band 5"] * n,
            "ethnic_origin": ["A"] * n,
            "fte": ["1"] * n,
            "is_primary_assignment": ["Y"] * n,
        },
        "recruitment": {
            "organisation_code": org,
            "application_id": ids,
            "ethnic_origin": ["N"] * n,
            "shortlisted": ["Y"] * n,
            "appointed": ["N"] * n,
            "shortlisted_date": ["2025-01-15"] * n,
        },
        "disciplinary": {
            "organisation_code": org,
            "case_id": ids,
            "employee_id": [f"EMP{i:04d}" for i in range(n)],
            "investigation_start_date": ["01/02/2025"] * n,
            "ethnic_origin": ["H"] * n,
        },
        "training": {
            "organisation_code": org,
            "record_id": ids,
            "employee_id": [f"EMP{i:04d}" for i in range(n)],
            "start_date": ["2025-02-01"] * n,
            "mandatory": ["N"] * n,
        },
        "board": {
            "organisation_code": org,
            "member_id": ids,
            "ethnic_origin": ["A"] * n,
            "voting": ["Y"] * n,
            "executive": ["N"] * n,
        },
        "staff_survey": {
            "organisation_code": org,
            "respondent_id": ids,
            "ethnicity": ["White"] * n,
            "q14a": ["1"] * n,
            "q14b": ["1"] * n,
            "q14c": ["2"] * n,
            "q15": ["Yes"] * n,
            "q16b": ["No"] * n,
        },
        "catchment": {"organisation_code": org, "area_code": ["E08000025"] * n, "weight": ["1"] * n},
        "reference": {
            "organisation_code": org,
            "ethnic_group": ["Asian", "White", "Black"][:n] + ["Other"] * max(0, n - 3),
            "population": ["100"] * n,
        },
    }[kind]


CENSUS = pl.DataFrame({"area_code": ["E08000025", "K04000001"], "ethnic_group": ["White", "White"]})


def run(
    kind: str,
    columns: dict[str, list[str | None]],
    settings: Settings | None = None,
    context: ValidationContext | None = None,
    file_date: date | None = FILE_DATE,
    extension: str = "csv",
) -> ValidationReport:
    settings = settings or Settings()
    frame = parse(raw(columns), KINDS[kind], settings)
    context = context or ValidationContext(census=CENSUS)
    return validate(frame, KINDS[kind], f"{kind}_2025-03-31.{extension}", file_date, settings, context)


def only_failure(report: ValidationReport, check: str):
    failed = [r for r in report.results if not r.passed]
    assert [r.check for r in failed] == [check], report.render_failures()
    return failed[0]


def with_(kind: str, n: int = 3, **changes: list[str | None]) -> dict[str, list[str | None]]:
    columns = clean(kind, n)
    columns.update(changes)
    return columns


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_clean_file_passes_every_check(kind):
    report = run(kind, clean(kind))
    assert not report.rejected
    assert [r for r in report.results if not r.passed] == []
    assert report.results, "the suite ran"


# critical checks --------------------------------------------------------------------------


def test_blank_required_value_rejects_with_rows_but_no_identifier_values():
    report = run(
        "staff_in_post", with_("staff_in_post", 4, employee_id=["EMP-SECRET-1", None, "EMP-SECRET-3", None])
    )
    result = only_failure(report, "missing_value")
    assert (result.severity, result.column, result.unexpected_count) == ("critical", "employee_id", 2)
    assert report.rejected
    assert "staff_in_post_2025-03-31.csv, column employee_id" in result.message
    assert "blank on 2 rows (rows 3, 5)" in result.message
    assert "SECRET" not in result.message


def test_blank_ethnic_origin_is_valid_not_known():
    report = run("staff_in_post", with_("staff_in_post", 20, ethnic_origin=[""] + ["A"] * 19))
    assert not report.rejected
    assert all(r.passed for r in report.results)


def test_unparseable_boolean_names_the_values_with_counts_and_rows():
    report = run("recruitment", with_("recruitment", 4, shortlisted=["Y", "maybe", "maybe", "Sí"]))
    result = only_failure(report, "unparseable_value")
    assert (result.severity, result.column, result.unexpected_count) == ("critical", "shortlisted", 3)
    assert report.rejected
    assert '"maybe" (2 rows), "Sí" (1 row)' in result.message
    assert "rows 3, 4, 5" in result.message
    assert "Y/N, Yes/No, True/False or 1/0" in result.message


@pytest.mark.parametrize("kind", ["staff_in_post", "recruitment", "board", "staff_survey"])
def test_an_organisation_code_that_cannot_name_a_folder_rejects(kind):
    # the code names a folder of the publication: a path in it must never reach the file system
    report = run(kind, with_(kind, 4, organisation_code=["RXX", "../../X", "/tmp/X", ".versions"]))
    result = only_failure(report, "unparseable_value")
    assert (result.severity, result.column, result.unexpected_count) == ("critical", "organisation_code", 3)
    assert report.rejected
    assert '"../../X" (1 row), ".versions" (1 row), "/tmp/X" (1 row)' in result.message
    assert "rows 3, 4, 5" in result.message
    assert "that can name a folder" in result.message


def test_organisation_codes_of_any_other_form_are_taken_as_given():
    codes = ["RXX", "TRUST_A", "ORG-1", "=RBB"]  # "=RBB" reaches the publication neutralised
    assert not run("board", with_("board", 4, organisation_code=codes)).rejected


def test_a_bad_value_that_is_one_of_the_files_identifiers_is_never_shown():
    # a misaligned export: employee numbers (and an assignment number) in the ethnicity column
    columns = with_("staff_in_post", 5, ethnic_origin=["A", "EMP0000", "EMP0001", "ID0004", "Martian"])
    frame = pseudonymised(parse(raw(columns), KINDS["staff_in_post"], Settings()))
    context = ValidationContext(census=CENSUS, pseudonymise=partial(pseudonymise_column, key=KEY))
    report = validate(
        frame, KINDS["staff_in_post"], "staff_in_post_2025-03-31.csv", FILE_DATE, Settings(), context
    )
    message = only_failure(report, "unknown_ethnic_code").message
    assert not any(raw_id in message for raw_id in ("EMP0000", "EMP0001", "ID0004"))
    assert '"(an identifier, not shown)" (3 rows), "Martian" (1 row)' in message
    assert "rows 3, 4, 5, 6" in message
    # the alias example is a value that may be shown
    assert '[aliases.ethnicity] "Martian" = ' in message


def test_a_number_that_is_one_of_the_files_identifiers_is_never_shown():
    # a misaligned export: an employee number in the fte column (a number, out of range)
    columns = with_(
        "staff_in_post",
        4,
        employee_id=["98700001", "98700002", "98700003", "98700004"],
        fte=["98700003", "1", "2", "1.8"],
    )
    frame = pseudonymised(parse(raw(columns), KINDS["staff_in_post"], Settings()))
    context = ValidationContext(census=CENSUS, pseudonymise=partial(pseudonymise_column, key=KEY))
    report = validate(
        frame, KINDS["staff_in_post"], "staff_in_post_2025-03-31.csv", FILE_DATE, Settings(), context
    )
    message = only_failure(report, "fte_out_of_range").message
    assert "98700003" not in message
    assert '"(an identifier, not shown)" (1 row), "1.8" (1 row), "2" (1 row); rows 2, 4, 5' in message


def test_unknown_ethnic_code_names_values_and_the_alias_setting():
    values = ["White Scottish", "A", "White Scottish", "Martian"]
    report = run("board", with_("board", 4, ethnic_origin=values))
    result = only_failure(report, "unknown_ethnic_code")
    assert (result.severity, result.column, result.unexpected_count) == ("critical", "ethnic_origin", 3)
    assert '"White Scottish" (2 rows), "Martian" (1 row)' in result.message
    assert "rows 2, 4, 5" in result.message
    assert '[aliases.ethnicity] "White Scottish" = "CODE"' in result.message
    assert "Z when the person did not state it" in result.message  # no code suggested for a value
    fixed = run(
        "board",
        with_("board", 4, ethnic_origin=values),
        settings_from_dict({"aliases": {"ethnicity": {"White Scottish": "C", "Martian": "S"}}}),
    )
    assert not fixed.rejected


def test_unknown_survey_answer_rejects():
    report = run("staff_survey", with_("staff_survey", 3, q14a=["1", "7", "Sometimes"]))
    result = only_failure(report, "unknown_survey_answer")
    assert (result.severity, result.column, result.unexpected_count) == ("critical", "q14a", 2)
    assert '"7" (1 row), "Sometimes" (1 row)' in result.message
    assert "1 never; 2 1-2; 3 3-5; 4 6-10; 5 more than 10" in result.message


def test_repeated_id_counts_rows_and_never_shows_the_id():
    report = run(
        "staff_in_post", with_("staff_in_post", 4, assignment_id=["ASG-777", "ASG-1", "ASG-777", "ASG-2"])
    )
    result = only_failure(report, "duplicate_id")
    assert (result.severity, result.column, result.unexpected_count) == ("critical", "assignment_id", 2)
    assert "1 repeated value on 2 rows (rows 2, 4)" in result.message
    assert "ASG-777" not in result.message


def test_appointed_without_shortlisted_rejects():
    report = run(
        "recruitment",
        with_(
            "recruitment",
            3,
            shortlisted=["Y", "N", "N"],
            appointed=["Y", "Y", "N"],
            shortlisted_date=["2025-01-15", "", ""],
        ),
    )
    result = only_failure(report, "appointed_without_shortlisted")
    assert (result.severity, result.column, result.unexpected_count) == ("critical", "appointed", 1)
    assert "row 3" in result.message


def test_a_blank_required_value_names_the_other_header_that_means_the_column():
    columns = with_("staff_in_post", 3, pay_band=["Band 5", "", ""])
    plain = only_failure(run("staff_in_post", columns), "missing_value").message
    assert "The file also has" not in plain
    context = ValidationContext(census=CENSUS, outranked_headers={"pay_band": ["Grade"]})
    message = only_failure(run("staff_in_post", columns, context=context), "missing_value").message
    assert (
        'blank on 2 rows (rows 3, 4), but it is required on every row. The file also has "Grade", which '
        "also means pay_band but lost to the column read"
    ) in message


def test_shortlisted_date_missing_only_where_shortlisted():
    report = run(
        "recruitment",
        with_("recruitment", 3, shortlisted=["Y", "Y", "N"], shortlisted_date=["2025-01-15", "", ""]),
    )
    result = only_failure(report, "shortlisted_date_missing")
    assert (result.severity, result.column, result.unexpected_count) == ("critical", "shortlisted_date", 1)
    assert "blank on 1 row where shortlisted is true (row 3)" in result.message


def test_fte_outside_0_to_1_5_rejects_and_names_values():
    report = run("staff_in_post", with_("staff_in_post", 4, fte=["1.5", "0", "1.6", "-0.1"]))
    result = only_failure(report, "fte_out_of_range")
    assert (result.severity, result.column, result.unexpected_count) == ("critical", "fte", 2)
    assert '"1.6" (1 row)' in result.message and '"-0.1" (1 row)' in result.message
    assert "rows 4, 5" in result.message


def test_spreadsheet_date_serials_get_a_hint_and_other_bad_dates_do_not():
    serials = run("training", with_("training", 3, start_date=["45382", "2024-05-01", "45383.0"]))
    message = only_failure(serials, "unparseable_value").message
    assert '"45382" (1 row), "45383.0" (1 row)' in message
    assert "spreadsheet date serials (45382 is 31/03/2024)" in message
    assert "in the spreadsheet, then save it as CSV." in message
    in_a_workbook = run("training", with_("training", 1, start_date=["45382"]), extension="xlsx")
    assert "then save the workbook." in only_failure(in_a_workbook, "unparseable_value").message
    words = run("training", with_("training", 3, start_date=["next week", "2024-05-01", "1234"]))
    assert "serials" not in only_failure(words, "unparseable_value").message


def test_survey_answer_labels_a_spreadsheet_turned_into_dates_get_a_hint():
    dates = run("staff_survey", with_("staff_survey", 3, q14a=["1", "2025-02-01", "2025-05-03"]))
    message = only_failure(dates, "unknown_survey_answer").message
    assert '"2025-02-01" (1 row), "2025-05-03" (1 row)' in message
    assert "a spreadsheet turned into dates" in message
    words = run("staff_survey", with_("staff_survey", 3, q14a=["1", "7", "Sometimes"]))
    assert "turned into dates" not in only_failure(words, "unknown_survey_answer").message


@pytest.mark.parametrize(
    ("kind", "column", "value", "check"),
    [
        ("disciplinary", "investigation_start_date", "2025-04-01", "date_in_future"),
        ("training", "start_date", "01/04/2025", "date_in_future"),
        ("recruitment", "shortlisted_date", "1949-12-31", "date_before_1950"),
    ],
)
def test_dates_after_the_file_date_or_before_1950_reject(kind, column, value, check):
    columns = clean(kind, 2)
    columns[column] = [columns[column][0], value]
    report = run(kind, columns)
    result = only_failure(report, check)
    assert (result.severity, result.column, result.unexpected_count) == ("critical", column, 1)
    assert "row 3" in result.message
    assert report.rejected


def test_the_file_date_itself_and_1950_01_01_are_allowed():
    columns = with_("disciplinary", 2, investigation_start_date=["2025-03-31", "1950-01-01"])
    assert not run("disciplinary", columns).rejected


@pytest.mark.parametrize(
    ("kind", "rejected"),
    [
        ("staff_in_post", True),
        ("board", True),
        ("catchment", True),
        ("recruitment", False),
        ("staff_survey", False),
        ("disciplinary", False),
    ],
)
def test_header_only_files(kind, rejected):
    columns = {name: [] for name in clean(kind, 1)}
    report = run(kind, columns)
    assert report.rejected is rejected
    if rejected:
        result = only_failure(report, "no_rows")
        assert "has a header but no rows" in result.message


def test_catchment_area_codes_not_in_the_census_are_named():
    report = run("catchment", with_("catchment", 3, area_code=["E08000025", "E99999999", "E99999999"]))
    result = only_failure(report, "unknown_catchment_area")
    assert (result.severity, result.column) == ("critical", "area_code")
    assert '"E99999999" (2 rows)' in result.message


def test_reference_population_problems_reject():
    report = run("reference", with_("reference", 3, population=["100", "-5", "10"]))
    result = only_failure(report, "reference_population")
    assert result.severity == "critical"
    assert "negative" in result.message
    assert report.rejected


# warnings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("unknown", "warns"), [(1, False), (2, True)])
def test_unknown_ethnicity_above_ten_percent_warns(unknown, warns):
    values = ["Z"] * unknown + ["A"] * (10 - unknown)
    report = run("board", with_("board", 10, ethnic_origin=values))
    assert not report.rejected
    failed = [r for r in report.results if not r.passed]
    if warns:
        assert [(r.check, r.severity) for r in failed] == [("unknown_ethnicity_share", "warning")]
        assert "20% of rows (2 of 10: not stated 2)" in failed[0].message
    else:
        assert failed == []


@pytest.mark.parametrize(
    ("now", "before", "warns"), [(2, 10, True), (5, 4, True), (6, 5, False), (4, 5, False)]
)
def test_staff_count_change_beyond_20_percent_warns_both_ways(now, before, warns):
    report = run(
        "staff_in_post",
        clean("staff_in_post", now),
        context=ValidationContext(previous_staff_count={"RXX": before}),
    )
    assert not report.rejected
    failed = [r for r in report.results if not r.passed]
    assert [r.check for r in failed] == (["staff_count_change"] if warns else [])
    if warns:
        assert failed[0].severity == "warning"
        assert f"RXX {now} employees, {before} in its previous snapshot" in failed[0].message


def test_employees_in_no_snapshot_are_counted_not_named():
    columns = with_("training", 3, employee_id=["EMP-KNOWN", "EMP-GONE", "EMP-GONE"])
    context = ValidationContext(known_employees={"RXX": {"EMP-KNOWN"}, "RYY": {"EMP-GONE"}})
    report = run("training", columns, context=context)
    result = only_failure(report, "employee_not_in_snapshot")
    assert (result.severity, report.rejected) == ("warning", False)
    assert "1 employee found in no loaded staff-in-post snapshot" in result.message
    assert "2 rows: rows 3, 4" in result.message
    assert "EMP-GONE" not in result.message


@pytest.mark.parametrize(
    ("column", "labels", "check", "setting"),
    [
        ("pay_band", ["Band 5", "Band 8", "Band 8", "Grade X"], "unrecognised_band", "[aliases.band]"),
        (
            "staff_group",
            ["Admin and Clerical", "Band 8", "Band 8", "Grade X"],
            "unrecognised_staff_group",
            "[aliases.staff_group]",
        ),
    ],
)
def test_unrecognised_bands_and_staff_groups_warn_with_labels(column, labels, check, setting):
    report = run("staff_in_post", with_("staff_in_post", 4, **{column: labels}))
    result = only_failure(report, check)
    assert (result.severity, result.column, report.rejected) == ("warning", column, False)
    assert '"Band 8" (2 rows), "Grade X" (1 row)' in result.message
    assert f'{setting} "Band 8" = ' in result.message
    assert "The rows load" in result.message


# settings and message limits --------------------------------------------------------------


def test_severity_overrides_change_the_outcome():
    columns = with_("staff_in_post", 3, fte=["1", "2", "1"])
    as_warning = run(
        "staff_in_post",
        columns,
        settings_from_dict({"validation": {"severity": {"fte_out_of_range": "warning"}}}),
    )
    assert not as_warning.rejected
    assert only_failure(as_warning, "fte_out_of_range").severity == "warning"
    # the advice follows the severity: the file loaded, so the fix is for the next export
    assert only_failure(as_warning, "fte_out_of_range").message.endswith(
        "or change [validation] fte_min / fte_max in wres.toml for the next export: this file loaded, as "
        "[validation.severity] makes this check a warning."
    )
    critical = only_failure(run("staff_in_post", columns), "fte_out_of_range").message
    assert critical.endswith("fte_max in wres.toml, and drop the file again.")
    off = run(
        "staff_in_post",
        columns,
        settings_from_dict({"validation": {"severity": {"fte_out_of_range": "off"}}}),
    )
    assert not off.rejected
    assert "fte_out_of_range" not in {r.check for r in off.results}
    stricter = run(
        "staff_in_post",
        with_("staff_in_post", 3, pay_band=["Band 5", "Band 8", "Band 5"]),
        settings_from_dict({"validation": {"severity": {"unrecognised_band": "critical"}}}),
    )
    assert stricter.rejected
    # the message says what happens under the settings: the file is rejected, not that its rows load
    message = only_failure(stricter, "unrecognised_band").message
    assert "The file is rejected ([validation.severity] makes this check critical)" in message
    assert "The rows load" not in message


def test_threshold_settings_are_used():
    columns = with_("staff_in_post", 3, fte=["1", "1.8", "1"])
    assert run("staff_in_post", columns).rejected
    assert not run("staff_in_post", columns, settings_from_dict({"validation": {"fte_max": 2.0}})).rejected


@pytest.mark.parametrize("severity", [{"no_such_check": "warning"}, {"fte_out_of_range": "loud"}])
def test_bad_severity_settings_are_config_errors(severity):
    with pytest.raises(ConfigError):
        run("board", clean("board"), settings_from_dict({"validation": {"severity": severity}}))


def test_long_values_and_many_values_and_rows_are_cut_short():
    values = ["x" * 1_000_000] * 2 + [f"Bad{i:02d}" for i in range(23)]
    report = run("board", with_("board", 25, voting=values))
    result = only_failure(report, "unparseable_value")
    assert len(result.message) < 2500
    assert '"xxxxxxxxxx' in result.message and '..." (1000000 characters) (2 rows)' in result.message
    assert "and 4 more" in result.message  # 24 distinct values, 20 shown
    assert "(the first 10 of 25)" in result.message


def test_render_failures_lists_status_and_each_failure():
    report = run(
        "staff_in_post",
        with_("staff_in_post", 3, fte=["1", "2", "1"], pay_band=["Band 5", "Band 8", "Band 5"]),
    )
    text = report.render_failures().splitlines()
    assert text[0] == "staff_in_post_2025-03-31.csv: REJECTED"
    assert text[1].startswith("  - [critical] staff_in_post_2025-03-31.csv, column fte")
    assert text[2].startswith("  - [warning] staff_in_post_2025-03-31.csv, column pay_band")


# the suites -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_suites_load_from_json_with_check_and_severity_in_every_expectation(kind):
    suite = json.loads((resource_dir("expectations") / f"{kind}.json").read_text(encoding="utf-8"))
    assert suite["name"] == kind
    for expectation in suite["expectations"]:
        assert expectation["meta"]["check"]
        assert expectation["meta"]["severity"] in ("critical", "warning")
    checked = {
        e["meta"].get("column", e["kwargs"]["column"])
        for e in suite["expectations"]
        if e["meta"]["check"] == "missing_value"
    }
    required = {c for c in KINDS[kind].required if c not in ("ethnic_origin", "ethnicity")}
    assert checked == required
    parsed = {
        e["meta"]["column"]
        for e in suite["expectations"]
        if e["meta"]["check"] in ("unparseable_value", "unknown_survey_answer")
    }
    assert parsed == {c.name for c in KINDS[kind].columns if c.type != "text"}


def test_data_docs_are_written_for_the_validations(tmp_path):
    reports = [
        run("board", clean("board")),
        run("staff_in_post", with_("staff_in_post", 3, fte=["1", "2", "1"])),
    ]
    index = build_data_docs(reports, tmp_path / "docs")
    assert index == tmp_path / "docs" / "index.html"
    pages = sorted(p.name for p in (tmp_path / "docs" / "validations").rglob("*.html"))
    assert pages == ["board_2025-03-31.csv.html", "staff_in_post_2025-03-31.csv.html"]


def test_data_docs_into_a_relative_folder(tmp_path, monkeypatch):
    """GX resolves a relative site folder inside its temporary project: the docs must still land in
    the folder relative to where the run is (as the default warehouse path is)."""
    monkeypatch.chdir(tmp_path)
    index = build_data_docs([run("board", clean("board"))], Path("data/warehouse/data-docs"))
    assert index is not None and index.samefile(tmp_path / "data/warehouse/data-docs/index.html")


@pytest.mark.parametrize("seed", range(5))
def test_identifier_codes_are_equal_exactly_where_the_identifiers_are(seed):
    from wres.validation import identifier_codes

    rng = __import__("random").Random(seed)
    # few distinct values (repeats, so the exact rank is used) or many (the hash is used)
    pool = [f"{rng.getrandbits(256):064x}" for _ in range(rng.choice([3, 5000]))]
    values = pl.Series("employee_id", [rng.choice(pool + [None]) for _ in range(4000)])
    codes = identifier_codes(values)
    assert codes.is_null().to_list() == values.is_null().to_list()
    frame = pl.DataFrame({"value": values, "code": codes}).drop_nulls()
    assert frame.unique().height == frame["value"].n_unique() == frame["code"].n_unique()
    assert codes.max() < 2**53  # exact in the float64 column pandas makes of integers with blanks


# as published: the warnings about the people behind the figures lose their counts ----------------


def _published(result) -> str:
    from wres.validation import published_message

    return published_message(result.check, result.severity, result.message)


def _no_small_counts(text: str) -> bool:
    """No count of rows, people or values and no row number: what the messages write them as."""
    import re

    counts = r"\d+ rows?\b|\brows? \d|\(\d+ of \d+|\d+ employees?|not (?:known|stated) \d|\d+ more\b|\d+%"
    return re.search(counts, text.replace("10%", "").replace("20%", "")) is None


def test_published_warnings_carry_no_counts_of_people():
    unknown = only_failure(
        run("board", with_("board", 10, ethnic_origin=["Z"] * 3 + ["A"] * 7)), "unknown_ethnicity_share"
    )
    change = only_failure(
        run(
            "staff_in_post",
            clean("staff_in_post", 2),
            context=ValidationContext(previous_staff_count={"RXX": 10}),
        ),
        "staff_count_change",
    )
    leavers = only_failure(
        run(
            "training",
            with_("training", 3, employee_id=["EMP-KNOWN", "EMP-GONE", "EMP-GONE"]),
            context=ValidationContext(known_employees={"RXX": {"EMP-KNOWN"}}),
        ),
        "employee_not_in_snapshot",
    )
    band = only_failure(
        run("staff_in_post", with_("staff_in_post", 4, pay_band=["Band 5", "Band 8", "Band 8", "Grade X"])),
        "unrecognised_band",
    )
    for result in (unknown, change, leavers, band):
        published = _published(result)
        assert published != result.message
        assert _no_small_counts(published), published
        assert "ops.validation_results" in published
    assert "not known on more than 10% of rows." in _published(unknown)
    assert "since the previous snapshot: RXX." in _published(change)
    assert "employees found in no loaded staff-in-post snapshot of their organisation;" in _published(leavers)
    assert '"Band 8", "Grade X". The rows load' in _published(band)


def test_other_messages_are_published_as_they_are():
    result = only_failure(
        run("board", with_("board", 4, ethnic_origin=["Martian", "A", "A", "A"])), "unknown_ethnic_code"
    )
    assert _published(result) == result.message


def test_a_limit_with_a_decimal_percent_still_hides_the_counts():
    # 3 of 35 unknown (8.6%) above a limit of 5.5%: the published text must not give 3 of 35
    settings = settings_from_dict({"validation": {"unknown_ethnicity_max_share": 0.055}})
    unknown = only_failure(
        run("board", with_("board", 35, ethnic_origin=["Z"] * 3 + ["A"] * 32), settings),
        "unknown_ethnicity_share",
    )
    assert "(3 of 35: not stated 3), above 5.5%." in unknown.message
    published = _published(unknown)
    assert "not known on more than 5.5% of rows." in published
    assert "3 of 35" not in published and "8.6%" not in published


@pytest.mark.parametrize(
    ("check", "columns", "found"),
    [
        (
            "unknown_ethnic_code",
            {"ethnic_origin": ["White Scottish"] * 3 + ["A"] * 7},
            "values that are not NHS ethnic categories",
        ),
        ("fte_out_of_range", {"fte": ["2", "1", "1", "1", "1", "1", "1", "1", "1", "1"]}, "values outside"),
    ],
)
def test_a_critical_check_made_a_warning_publishes_no_counts_rows_or_values(check, columns, found):
    # the file loads, so its rows stand behind the figures: "White Scottish" on 3 rows would give a
    # hidden unknown count back, and the value with its row is a person's ethnicity
    settings = settings_from_dict({"validation": {"severity": {check: "warning"}}})
    result = only_failure(run("staff_in_post", with_("staff_in_post", 10, **columns), settings), check)
    assert result.severity == "warning" and "row" in result.message
    published = _published(result)
    assert published.startswith(f"staff_in_post_2025-03-31.csv, column {next(iter(columns))}: {found}")
    assert "the file loaded, as [validation.severity] makes this check a warning" in published
    assert _no_small_counts(published), published
    assert "White Scottish" not in published and '"2"' not in published


def test_a_survey_without_a_questions_column_warns_naming_the_indicators_it_leaves_empty():
    columns = clean("staff_survey", 3)
    del columns["q14b"], columns["q14c"], columns["q16b"]
    report = run("staff_survey", columns)
    result = only_failure(report, "survey_questions_missing")
    assert (result.severity, result.column, report.rejected) == ("warning", "q14b, q14c, q16b", False)
    assert result.message.startswith(
        "staff_survey_2025-03-31.csv: no column found for q14b, q14c, q16b, so indicators 6, 8 have no "
        "answers from this file."
    )
    assert "[survey_questions]" in result.message and "--state" in result.message


def test_great_expectations_warms_up_once_per_process():
    from wres.validation import _great_expectations, warm_up_in_background

    first = warm_up_in_background()
    assert warm_up_in_background() is first  # the ingest's call after `wres run`'s starts nothing new
    first.join()
    assert _great_expectations() is _great_expectations()
