"""Reading files into raw tables: encodings, delimiters, XLSX, header rows, aliases, rejections.

Every expected value below is worked out by hand from the bytes the test writes.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from wres.config import Settings, settings_from_dict
from wres.errors import FileRejected
from wres.kinds import KINDS
from wres.reading import cell_text, normalise_header, read_raw

BOARD = KINDS["board"]
STAFF = KINDS["staff_in_post"]
SURVEY = KINDS["staff_survey"]
DEFAULTS = Settings()

BOARD_HEADER = "organisation_code,member_id,ethnic_origin,voting,executive"
BOARD_COLUMNS = ["__row", "organisation_code", "member_id", "ethnic_origin", "voting", "executive"]


def _write(tmp_path: Path, data: bytes, name: str = "board_2025-03-31.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _read(tmp_path, data: bytes, kind=BOARD, settings=DEFAULTS, name="board_2025-03-31.csv", **kw):
    return read_raw(_write(tmp_path, data, name), kind, settings, **kw)


def _rejected(tmp_path, data: bytes, kind=BOARD, settings=DEFAULTS, name="board_2025-03-31.csv", **kw):
    with pytest.raises(FileRejected) as caught:
        _read(tmp_path, data, kind, settings, name, **kw)
    assert name in caught.value.message
    return caught.value


# ---------------------------------------------------------------------------------------------
# header normalisation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ethnic Origin", "ethnicorigin"),
        ("ethnic_origin", "ethnicorigin"),
        ("ETHNIC-ORIGIN", "ethnicorigin"),
        ("  Org. Code  ", "orgcode"),
        ("Contracted WTE (%)", "contractedwte"),
        ("\ufeffmember_id", "memberid"),
        ("q14a", "q14a"),
        ("", ""),
    ],
)
def test_normalise_header(text, expected):
    assert normalise_header(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12345, "12345"),
        (12345.0, "12345"),
        (0.5, "0.5"),
        (0.1 + 0.2, "0.3"),  # Excel shows 15 significant digits
        (-3.0, "-3"),
        (True, "True"),
        (False, "False"),
        (dt.datetime(2025, 3, 31), "2025-03-31"),
        (dt.datetime(2025, 3, 31, 9, 30), "2025-03-31 09:30:00"),
        (dt.date(2024, 2, 29), "2024-02-29"),
        ("=SUM(A1)", "=SUM(A1)"),
        (None, None),
    ],
)
def test_cell_text(value, expected):
    assert cell_text(value) == expected


# ---------------------------------------------------------------------------------------------
# encodings and delimiters


def test_utf8_values_rows_and_blank_handling(tmp_path):
    data = (
        f"{BOARD_HEADER}\n"
        "RX1, M1 ,A,Y,N\n"  # line 2: whitespace around a value is stripped
        "\n"  # line 3: blank line, dropped
        ",,,,\n"  # line 4: all cells empty, dropped
        "   \n"  # line 5: whitespace only, dropped
        "RX1,M2,Ó x,Y,\n"  # line 6: empty executive -> null
        'RX1,"M3",A,"",N\n'  # line 7: quoted empty -> null
        "\n\n"  # ESR exports end with blank lines
    ).encode()
    table = _read(tmp_path, data)
    assert (table.source_format, table.encoding, table.delimiter) == ("csv", "utf-8", ",")
    assert (table.header_row, table.title_rows, table.ignored_columns) == (1, 0, [])
    assert table.frame.columns == BOARD_COLUMNS
    assert all(str(t) == "String" for t in table.frame.dtypes[1:])
    assert str(table.frame.dtypes[0]) == "Int64"
    assert table.frame.rows() == [
        (2, "RX1", "M1", "A", "Y", "N"),
        (6, "RX1", "M2", "Ó x", "Y", None),
        (7, "RX1", "M3", "A", None, "N"),
    ]


def test_utf8_with_bom_and_crlf(tmp_path):
    data = b"\xef\xbb\xbf" + f"{BOARD_HEADER}\r\nRX1,M1,\u00d3,Y,N\r\nRX1,M2,B,N,N\r\n".encode()
    table = _read(tmp_path, data)
    assert table.encoding == "utf-8-sig"
    assert table.frame.rows() == [(2, "RX1", "M1", "Ó", "Y", "N"), (3, "RX1", "M2", "B", "N", "N")]


@pytest.mark.parametrize("block_bytes", [4, 5, 8 << 20])  # 4 and 5 cut some CRLFs in two
def test_lines_ended_by_cr_alone(tmp_path, monkeypatch, block_bytes):
    """Excel's "CSV (Macintosh)" ends lines with CR alone: every row is read, numbered by its line."""
    monkeypatch.setattr("wres.reading._SCAN_CHUNK_BYTES", block_bytes)
    data = f"Board report\r{BOARD_HEADER}\rRX1,M1,A,Y,N\rRX1,M2,B,N,N\r".encode()
    table = _read(tmp_path, data)
    assert table.frame.select("__row", "member_id", "voting").rows() == [(3, "M1", "Y"), (4, "M2", "N")]


@pytest.mark.parametrize("block_bytes", [4, 5, 8 << 20])
def test_a_cr_alone_in_a_crlf_file_breaks_a_line_there(tmp_path, monkeypatch, block_bytes):
    """A title written with a CR inside, above CRLF lines: the header is on line 3 and no row is lost."""
    monkeypatch.setattr("wres.reading._SCAN_CHUNK_BYTES", block_bytes)
    data = f"Board report\rRun 01/04/2025\r\n{BOARD_HEADER}\r\nRX1,M1,A,Y,N\r\nRX1,M2,\xd3,N,N".encode(
        "cp1252"
    )
    table = _read(tmp_path, data)
    assert table.header_row == 3
    assert table.encoding == "windows-1252"
    assert table.frame.select("__row", "member_id", "ethnic_origin").rows() == [
        (4, "M1", "A"),
        (5, "M2", "Ó"),
    ]


def test_windows_1252(tmp_path):
    # 0xD3 is Ó, 0xA3 is £, 0x80 is € in Windows-1252; none of them is valid UTF-8 alone
    data = BOARD_HEADER.encode() + b"\nRX1,M1,\xd3 \xa3 \x80,Y,N\n"
    table = _read(tmp_path, data)
    assert table.encoding == "windows-1252"
    assert table.frame["ethnic_origin"].to_list() == ["Ó £ €"]


def test_mixed_encodings_are_rejected_with_the_line(tmp_path):
    data = BOARD_HEADER.encode() + b"\nRX1,M1,\xc3\x93,Y,N\nRX1,M2,A,Y,N\nRX1,M3,\xd3,Y,N\n"
    error = _rejected(tmp_path, data)
    assert error.check == "encoding"
    assert "line 4" in error.message
    assert "mixes" in error.message


def test_semicolon(tmp_path):
    data = (BOARD_HEADER.replace(",", ";") + "\nRX1;M1;A - White British, English;Y;N\n").encode()
    table = _read(tmp_path, data)
    assert table.delimiter == ";"
    assert table.frame.rows() == [(2, "RX1", "M1", "A - White British, English", "Y", "N")]


@pytest.mark.parametrize(("delimiter", "word"), [("\t", "tabs"), ("|", "pipes")])
def test_other_delimiters_are_rejected(tmp_path, delimiter, word):
    data = (
        BOARD_HEADER.replace(",", delimiter) + f"\nRX1{delimiter}M1{delimiter}A{delimiter}Y{delimiter}N\n"
    ).encode()
    error = _rejected(tmp_path, data)
    assert error.check == "delimiter"
    assert word in error.message
    assert "commas or semicolons" in error.message


# ---------------------------------------------------------------------------------------------
# header row, title rows, row numbers


def test_esr_title_rows_above_the_header(tmp_path):
    title = (
        "Staff in Post Report,,\n"
        "Run by: ESR BI,,\n"
        'Parameters: "all", 31/03/2025\n'
        "\n"
        ",,\n"
        "Page 1 of 1\n"
        "Trust X\n"
        "\n"
    )
    data = (title + BOARD_HEADER + "\nRX1,M1,A,Y,N\nRX1,M2,B,Y,Y\n").encode()
    table = _read(tmp_path, data)
    assert (table.header_row, table.title_rows) == (9, 8)
    assert table.frame["__row"].to_list() == [10, 11]


def test_header_must_be_within_the_first_50_rows(tmp_path):
    data = ("title\n" * 50 + BOARD_HEADER + "\nRX1,M1,A,Y,N\n").encode()
    error = _rejected(tmp_path, data)
    assert error.check == "required_columns"


def test_quoted_value_spanning_lines_moves_later_row_numbers(tmp_path):
    data = (BOARD_HEADER + '\nRX1,M1,"A\nwhite\nbritish",Y,N\nRX1,M2,B,Y,N\n').encode()
    table = _read(tmp_path, data)
    # record 1 starts on line 2 and runs to line 4; record 2 starts on line 5
    assert table.frame["__row"].to_list() == [2, 5]
    assert table.frame["ethnic_origin"].to_list() == ["A\nwhite\nbritish", "B"]


def test_one_megabyte_field(tmp_path):
    big = "x" * 1_000_000
    data = f'{BOARD_HEADER}\nRX1,M1,"{big}",Y,N\nRX1,M2,{big},Y,N\n'.encode()
    table = _read(tmp_path, data)
    assert table.frame["ethnic_origin"].str.len_chars().to_list() == [1_000_000, 1_000_000]


def test_formula_text_in_csv_stays_text(tmp_path):
    table = _read(tmp_path, f"{BOARD_HEADER}\nRX1,=SUM(A1),=1+1,Y,N\n".encode())
    assert table.frame.row(0) == (2, "RX1", "=SUM(A1)", "=1+1", "Y", "N")


def test_header_only_gives_an_empty_frame(tmp_path):
    table = _read(tmp_path, f"{BOARD_HEADER}\n".encode())
    assert table.frame.columns == BOARD_COLUMNS
    assert table.frame.height == 0


def test_trailing_delimiter_on_data_lines_is_harmless(tmp_path):
    table = _read(tmp_path, f"{BOARD_HEADER}\nRX1,M1,A,Y,N,\nRX1,M2,A,Y,N,\n".encode())
    assert table.frame.rows() == [(2, "RX1", "M1", "A", "Y", "N"), (3, "RX1", "M2", "A", "Y", "N")]


def test_extra_values_beyond_the_header_are_rejected(tmp_path):
    data = f"{BOARD_HEADER}\nRX1,M1,A,Y,N\nRX1,SECRET9,White, British,Y,N\n".encode()
    error = _rejected(tmp_path, data)
    assert error.check == "ragged_rows"
    assert "line(s) 3" in error.message
    assert "SECRET9" not in error.message


# ---------------------------------------------------------------------------------------------
# aliases


ESR_HEADER = (
    "Org Code,Employee Number,Assignment Number,Staff Group,Job Role,Area of Work,Pay Band,"
    "Ethnic Origin,Primary,Contracted WTE,Organisation,Assignment Category"
)
ESR_ROW = (
    "RX1,12345,12345-2,Nursing and Midwifery Registered,Staff Nurse,Maternity,Band 5,A,Yes,0.8,"
    "Ward 7,Permanent"
)


def test_esr_headers_map_through_the_aliases(tmp_path):
    table = _read(tmp_path, f"{ESR_HEADER}\n{ESR_ROW}\n".encode(), STAFF, name="staff_in_post_2025-03-31.csv")
    assert table.frame.columns == [
        "__row",
        "organisation_code",
        "employee_id",
        "assignment_id",
        "staff_group",
        "job_role",
        "area_of_work",
        "pay_band",
        "ethnic_origin",
        "assignment_category",
        "is_primary_assignment",
        "fte",
    ]
    assert table.frame.row(0) == (
        2,
        "RX1",
        "12345",
        "12345-2",
        "Nursing and Midwifery Registered",
        "Staff Nurse",
        "Maternity",
        "Band 5",
        "A",
        "Permanent",
        "Yes",
        "0.8",
    )
    assert table.ignored_columns == ["Organisation"]


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("ODS Code", "organisation_code"),
        ("Organisation Code", "organisation_code"),
        ("Grade", "pay_band"),
        ("Primary Assignment", "is_primary_assignment"),
        ("ethnic origin", "ethnic_origin"),
        ("ETHNIC_ORIGIN", "ethnic_origin"),
    ],
)
def test_alias_variants(tmp_path, header, column):
    replaced = {
        "organisation_code": "Org Code",
        "pay_band": "Pay Band",
        "is_primary_assignment": "Primary",
        "ethnic_origin": "Ethnic Origin",
    }[column]
    table = _read(
        tmp_path,
        f"{ESR_HEADER.replace(replaced, header)}\n{ESR_ROW}\n".encode(),
        STAFF,
        name="staff_in_post_2025-03-31.csv",
    )
    expected = {"organisation_code": "RX1", "pay_band": "Band 5", "is_primary_assignment": "Yes"}
    assert table.frame[column].to_list() == [expected.get(column, "A")]


def test_exact_canonical_name_wins_over_an_alias(tmp_path):
    data = b"Org Code,member_id,Ethnicity,ethnic_origin,voting,executive\nRX1,M1,White,A,Y,N\n"
    table = _read(tmp_path, data)
    assert table.frame["ethnic_origin"].to_list() == ["A"]
    assert table.ignored_columns == ["Ethnicity"]


def test_organisation_is_not_an_alias_of_organisation_code(tmp_path):
    data = b"Organisation,member_id,ethnic_origin,voting,executive\nWard 7,M1,A,Y,N\n"
    error = _rejected(tmp_path, data)
    assert error.check == "required_columns"
    assert error.column == "organisation_code"


def test_settings_organisation_code_fills_the_column(tmp_path):
    settings = settings_from_dict({"organisation_code": "RXX"})
    data = b"Organisation,member_id,ethnic_origin,voting,executive\nWard 7,M1,A,Y,N\nWard 8,M2,B,N,N\n\n"
    table = _read(tmp_path, data, settings=settings)
    assert table.frame.rows() == [(2, "RXX", "M1", "A", "Y", "N"), (3, "RXX", "M2", "B", "N", "N")]
    assert table.ignored_columns == ["Organisation"]


def test_settings_organisation_code_does_not_override_the_files_column(tmp_path):
    settings = settings_from_dict({"organisation_code": "RXX"})
    table = _read(tmp_path, f"{BOARD_HEADER}\nRX1,M1,A,Y,N\n".encode(), settings=settings)
    assert table.frame["organisation_code"].to_list() == ["RX1"]


def test_an_alias_from_the_settings(tmp_path):
    data = b"organisation_code,member_id,Their Header,voting,executive\nRX1,M1,A,Y,N\n"
    error = _rejected(tmp_path, data)
    assert error.check == "required_columns"
    assert error.column == "ethnic_origin"
    assert "[aliases.headers]" in error.message
    assert '"Their Header"' in error.message  # listed among the headers found
    settings = settings_from_dict({"aliases": {"headers": {"Their Header": "ethnic_origin"}}})
    table = _read(tmp_path, data, settings=settings)
    assert table.frame["ethnic_origin"].to_list() == ["A"]


def test_missing_required_column_names_it_and_never_shows_values(tmp_path):
    data = (
        b"Board report\n"
        b"organisation_code,member_id,ethnic_origin,voting\n"  # line 2: executive missing
        b"RX1,SECRET1,A,Y\n"
    )
    error = _rejected(tmp_path, data)
    assert error.check == "required_columns"
    assert error.column == "executive"
    assert "lacks executive" in error.message
    assert "row 2" in error.message
    assert "SECRET1" not in error.message


def test_a_file_with_no_header_at_all_lists_no_values(tmp_path):
    error = _rejected(tmp_path, b"RX1,SECRET1,A,Y,N\nRX1,SECRET2,B,Y,N\n")
    assert error.check == "required_columns"
    assert "SECRET" not in error.message


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("organisation_code,member_id,member_id,ethnic_origin,voting,executive", ['"member_id"']),
        (
            "organisation_code,member_id,Ethnicity,Ethnic Group,voting,executive",
            ['"Ethnicity"', '"Ethnic Group"'],
        ),
    ],
)
def test_duplicated_headers_are_rejected(tmp_path, header, named):
    error = _rejected(tmp_path, f"{header}\nRX1,M1,A,A,Y,N\n".encode())
    assert error.check == "duplicated_header"
    for text in named:
        assert text in error.message


# ---------------------------------------------------------------------------------------------
# staff survey question columns by year

SURVEY_HEADER = "organisation_code,respondent_id,ethnicity,q13a,q13b,q13c,q14,q15b,q15"
SURVEY_ROW = "RX1,R1,White,1,2,3,1,2,5"


def test_survey_2019_columns_map_to_the_2021_names(tmp_path):
    table = _read(
        tmp_path,
        f"{SURVEY_HEADER}\n{SURVEY_ROW}\n".encode(),
        SURVEY,
        name="staff_survey_2019.csv",
        survey_year=2019,
    )
    row = table.frame.row(0, named=True)
    # 2019: q13a/b/c hold harassment (canonical q14a/b/c), q14 equal opportunities (canonical
    # q15), q15b discrimination (canonical q16b); the file's own q15 is another question
    assert {q: row[q] for q in ("q14a", "q14b", "q14c", "q15", "q16b")} == {
        "q14a": "1",
        "q14b": "2",
        "q14c": "3",
        "q15": "1",
        "q16b": "2",
    }
    assert table.ignored_columns == ["q15"]


def test_survey_2024_uses_the_2021_names(tmp_path):
    header = "organisation_code,respondent_id,ethnicity,q14a,q14b,q14c,q15,q16b,q13a"
    table = _read(
        tmp_path,
        f"{header}\nRX1,R1,White,1,2,3,3,1,9\n".encode(),
        SURVEY,
        name="staff_survey_2024.csv",
        survey_year=2024,
    )
    row = table.frame.row(0, named=True)
    assert [row[q] for q in ("q14a", "q14b", "q14c", "q15", "q16b")] == ["1", "2", "3", "3", "1"]
    assert table.ignored_columns == ["q13a"]


# ---------------------------------------------------------------------------------------------
# XLSX


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_first_sheet_numbers_dates_and_title_rows(tmp_path):
    rows = [
        ["Staff in Post Report"],
        [],
        [
            "organisation_code",
            "employee_id",
            "assignment_id",
            "staff_group",
            "job_role",
            "area_of_work",
            "pay_band",
            "Ethnic Origin",
            "Primary",
            "fte",
        ],
        ["RX1", 12345, 12345.0, "Admin and Clerical", "Clerk", "Corporate", "Band 3", "A", True, 0.5],
        [None, None, None, None, None, None, None, None, None, None],
        ["RX1", 678, "678-2", "Medical and Dental", "Consultant", "Obstetrics", "Consultant", "N", False, 1],
        [],
    ]
    path = _workbook(tmp_path / "staff_in_post_2025-03-31.xlsx", {"Report": rows})
    table = read_raw(path, STAFF, DEFAULTS)
    assert (table.source_format, table.encoding, table.delimiter) == ("xlsx", None, None)
    assert (table.header_row, table.title_rows) == (3, 2)
    assert table.frame.select(
        "__row", "employee_id", "assignment_id", "is_primary_assignment", "fte"
    ).rows() == [
        (4, "12345", "12345", "True", "0.5"),
        (6, "678", "678-2", "False", "1"),
    ]


def test_xlsx_sheet_named_like_the_kind_and_dates_and_formula_text(tmp_path):
    path = tmp_path / "recruitment_2025-03-31.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing to see"])
    sheet = book.create_sheet("Recruitment")
    sheet.append(
        [
            "organisation_code",
            "application_id",
            "ethnic_origin",
            "shortlisted",
            "appointed",
            "shortlisted_date",
        ]
    )
    sheet.append(["RX1", "A1", "A", "Y", "N", dt.datetime(2025, 1, 31)])
    sheet.append(["RX1", "A2", "B", "Y", "Y", dt.date(2024, 12, 1)])
    sheet["C3"].value = "=SUM(A1)"
    sheet["C3"].data_type = "s"  # stored as text, as a user typing '=SUM(A1) would
    book.save(path)
    table = read_raw(path, KINDS["recruitment"], DEFAULTS)
    assert table.frame.select("__row", "ethnic_origin", "shortlisted_date").rows() == [
        (2, "A", "2025-01-31"),
        (3, "=SUM(A1)", "2024-12-01"),
    ]


def test_staff_in_post_sheet_name_compared_normalised(tmp_path):
    header = [
        "organisation_code",
        "employee_id",
        "assignment_id",
        "staff_group",
        "job_role",
        "area_of_work",
        "pay_band",
        "ethnic_origin",
    ]
    path = _workbook(
        tmp_path / "staff_in_post_2025-03-31.xlsx",
        {
            "Cover": [["cover page"]],
            "Staff in post": [header, ["RX2", "E1", "E1-1", "Students", "Student", "Ward", "Other", "Z"]],
        },
    )
    table = read_raw(path, STAFF, DEFAULTS)
    assert table.frame["organisation_code"].to_list() == ["RX2"]


def test_a_sheet_whose_name_starts_like_the_kind_and_an_exact_name_first(tmp_path):
    board = [BOARD_HEADER.split(","), ["RX1", "M1", "A", "Y", "N"]]
    path = _workbook(
        tmp_path / "board_2025-03-31.xlsx",
        {
            "Cover": [["cover page"]],
            "Board members 2025": board,
            "Board": [board[0], ["RX9", "M9", "A", "Y", "N"]],
        },
    )
    assert read_raw(path, BOARD, DEFAULTS).frame["organisation_code"].to_list() == ["RX9"]
    path = _workbook(
        tmp_path / "board_2025-04-30.xlsx", {"Cover": [["cover page"]], "Board members 2025": board}
    )
    assert read_raw(path, BOARD, DEFAULTS).frame["organisation_code"].to_list() == ["RX1"]


def test_missing_columns_in_a_workbook_name_the_sheet_read(tmp_path):
    path = _workbook(tmp_path / "board_2025-03-31.xlsx", {"Cover": [["cover page"]], "Members": [["x"]]})
    error = _rejected(tmp_path, path.read_bytes(), name="board_2025-03-31.xlsx")
    assert error.check == "required_columns"
    assert error.message.startswith('board_2025-03-31.xlsx (sheet "Cover"): no row')


def test_a_summary_sheet_named_like_the_kind_does_not_hide_the_data_on_the_first_sheet(tmp_path):
    board = [BOARD_HEADER.split(","), ["RX1", "M1", "A", "Y", "N"]]
    summary = [["Voting", "Members"], ["Y", 1]]
    path = _workbook(tmp_path / "board_2025-03-31.xlsx", {"Data": board, "Board Summary": summary})
    assert read_raw(path, BOARD, DEFAULTS).frame["organisation_code"].to_list() == ["RX1"]


def test_missing_columns_name_the_other_sheets_looked_in(tmp_path):
    path = _workbook(
        tmp_path / "board_2025-03-31.xlsx",
        {"Cover": [["cover page"]], "Board Summary": [["Voting", "Members"]]},
    )
    error = _rejected(tmp_path, path.read_bytes(), name="board_2025-03-31.xlsx")
    assert error.check == "required_columns"
    assert error.message.startswith(
        "board_2025-03-31.xlsx (sheet \"Board Summary\"; also looked in sheet(s) 'Cover'): no row"
    )


def test_xlsx_numbers_in_a_zero_padded_format_read_as_shown(tmp_path):
    """An employee number typed as a number and shown as 00012345 is the text 00012345, as the
    same employee's number in a CSV extract is."""
    path = tmp_path / "board_2025-03-31.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(BOARD_HEADER.split(","))
    sheet.append(["RX1", 12345, "A", "Y", "N"])
    sheet.append(["RX1", 678.0, "A", "Y", "N"])
    sheet.append(["RX1", 91011, "A", "Y", "N"])
    sheet["B2"].number_format = "00000000"
    sheet["B3"].number_format = "00000000"
    book.save(path)
    assert read_raw(path, BOARD, DEFAULTS).frame["member_id"].to_list() == ["00012345", "00000678", "91011"]


def test_xlsx_formula_gives_its_cached_value(tmp_path):
    path = tmp_path / "board_2025-03-31.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, BOARD_HEADER.split(","))
    sheet.write_row(1, 0, ["RX1", "M1", "A"])
    sheet.write_formula(1, 3, '="Y"', None, "Y")
    sheet.write_formula(1, 4, "=1+1", None, 2)
    book.close()
    table = read_raw(path, BOARD, DEFAULTS)
    assert table.frame.rows() == [(2, "RX1", "M1", "A", "Y", "2")]


def test_xlsx_formulas_never_calculated_reject_the_file_naming_columns_and_cells(tmp_path):
    # openpyxl writes a formula with an empty value: read as blank, C5 (ethnic_origin) and D6
    # (voting) would load as "not known" and be refused as blank; F4 is in a column not read
    path = _workbook(
        tmp_path / "board_2025-03-31.xlsx",
        {
            "Board": [
                ["Board members", "=1+1"],
                [],
                [*BOARD_HEADER.split(","), "notes"],
                ["RX1", "M1", "A", "Y", "N", "=1+1"],
                ["RX1", "M2", '="A"', "Y", "N", "x"],
                ["RX1", "M3", "N", "=TRUE()", "N", "x"],
            ]
        },
    )
    with pytest.raises(FileRejected) as caught:
        read_raw(path, BOARD, DEFAULTS)
    error = caught.value
    assert (error.check, error.column) == ("uncalculated_formula", "ethnic_origin, voting")
    assert error.message.startswith(
        'board_2025-03-31.xlsx (sheet "Board"), columns ethnic_origin, voting: 2 formula cells whose '
        "values were never calculated (C5, D6)"
    )
    assert "save it" in error.message


def test_xlsx_formulas_outside_the_columns_read_and_text_results_load(tmp_path):
    import zipfile

    path = tmp_path / "written.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Board")
    sheet.write_formula(0, 0, "=1+1")  # a title row above the header
    sheet.write_row(1, 0, [*BOARD_HEADER.split(","), "notes"])
    sheet.write_row(2, 0, ["RX1", "M1", "A", "Y", "N"])
    sheet.write_formula(2, 5, "=1+1")  # a column not read
    sheet.write_row(3, 0, ["RX1", "M2", "A", "Y"])
    sheet.write_formula(3, 4, '=""', None, " ")  # a text formula, calculated
    book.close()
    # blank the cached values: an empty text result (t="str") is a calculated value, the others not
    final = tmp_path / "board_2025-03-31.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(final, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v> </v>", b"<v></v>").replace(b"</f><v>0</v>", b"</f>")
                assert data.count(b"<f>") == 3 and b"<v></v>" in data
            target.writestr(item, data)
    table = read_raw(final, BOARD, DEFAULTS)
    assert table.frame.rows() == [(3, "RX1", "M1", "A", "Y", "N"), (4, "RX1", "M2", "A", "Y", None)]


def test_corrupt_xlsx(tmp_path):
    error = _rejected(tmp_path, b"PK\x03\x04 this is not really a zip", name="board_2025-03-31.xlsx")
    assert error.check == "corrupt_xlsx"


def test_text_named_xlsx_is_not_a_workbook(tmp_path):
    error = _rejected(tmp_path, f"{BOARD_HEADER}\nRX1,M1,A,Y,N\n".encode(), name="board_2025-03-31.xlsx")
    assert error.check == "corrupt_xlsx"
    assert "name it .csv" in error.message


def test_empty_xlsx_sheet(tmp_path):
    path = _workbook(tmp_path / "board_2025-03-31.xlsx", {"Board": []})
    with pytest.raises(FileRejected) as caught:
        read_raw(path, BOARD, DEFAULTS)
    assert caught.value.check == "empty_file"


# ---------------------------------------------------------------------------------------------
# structural rejections


def test_unclosed_quote_names_the_line_where_it_opens(tmp_path):
    data = f'{BOARD_HEADER}\nRX1,M1,A,Y,N\nRX1,M2,A,Y,N\nRX1,"M3,A,Y,N\nRX1,M4,A,Y,N\n'.encode()
    error = _rejected(tmp_path, data)
    assert error.check == "unclosed_quote"
    assert "line 4" in error.message


@pytest.mark.parametrize(
    ("data", "check"),
    [(b"", "empty_file"), (b"  \r\n\n\t\n", "empty_file"), (b"\xef\xbb\xbf\n", "empty_file")],
)
def test_empty_files(tmp_path, data, check):
    assert _rejected(tmp_path, data).check == check


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01\x02\xff\xfe garbage \x00",
        "organisation_code,member_id".encode("utf-16"),  # UTF-16 text holds NUL bytes
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",  # an old .xls workbook named .csv
    ],
)
def test_binary_files(tmp_path, data):
    assert _rejected(tmp_path, data).check == "binary_file"


def test_a_stray_nul_in_a_text_export_is_found_by_its_line(tmp_path):
    error = _rejected(tmp_path, f"{BOARD_HEADER}\nRX1,M1,A,Y,N\nRX1,M2,A\x00,Y,N\n".encode())
    assert error.check == "binary_file"
    assert "(it holds NUL bytes, the first on line 3)" in error.message


def test_a_quote_inside_an_unquoted_value_is_part_of_it(tmp_path):
    # as Excel, Python's csv module and DuckDB read it: a quote opens a quoted value only where a
    # value starts; polars alone would take it as opening one
    data = f"{BOARD_HEADER}\nRX1,M1,A,Y,N\nRX1,M2,5'10\",Y,N\nRX1,M3,A,Y,N\n".encode()
    table = _read(tmp_path, data)
    assert table.frame.select("__row", "member_id", "ethnic_origin").rows() == [
        (2, "M1", "A"),
        (3, "M2", "5'10\""),
        (4, "M3", "A"),
    ]


def test_two_stray_quotes_do_not_join_the_lines_between_them(tmp_path):
    data = (
        f"Board report\n{BOARD_HEADER}\n"
        'RX1,M1,Nurse 5" x,Y,N\n'  # line 3
        'RX1,"M2, quoted",A,Y,N\n'  # line 4: a well-formed quoted value as well
        'RX1,M3,"A ""B""",Y,N\n'
        'RX1,M4,Band 6" y,Y,N\n'  # line 6
        "\n"
        "RX1,M5,A,Y,N"  # line 8, no line break at the end
    ).encode()
    table = _read(tmp_path, data)
    assert table.frame.select("__row", "member_id", "ethnic_origin").rows() == [
        (3, "M1", 'Nurse 5" x'),
        (4, "M2, quoted", "A"),
        (5, "M3", 'A "B"'),
        (6, "M4", 'Band 6" y'),
        (8, "M5", "A"),
    ]


def test_a_stray_quote_then_an_unclosed_one(tmp_path):
    data = f'{BOARD_HEADER}\nRX1,M1,5\'10",Y,N\nRX1,M2,A,Y,N\nRX1,"M3,A,Y,N\nRX1,M4,A,Y,N\n'.encode()
    error = _rejected(tmp_path, data)
    assert error.check == "unclosed_quote"
    assert "line 4" in error.message


def test_a_stray_quote_and_too_many_values(tmp_path):
    data = f"{BOARD_HEADER}\nRX1,M1,5'10\",Y,N\nRX1,M2,A,Y,N,extra\n".encode()
    error = _rejected(tmp_path, data)
    assert error.check == "ragged_rows"
    assert "1 row(s)" in error.message and "line(s) 3" in error.message


def test_windows_1252_with_title_rows_keeps_line_numbers(tmp_path):
    data = b"Report \xa3\n\n" + BOARD_HEADER.encode() + b"\nRX1,M1,\xd3,Y,N\n\nRX1,M2,A,N,N\n"
    table = _read(tmp_path, data)
    assert table.encoding == "windows-1252"
    assert table.frame.select("__row", "ethnic_origin").rows() == [(4, "Ó"), (6, "A")]


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path):
    path = _workbook(
        tmp_path / "board_2025-03-31.csv", {"Sheet": [BOARD_HEADER.split(","), ["RX1", "M1", "A", "Y", "N"]]}
    )
    table = read_raw(path, BOARD, DEFAULTS)
    assert table.source_format == "xlsx"
    assert table.frame.rows() == [(2, "RX1", "M1", "A", "Y", "N")]


def test_a_zip_that_is_not_a_workbook_named_csv_is_binary(tmp_path):
    assert _rejected(tmp_path, b"PK\x03\x04\x14\x00garbage").check == "binary_file"


def test_an_old_xls_named_xlsx(tmp_path):
    error = _rejected(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", name="board_2025-03-31.xlsx")
    assert error.check == "corrupt_xlsx"
    assert ".xls" in error.message


# ---------------------------------------------------------------------------------------------
# files read in blocks: a value, a quote or a character split across two blocks


@pytest.mark.parametrize("block_bytes", [5, 17, 8 << 20])
def test_row_numbers_do_not_depend_on_how_the_file_is_cut_into_blocks(tmp_path, monkeypatch, block_bytes):
    monkeypatch.setattr("wres.reading._SCAN_CHUNK_BYTES", block_bytes)
    data = (
        "Board members report\n"  # line 1, a title
        f"{BOARD_HEADER}\n"  # line 2
        'RX1,M1,"A",Y,N\n'  # line 3
        'RX1,"M2\n'  # line 4: a quoted value that goes on to line 5
        'continued",A,Y,N\n'
        "\n"  # line 6, blank
        "RX1,M3,A,Y,N"  # line 7, without a line break at the end
    ).encode()
    table = _read(tmp_path, data)
    assert table.frame.select("__row", "member_id").rows() == [(3, "M1"), (4, "M2\ncontinued"), (7, "M3")]


@pytest.mark.parametrize("block_bytes", [5, 7, 8 << 20])
def test_unclosed_quote_found_whatever_the_blocks(tmp_path, monkeypatch, block_bytes):
    monkeypatch.setattr("wres.reading._SCAN_CHUNK_BYTES", block_bytes)
    data = f'{BOARD_HEADER}\nRX1,M1,A,Y,N\nRX1,M2,A,Y,N\nRX1,M3,A,Y,N\nRX1,M4,"A,Y,N\nRX1,M5,A,Y,N\n'.encode()
    error = _rejected(tmp_path, data)
    assert error.check == "unclosed_quote"
    assert "line 5" in error.message


@pytest.mark.parametrize("block_bytes", [3, 7, 8 << 20])
def test_a_utf8_character_split_between_blocks_after_plain_ascii(tmp_path, monkeypatch, block_bytes):
    monkeypatch.setattr("wres.reading._SCAN_CHUNK_BYTES", block_bytes)
    data = f"{BOARD_HEADER}\nRX1,M1,A,Y,N\nRX1,M2,\u00d3,Y,N\n".encode()
    table = _read(tmp_path, data)
    assert table.encoding == "utf-8"
    assert table.frame["ethnic_origin"].to_list() == ["A", "\u00d3"]


@pytest.mark.parametrize("block_bytes", [3, 7, 8 << 20])
def test_mixed_encodings_found_after_plain_ascii_blocks(tmp_path, monkeypatch, block_bytes):
    monkeypatch.setattr("wres.reading._SCAN_CHUNK_BYTES", block_bytes)
    data = f"{BOARD_HEADER}\nRX1,M1,A,Y,N\nRX1,M2,\u00d3,Y,N\n".encode() + b"RX1,M3,\xd3,Y,N\n"
    error = _rejected(tmp_path, data)
    assert error.check == "encoding"
    assert "line 4" in error.message


def test_the_users_alias_can_send_a_column_name_to_another_column(tmp_path):
    """An export whose Gender column holds the ethnic codes, with no ethnic_origin column: the
    user's alias "Gender" = "ethnic_origin" is honoured (the built-in aliases never rename)."""
    data = (
        "organisation_code,employee_id,assignment_id,staff_group,job_role,area_of_work,pay_band,Gender\n"
        "RX1,E1,E1-1,Students,Student,Ward,Other,N\n"
    )
    path = tmp_path / "staff_in_post_2025-03-31.csv"
    path.write_text(data, encoding="utf-8")
    settings = settings_from_dict({"aliases": {"headers": {"Gender": "ethnic_origin"}}})
    frame = read_raw(path, STAFF, settings).frame
    assert frame["ethnic_origin"].to_list() == ["N"]
    assert "gender" not in frame.columns


def test_an_empty_sheet_named_like_the_kind_leaves_the_message_to_the_sheet_with_text(tmp_path):
    path = _workbook(tmp_path / "board_2025-03-31.xlsx", {"Cover": [["cover page"]], "Board": []})
    error = _rejected(tmp_path, path.read_bytes(), name="board_2025-03-31.xlsx")
    assert error.check == "required_columns"
    assert error.message.startswith(
        "board_2025-03-31.xlsx (sheet \"Cover\"; also looked in sheet(s) 'Board'): no row"
    )


# ---------------------------------------------------------------------------------------------
# the two ways of reading CSV agree


def _random_board_file(rng: random.Random, delimiter: str) -> bytes:
    """A board file with title rows, blank lines, CRLF or LF, and values quoted or not, holding
    delimiters, doubled quotes and line breaks: every quote well-formed."""
    pieces = ["Title", "x", "", " a b ", delimiter, '"', "\n", "\u00e9"]
    lines = ["Board members"] * rng.randint(0, 2) + [BOARD_HEADER.replace(",", delimiter)]
    for member in range(rng.randint(1, 12)):
        cells = ["RX1", f"M{member}"]
        for _ in range(3):
            value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
            plain = not any(ch in value for ch in (delimiter, '"', "\n")) and value.strip() == value
            if plain and rng.random() < 0.6:
                cells.append(value)
            else:
                cells.append('"' + value.replace('"', '""') + '"')
        lines.append(delimiter.join(cells))
        if rng.random() < 0.2:
            lines.append("")
    newline = rng.choice(["\n", "\r\n"])
    return (newline.join(lines) + rng.choice(["", newline])).encode()


@pytest.mark.parametrize("seed", range(40))
def test_the_csv_module_reads_well_formed_files_as_polars_does(tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    data = _random_board_file(rng, rng.choice([",", ";"]))
    by_polars = _read(tmp_path, data).frame
    monkeypatch.setattr("wres.reading._quotes_are_plain", lambda block, delimiter: False)
    by_csv_module = _read(tmp_path, data).frame
    assert by_csv_module.rows() == by_polars.rows()


def test_a_header_that_lost_to_a_better_one_is_remembered(tmp_path):
    # ESR's "Grade" and "Pay Band" both mean pay_band; "Pay Band" is the column's name once spaces
    # are ignored, so it is read, and "Grade" is kept in mind for the message about blank bands
    data = (
        b"Org Code,Employee Number,Assignment Number,Staff Group,Job Role,Area of Work,Grade,Pay Band,"
        b"Ethnic Origin\nRX1,1,1-1,Medical and Dental,Consultant,Obstetrics,Consultant,,A\n"
    )
    table = _read(tmp_path, data, kind=STAFF, name="staff_in_post_2025-03-31.csv")
    assert table.outranked_headers == {"pay_band": ["Grade"]}
    assert table.frame["pay_band"].to_list() == [None]


def test_a_header_cell_with_a_line_break_beside_a_stray_quote(tmp_path):
    # Alt+Enter in Excel puts a line break in a header cell: the header record spans lines 1-2,
    # and the stray quote below sends the file to the csv module, which must start after line 2
    data = (
        b'organisation_code,member_id,"ethnic\norigin",voting,executive\n'
        b"RX1,M1,A,Y,N\n"  # line 3
        b"RX1,M2,5'10\",Y,N\n"  # line 4
    )
    table = _read(tmp_path, data)
    assert table.frame.select("__row", "member_id", "ethnic_origin").rows() == [
        (3, "M1", "A"),
        (4, "M2", "5'10\""),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('""abc', "abc"),  # the csv module: an empty quoted start, then text
        ('""abc""', 'abc""'),
        ('a""', 'a""'),
        ('""a""b', 'a""b'),
        ('"""a"""', '"a"'),  # well-formed: a quoted value holding "a"
        ('""', None),  # an empty quoted value
    ],
)
def test_doubled_quotes_at_a_value_edge_read_as_the_csv_module_reads_them(tmp_path, value, expected):
    data = f"{BOARD_HEADER}\nRX1,M1,{value},Y,N\nRX1,M2,A,Y,N\n".encode()
    table = _read(tmp_path, data)
    assert table.frame.select("__row", "ethnic_origin").rows() == [(2, expected), (3, "A")]


@pytest.mark.parametrize("block_bytes", [5, 8 << 20])
def test_a_windows_1252_letter_at_the_very_end_is_not_a_mixed_encoding(tmp_path, monkeypatch, block_bytes):
    # 0xE9 (é) is also a UTF-8 lead byte: held back at the end of a block or of the file, it must
    # not count as a UTF-8 character
    monkeypatch.setattr("wres.reading._SCAN_CHUNK_BYTES", block_bytes)
    data = BOARD_HEADER.encode() + b"\nRX1,M1,A,Y,N\nRX1,M2,A,Y,Caf\xe9"
    table = _read(tmp_path, data)
    assert table.encoding == "windows-1252"
    assert table.frame["executive"].to_list() == ["N", "Café"]
