"""The published CSVs and the XLSX workbook (wres/tables.py), read back with polars and openpyxl.

The fixture is a hand-made, already disclosure-controlled slice of the two contract tables: one
organisation at 2025-03-31, a hidden indicator 1 row (numerator 3 of 10, so numerator and value
are blank) and a hidden relative likelihood; one source_period holds a formula payload and one
"-abc", which a spreadsheet would read as formulas.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from tests.contract_schemas import INDICATOR_SCHEMA, REPRESENTATION_SCHEMA
from wres.config import Settings, settings_from_dict
from wres.tables import (
    FORMULA_TRIGGERS,
    neutralise_formula,
    neutralise_frame,
    safe_sheet_name,
    workbook_notes,
    workbook_sheets,
    write_csv,
    write_tables,
    write_workbook,
)

D = dt.date(2025, 3, 31)
PAYLOAD = '=HYPERLINK("http://x")'

W = "2024-04-01..2025-03-31"
INDICATOR_ROWS = [
    ("RXX", D, "trust", 1, "share", "bme", "all|all", 25, 100, 0.25, 0.175, 0.34, None, False, "2025-03-31"),
    ("RXX", D, "trust", 1, "share", "bme", "clinical|Band 8a", None, 10, None, None, None, None, True,
     PAYLOAD),
    ("RXX", D, "trust", 2, "rate", "white", "", 50, 100, 0.5, 0.40, 0.60, None, False, W),
    ("RXX", D, "trust", 2, "relative_likelihood", "white_vs_bme", "", None, None, 1.5, 1.1, 2.05,
     "adverse to bme; significant", False, W),
    ("RXX", D, "trust", 3, "relative_likelihood", "bme_vs_white", "", None, None, None, None, None, None,
     True, W),
    ("RXX", D, "trust", 5, "rate", "bme", "", 30, 100, 0.3, 0.22, 0.39, None, False, "NSS 2024"),
    ("RXX", D, "trust", 9, "share", "bme", "voting", 10, 100, 0.1, 0.05, 0.17, None, False, "-abc"),
    ("RXX", D, "trust", 9, "difference", "bme", "voting", None, None, -0.05, None, None, None, False,
     "2025-01-01"),
]  # fmt: skip

REPRESENTATION_ROWS = [
    ("RXX", D, "trust", "census2021", "Asian", 120, 0.12, 0.093, 1.2903225806452, 1.09, 1.52, False),
    ("RXX", D, "trust", "census2021", "Other", None, None, 0.021, None, None, None, True),
]


def indicators() -> pl.DataFrame:
    return pl.DataFrame(INDICATOR_ROWS, schema=INDICATOR_SCHEMA, orient="row")


def representation() -> pl.DataFrame:
    return pl.DataFrame(REPRESENTATION_ROWS, schema=REPRESENTATION_SCHEMA, orient="row")


def tables() -> dict[str, pl.DataFrame]:
    return {"wres_indicators": indicators(), "representation": representation()}


NOTES = [("Title", "WRES monitor"), ("Organisation", "RXX"), ("Odd", "+1 is not a formula")]


# --- neutralising formulas ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        (PAYLOAD, "'" + PAYLOAD),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-abc", "'-abc"),
        ("-5", "'-5"),  # text that looks like a number is still text
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\0=1+1", "'\0=1+1"),
        # left alone
        ("Band 5", "Band 5"),
        ("a=b", "a=b"),
        ("", ""),
        ("'=1+1", "'=1+1"),  # already neutral: not prefixed twice
        ("2024-04-01..2025-03-31", "2024-04-01..2025-03-31"),
        ("adverse to bme; significant", "adverse to bme; significant"),
    ],
)
def test_neutralise_formula(text: str, expected: str) -> None:
    assert neutralise_formula(text) == expected


def test_neutralise_frame_changes_text_columns_only() -> None:
    frame = pl.DataFrame(
        {
            "text": ["=1+1", "-abc", "ok", None, "\tx"],
            "count": [-5, 1, 2, None, 3],
            "value": [-0.5, 0.0, 1.5, None, 2.0],
            "flag": [True, False, None, True, False],
        }
    )
    result = neutralise_frame(frame)
    assert result.schema == frame.schema
    assert result["text"].to_list() == ["'=1+1", "'-abc", "ok", None, "'\tx"]
    assert result["count"].to_list() == [-5, 1, 2, None, 3]
    assert result["value"].to_list() == [-0.5, 0.0, 1.5, None, 2.0]
    assert result["flag"].to_list() == [True, False, None, True, False]


def test_the_scalar_and_the_vectorised_rule_agree_on_every_trigger() -> None:
    texts = [c + "x" for c in FORMULA_TRIGGERS] + ["x" + c for c in FORMULA_TRIGGERS] + ["", " =x"]
    frame = neutralise_frame(pl.DataFrame({"text": texts}))
    assert frame["text"].to_list() == [neutralise_formula(t) for t in texts]


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_keeps_columns_and_rows_and_neutralises_text(tmp_path: Path) -> None:
    path = write_csv(indicators(), tmp_path / "wres_indicators.csv")
    back = pl.read_csv(path, schema=INDICATOR_SCHEMA)
    assert back.columns == list(INDICATOR_SCHEMA)
    assert back.height == len(INDICATOR_ROWS)
    assert back["source_period"][1] == "'" + PAYLOAD
    assert back["source_period"][6] == "'-abc"
    # everything else, numbers included (-0.05 stays a number), comes back exactly
    expected = indicators().with_columns(
        pl.Series("source_period", [r[-1] for r in INDICATOR_ROWS]).replace(
            {PAYLOAD: "'" + PAYLOAD, "-abc": "'-abc"}
        )
    )
    assert back.equals(expected)


def test_csv_text_layout(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {"d": [D, None], "x": [0.1 + 0.2, None], "n": [-5, None], "b": [True, False], "s": ["a,b", None]}
    )
    text = write_csv(frame, tmp_path / "t.csv").read_text(encoding="utf-8")
    assert text.splitlines() == [
        "d,x,n,b,s",
        '2025-03-31,0.30000000000000004,-5,true,"a,b"',
        ",,,false,",  # hidden cells are blank
    ]


def test_csv_hidden_cells_are_blank(tmp_path: Path) -> None:
    path = write_csv(indicators(), tmp_path / "wres_indicators.csv")
    raw = pl.read_csv(path, infer_schema=False)
    hidden = raw.row(1, named=True)
    assert (hidden["numerator"], hidden["value"], hidden["ci_low"], hidden["suppressed"]) == (
        None,
        None,
        None,
        "true",
    )
    assert hidden["denominator"] == "10"
    assert "é" in write_csv(pl.DataFrame({"s": ["é"]}), tmp_path / "u.csv").read_text(encoding="utf-8")


# --- workbook ----------------------------------------------------------------------------------

SHEETS = [
    "1 Workforce by band",
    "2-4 Relative likelihoods",
    "5-8 Staff survey",
    "9 Board",
    "Representation",
    "Notes",
]


@pytest.fixture
def workbook(tmp_path: Path) -> openpyxl.Workbook:
    path = write_workbook(tables(), tmp_path / "w.xlsx", notes=NOTES)
    return openpyxl.load_workbook(path)


def test_workbook_sheets_and_rows_per_sheet(workbook: openpyxl.Workbook) -> None:
    assert workbook.sheetnames == SHEETS
    # by hand from INDICATOR_ROWS: two of indicator 1, three of 2-4, one of 5-8, two of 9
    data_rows = {name: workbook[name].max_row - 1 for name in SHEETS[:5]}
    assert data_rows == {
        "1 Workforce by band": 2,
        "2-4 Relative likelihoods": 3,
        "5-8 Staff survey": 1,
        "9 Board": 2,
        "Representation": 2,
    }


def test_workbook_header_is_bold_frozen_and_filtered(workbook: openpyxl.Workbook) -> None:
    sheet = workbook["1 Workforce by band"]
    header = [c.value for c in sheet[1]]
    assert header == list(INDICATOR_SCHEMA)
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:O3"  # 15 columns, header and two rows
    # widths follow the longest text: "clinical|Band 8a" (16) in G, "scope" / "trust" (5) in C
    assert sheet.column_dimensions["G"].width > sheet.column_dimensions["C"].width


def test_workbook_values_are_numbers_with_formats(workbook: openpyxl.Workbook) -> None:
    workforce = workbook["1 Workforce by band"]
    share = workforce["J2"]  # value column of the all|all row
    assert (share.value, share.data_type, share.number_format) == (0.25, "n", "0.0%")
    assert (workforce["H2"].value, workforce["H2"].number_format) == (25, "0")
    date_cell = workforce["B2"]
    assert date_cell.value == dt.datetime(2025, 3, 31)
    assert date_cell.number_format == "yyyy-mm-dd"
    assert workforce["N2"].value is False  # suppressed as a boolean

    likelihoods = workbook["2-4 Relative likelihoods"]
    assert [c.value for c in likelihoods["E"][1:]] == ["rate", "relative_likelihood", "relative_likelihood"]
    rate, rl = likelihoods["J2"], likelihoods["J3"]
    assert (rate.value, rate.number_format) == (0.5, "0.0%")
    assert (rl.value, rl.number_format) == (1.5, "0.00")
    assert (likelihoods["L3"].value, likelihoods["L3"].number_format) == (2.05, "0.00")

    difference = workbook["9 Board"]["J3"]
    assert (difference.value, difference.data_type, difference.number_format) == (-0.05, "n", "0.0%")

    ratio = workbook["Representation"]["I2"]
    assert (ratio.value, ratio.number_format) == (1.2903225806452, "0.00")
    assert workbook["Representation"]["G2"].number_format == "0.0%"


def test_workbook_hidden_cells_are_blank(workbook: openpyxl.Workbook) -> None:
    hidden = workbook["1 Workforce by band"]
    assert [hidden[f"{col}3"].value for col in "HJKLM"] == [None, None, None, None, None]
    assert hidden["I3"].value == 10  # the denominator is not hidden
    assert hidden["N3"].value is True
    assert workbook["2-4 Relative likelihoods"]["J4"].value is None
    assert workbook["Representation"]["F3"].value is None


def test_workbook_text_is_never_a_formula(workbook: openpyxl.Workbook) -> None:
    payload = workbook["1 Workforce by band"]["O3"]
    assert (payload.value, payload.data_type) == ("'" + PAYLOAD, "s")
    minus = workbook["9 Board"]["O2"]
    assert (minus.value, minus.data_type) == ("'-abc", "s")
    notes = workbook["Notes"]
    assert [tuple(c.value for c in row) for row in notes.iter_rows()] == [
        ("Item", "Detail"),
        ("Title", "WRES monitor"),
        ("Organisation", "RXX"),
        ("Odd", "'+1 is not a formula"),
    ]
    every_cell = [c for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in every_cell if c.data_type == "f"]


def test_data_quality_sheet_only_when_given(tmp_path: Path) -> None:
    quality = pl.DataFrame(
        {
            "name": ["=cmd|' /C calc'!A0.csv", "staff_in_post_2025-03-31.csv"],
            "status": ["rejected", "loaded"],
            "rows": [-5, 120],
        }
    )
    path = write_workbook(tables(), tmp_path / "w.xlsx", notes=NOTES, data_quality=quality)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [*SHEETS, "Data quality"]
    sheet = book["Data quality"]
    assert sheet["A2"].value == "'=cmd|' /C calc'!A0.csv"
    assert (sheet["C2"].value, sheet["C2"].data_type) == (-5, "n")


def test_workbook_bytes_are_reproducible(tmp_path: Path) -> None:
    first = write_workbook(tables(), tmp_path / "a.xlsx", notes=NOTES).read_bytes()
    second = write_workbook(tables(), tmp_path / "b.xlsx", notes=NOTES).read_bytes()
    assert first == second
    changed = tables()
    changed["wres_indicators"] = changed["wres_indicators"].with_columns(pl.col("value") * 2)
    assert write_workbook(changed, tmp_path / "c.xlsx", notes=NOTES).read_bytes() != first


def test_workbook_of_an_empty_table_has_headers(tmp_path: Path) -> None:
    empty = {"wres_indicators": indicators().clear()}
    book = openpyxl.load_workbook(write_workbook(empty, tmp_path / "e.xlsx", notes=[]))
    assert book.sheetnames == ["1 Workforce by band", "2-4 Relative likelihoods", "5-8 Staff survey",
                               "9 Board", "Notes"]  # fmt: skip
    assert [c.value for c in book["9 Board"][1]] == list(INDICATOR_SCHEMA)
    assert book["9 Board"].max_row == 1


def test_workbook_refuses_an_unknown_table(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown table"):
        workbook_sheets({"wres_indicators": indicators(), "staging_rows": indicators()})


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2-4 Relative likelihoods", "2-4 Relative likelihoods"),
        ("Data quality: files/checks", "Data quality_ files_checks"),
        ("a" * 40, "a" * 31),
        ("[x]*?\\", "_x____"),
    ],
)
def test_safe_sheet_name(name: str, expected: str) -> None:
    assert safe_sheet_name(name) == expected
    assert len(safe_sheet_name(name)) <= 31


def test_write_tables_writes_both_csvs_and_the_workbook(tmp_path: Path) -> None:
    written = write_tables(tmp_path / "pub", tables(), notes=NOTES)
    assert [p.name for p in written] == ["wres_indicators.csv", "representation.csv", "wres_tables.xlsx"]
    assert pl.read_csv(written[1], schema=REPRESENTATION_SCHEMA).height == 2


def test_workbook_notes_follow_the_settings() -> None:
    notes = dict(
        workbook_notes(organisation="RXX", snapshot=D, settings=Settings(), sources=["staff_in_post.csv"])
    )
    assert notes["Snapshot date"] == "2025-03-31"
    assert "Counts of 1 to 4 are hidden" in notes["Disclosure control"]
    assert "fewer than 11 respondents" in notes["Disclosure control"]
    assert "0.80 <= RL <= 1.25" in notes["Interpretation"]
    assert notes["Source"] == "staff_in_post.csv"


def test_workbook_notes_say_counts_are_rounded_only_when_they_are() -> None:
    def disclosure_note(settings: Settings) -> str:
        return dict(workbook_notes(organisation="RXX", snapshot=D, settings=settings))["Disclosure control"]

    assert "rounded" not in disclosure_note(Settings())
    rounded = settings_from_dict({"disclosure": {"round_to": 5}})
    assert "Counts shown are rounded to the nearest 5" in disclosure_note(rounded)
