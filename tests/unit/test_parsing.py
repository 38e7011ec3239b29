"""wres.parsing.parse: typed columns, the check columns validation reads, assignment order."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from wres.config import Settings, settings_from_dict
from wres.kinds import KINDS
from wres.parsing import parse
from wres.reading import RawTable


def raw(columns: dict[str, list[str | None]], delimiter: str = ",") -> RawTable:
    height = len(next(iter(columns.values())))
    frame = pl.DataFrame(
        {"__row": list(range(2, height + 2)), **columns},
        schema={"__row": pl.Int64, **{name: pl.String for name in columns}},
    )
    return RawTable(frame=frame, header_row=1, source_format="csv", encoding="utf-8", delimiter=delimiter)


def test_board_values_are_typed_and_bad_text_is_kept_for_the_message():
    typed = parse(
        raw(
            {
                "organisation_code": [" RXX ", "RXX", ""],
                "member_id": ["m1", "m2", "m3"],
                "ethnic_origin": ["A", "Martian", ""],
                "voting": ["Y", "maybe", "no"],
                "executive": ["yes", "", "0"],
            }
        ),
        KINDS["board"],
        Settings(),
    )
    assert typed["__row"].to_list() == [2, 3, 4]
    assert typed["organisation_code"].to_list() == ["RXX", "RXX", None]
    assert typed["voting"].to_list() == [True, None, False]
    assert typed["voting__invalid"].to_list() == [False, True, False]
    assert typed["voting__invalid_text"].to_list() == [None, "maybe", None]
    # blank is "not given", never invalid
    assert typed["executive"].to_list() == [True, None, False]
    assert typed["executive__invalid"].to_list() == [False, False, False]
    assert typed["ethnic_origin__invalid"].to_list() == [False, True, False]
    assert typed["ethnic_group"].to_list() == ["white", None, "unknown"]
    assert typed["unknown_reason"].to_list() == [None, None, "not_known"]


def test_dates_numbers_and_their_dtypes():
    typed = parse(
        raw(
            {
                "organisation_code": ["RXX"] * 3,
                "case_id": ["c1", "c2", "c3"],
                "employee_id": ["e1", "e2", "e3"],
                "investigation_start_date": ["2024-03-31", "31/03/2024", "31/02/2024"],
            }
        ),
        KINDS["disciplinary"],
        Settings(),
    )
    assert typed.schema["investigation_start_date"] == pl.Date
    assert typed["investigation_start_date"].to_list() == [date(2024, 3, 31), date(2024, 3, 31), None]
    assert typed["investigation_start_date__invalid_text"].to_list() == [None, None, "31/02/2024"]
    # an optional column the file lacks is not invented
    assert "ethnic_origin" not in typed.columns


@pytest.mark.parametrize(
    ("delimiter", "expected", "invalid"),
    [
        # semicolons come from a spreadsheet that writes decimal commas: 0,8 is 0.8
        (";", [0.8, 1.0, 0.5, 1.0, 0.25, None, None], [None, None, None, None, None, "1.000,5", "0,5,1"]),
        # in a comma-separated file a decimal comma is not a number
        (
            ",",
            [None, 1.0, None, None, 0.25, None, None],
            ["0,8", None, " 0,5 ", "1,0", None, "1.000,5", "0,5,1"],
        ),
    ],
)
def test_decimal_commas_in_files_separated_by_semicolons(delimiter, expected, invalid):
    values = ["0,8", "1", " 0,5 ", "1,0", ".25", "1.000,5", "0,5,1"]
    columns = {
        "organisation_code": ["RXX"] * 7,
        "area_code": [f"E0{i}" for i in range(7)],
        "weight": values,
    }
    typed = parse(raw(columns, delimiter), KINDS["catchment"], Settings())
    assert typed["weight"].to_list() == expected
    assert typed["weight__invalid_text"].to_list() == [v and v.strip() for v in invalid]


def test_survey_answers_become_codes_and_census_labels_are_ethnicities():
    typed = parse(
        raw(
            {
                "organisation_code": ["RXX"] * 3,
                "respondent_id": ["r1", "r2", "r3"],
                "ethnicity": ["Asian", "White: Roma", "Klingon"],
                "q14a": ["Never", "3-5", "7"],
                "q15": ["Don't know", "", "1"],
            }
        ),
        KINDS["staff_survey"],
        Settings(),
    )
    assert typed.schema["q14a"] == pl.Int8
    assert typed["q14a"].to_list() == [1, 3, None]
    assert typed["q14a__invalid"].to_list() == [False, False, True]
    assert typed["q15"].to_list() == [3, None, 1]
    assert typed["ethnic_group"].to_list() == ["bme", "white", None]
    assert typed["ethnicity__invalid"].to_list() == [False, False, True]


def staff(**overrides: list[str | None]) -> dict[str, list[str | None]]:
    n = len(next(iter(overrides.values()))) if overrides else 2
    columns: dict[str, list[str | None]] = {
        "organisation_code": ["RXX"] * n,
        "employee_id": [f"E{i}" for i in range(n)],
        "assignment_id": [f"A{i}" for i in range(n)],
        "staff_group": ["Nursing and Midwifery Registered"] * n,
        "job_role": ["Staff Nurse"] * n,
        "area_of_work": ["Ward 1"] * n,
        "pay_band": ["Band 5"] * n,
        "ethnic_origin": ["A"] * n,
    }
    columns.update(overrides)
    return columns


def test_assignment_order_compares_assignment_ids_as_text_within_each_employee():
    typed = parse(
        raw(staff(employee_id=["E1", "E1", "E1", "E2"], assignment_id=["9", "10", "100", "5"])),
        KINDS["staff_in_post"],
        Settings(),
    )
    # as text "10" < "100" < "9"
    assert typed["assignment_order"].to_list() == [3, 1, 2, 1]
    assert typed.schema["assignment_order"] == pl.Int32


def test_staff_flags_unrecognised_bands_and_staff_groups_and_honours_aliases():
    frame = staff(
        pay_band=["Band 5", "Band 8", "Grade X"], staff_group=["Admin and Clerical", "Wizards", "Wizards"]
    )
    typed = parse(raw(frame), KINDS["staff_in_post"], Settings())
    assert typed["band_recognised"].to_list() == [True, False, False]
    assert typed["staff_group_recognised"].to_list() == [True, False, False]
    # staff_group stays as given: staging normalises it
    assert typed["staff_group"].to_list() == ["Admin and Clerical", "Wizards", "Wizards"]
    settings = settings_from_dict(
        {"aliases": {"band": {"Grade X": "Band 3"}, "staff_group": {"Wizards": "Admin and Clerical"}}}
    )
    typed = parse(raw(frame), KINDS["staff_in_post"], settings)
    assert typed["band_recognised"].to_list() == [True, False, True]
    assert typed["staff_group_recognised"].to_list() == [True, True, True]


@pytest.mark.parametrize(
    ("value", "alias", "invalid"),
    [("White Scottish", None, True), ("White Scottish", "C", False), ("", None, False), ("Z", None, False)],
)
def test_ethnicity_aliases_make_a_value_valid(value, alias, invalid):
    settings = (
        settings_from_dict({"aliases": {"ethnicity": {"White Scottish": alias}}}) if alias else Settings()
    )
    typed = parse(raw(staff(ethnic_origin=[value])), KINDS["staff_in_post"], settings)
    assert typed["ethnic_origin__invalid"].to_list() == [invalid]


def test_header_only_file_parses_to_an_empty_typed_frame():
    typed = parse(
        raw({"organisation_code": [], "member_id": [], "ethnic_origin": [], "voting": [], "executive": []}),
        KINDS["board"],
        Settings(),
    )
    assert typed.height == 0
    assert typed.schema["voting"] == pl.Boolean
    assert typed.schema["voting__invalid"] == pl.Boolean
