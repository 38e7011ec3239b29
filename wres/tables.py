"""The published tables: the two contract CSVs and the XLSX workbook for EDI leads (CONTRACT section 3).

Both take frames that have already been through disclosure control (hidden cells are NULL) and
write them so that no spreadsheet ever evaluates a cell as a formula: every text cell that begins
with a formula trigger is prefixed with a single quote (OWASP "CSV Injection"; ASVS 5.0
requirement 1.2.10), and the workbook writes text only as text (``write_string``), never through
``write`` which would turn ``=...`` into a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from wres.config import Settings
from wres.sdc import rounding_note

# A text cell starting with one of these is read as a formula by Excel, LibreOffice Calc or Google
# Sheets: = + - @ per OWASP, tab and carriage return because spreadsheets strip them and then see
# the next character, NUL per ASVS 5.0 1.2.10.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "\0")
_TRIGGER_PATTERN = "^[" + "".join(f"\\x{ord(c):02x}" for c in FORMULA_TRIGGERS) + "]"

INDICATORS_TABLE = "wres_indicators"
REPRESENTATION_TABLE = "representation"
WORKBOOK_NAME = "wres_tables.xlsx"

MAX_SHEET_NAME = 31  # Excel's limit
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

PERCENT_FORMAT = "0.0%"  # fractions stay fractions; Excel shows 0.253 as 25.3%
RATIO_FORMAT = "0.00"
COUNT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

_MIN_WIDTH, _MAX_WIDTH = 8, 60


def neutralise_formula(text: str) -> str:
    """``text`` prefixed with a single quote when a spreadsheet would read it as a formula.

    >>> neutralise_formula('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("-abc"), neutralise_formula("Band 5"), neutralise_formula("")
    ("'-abc", 'Band 5', '')
    """
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with :func:`neutralise_formula` applied to every String column; other columns
    (numbers, negative numbers included, dates, booleans) are left exactly as they are."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_TRIGGER_PATTERN))
        .then(pl.concat_str(pl.lit("'"), pl.col(name)))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    """Write a published CSV: UTF-8, a header, every column and row of ``frame`` in order, hidden
    (NULL) cells blank, dates ``YYYY-MM-DD``, floats in their shortest exact form (they read back
    to the same double), booleans ``true`` / ``false``, text neutralised against formulas."""
    path = Path(path)
    neutralise_frame(frame).write_csv(
        path,
        include_header=True,
        null_value="",
        date_format="%Y-%m-%d",
        datetime_format="%Y-%m-%dT%H:%M:%S",
    )
    return path


# --- the workbook ------------------------------------------------------------------------------

SHEET_WORKFORCE = "1 Workforce by band"
SHEET_LIKELIHOODS = "2-4 Relative likelihoods"
SHEET_SURVEY = "5-8 Staff survey"
SHEET_BOARD = "9 Board"
SHEET_REPRESENTATION = "Representation"
SHEET_NOTES = "Notes"
SHEET_DATA_QUALITY = "Data quality"

# sheet -> the indicator rows it holds
_INDICATOR_SHEETS: dict[str, pl.Expr] = {
    SHEET_WORKFORCE: pl.col("indicator") == 1,
    SHEET_LIKELIHOODS: pl.col("indicator").is_between(2, 4)
    & pl.col("measure").is_in(["rate", "relative_likelihood"]),
    SHEET_SURVEY: pl.col("indicator").is_between(5, 8),
    SHEET_BOARD: pl.col("indicator") == 9,
}

# How a float column is shown. A function of the row, because an indicator row's value is a
# fraction (share, rate, difference) or a relative likelihood depending on its measure.
NumberStyle = Callable[[dict[str, Any]], str]


def _indicator_value_style(row: dict[str, Any]) -> str:
    return RATIO_FORMAT if row.get("measure") == "relative_likelihood" else PERCENT_FORMAT


_INDICATOR_STYLES: dict[str, NumberStyle] = {
    "value": _indicator_value_style,
    "ci_low": _indicator_value_style,
    "ci_high": _indicator_value_style,
}
_REPRESENTATION_STYLES: dict[str, NumberStyle] = {
    "workforce_share": lambda row: PERCENT_FORMAT,
    "reference_share": lambda row: PERCENT_FORMAT,
    "ratio": lambda row: RATIO_FORMAT,
    "ci_low": lambda row: RATIO_FORMAT,
    "ci_high": lambda row: RATIO_FORMAT,
}


def safe_sheet_name(name: str) -> str:
    """An Excel sheet name: forbidden characters ``[]:*?/\\`` replaced, at most 31 characters.

    >>> safe_sheet_name("Data quality: files/checks")
    'Data quality_ files_checks'
    """
    cleaned = _SHEET_NAME_FORBIDDEN.sub("_", name).strip("'") or "Sheet"
    return cleaned[:MAX_SHEET_NAME]


def workbook_sheets(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The data sheets of the workbook, in order: the indicator groups, then representation."""
    unknown = sorted(set(tables) - {INDICATORS_TABLE, REPRESENTATION_TABLE})
    if unknown:
        raise ValueError(f"unknown table(s) for the workbook: {', '.join(unknown)}")
    if INDICATORS_TABLE not in tables:
        raise ValueError(f"the workbook needs the {INDICATORS_TABLE} table")
    indicators = tables[INDICATORS_TABLE]
    sheets = {name: indicators.filter(rows) for name, rows in _INDICATOR_SHEETS.items()}
    if REPRESENTATION_TABLE in tables:
        sheets[SHEET_REPRESENTATION] = tables[REPRESENTATION_TABLE]
    return sheets


class _Formats:
    """The workbook's cell formats, made once each (xlsxwriter keeps one record per format)."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.header = workbook.add_format({"bold": True, "text_wrap": False, "bottom": 1})
        self.text = workbook.add_format({})
        self.wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.key = workbook.add_format({"bold": True, "valign": "top"})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})
        self.datetime = workbook.add_format({"num_format": DATETIME_FORMAT})
        self._numbers: dict[str, Format] = {}
        self._workbook = workbook

    def number(self, num_format: str) -> Format:
        if num_format not in self._numbers:
            self._numbers[num_format] = self._workbook.add_format({"num_format": num_format})
        return self._numbers[num_format]


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return 8
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    return len(str(value))


def _write_cell(
    sheet: Worksheet, row: int, col: int, value: Any, number_format: str | None, formats: _Formats
) -> None:
    """One cell, by its Python type: text only through write_string, never write()."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return  # hidden or no value: the cell stays blank
    if isinstance(value, bool):  # before int: bool is an int in Python
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, formats.number(number_format) if number_format else None)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), formats.datetime)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), formats.date)
    else:
        sheet.write_string(row, col, neutralise_formula(str(value)), formats.text)


def _write_table(
    sheet: Worksheet, frame: pl.DataFrame, formats: _Formats, styles: dict[str, NumberStyle]
) -> None:
    """A table with a bold frozen header row, an autofilter and column widths fitted to the text."""
    columns = frame.columns
    widths = [len(name) for name in columns]
    for col, name in enumerate(columns):
        sheet.write_string(0, col, neutralise_formula(name), formats.header)
    integer_columns = {name for name, dtype in frame.schema.items() if dtype.is_integer()}
    for r, row in enumerate(frame.iter_rows(named=True), start=1):
        for col, name in enumerate(columns):
            value = row[name]
            if name in styles:
                number_format = styles[name](row)
            elif name in integer_columns:
                number_format = COUNT_FORMAT
            else:
                number_format = None
            _write_cell(sheet, r, col, value, number_format, formats)
            widths[col] = max(widths[col], _display_width(value))
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH))
    sheet.freeze_panes(1, 0)
    if columns:
        sheet.autofilter(0, 0, max(frame.height, 1), len(columns) - 1)


def _write_notes(sheet: Worksheet, notes: Sequence[tuple[str, str]], formats: _Formats) -> None:
    sheet.write_string(0, 0, "Item", formats.header)
    sheet.write_string(0, 1, "Detail", formats.header)
    for r, (key, text) in enumerate(notes, start=1):
        sheet.write_string(r, 0, neutralise_formula(str(key)), formats.key)
        sheet.write_string(r, 1, neutralise_formula(str(text)), formats.wrapped)
    key_width = max([len(str(k)) for k, _ in notes] + [len("Item")])
    sheet.set_column(0, 0, min(key_width + 2, 40))
    sheet.set_column(1, 1, 100)
    sheet.freeze_panes(1, 0)


def _created(tables: dict[str, pl.DataFrame]) -> dt.datetime:
    """A fixed creation time (the newest snapshot date), so the same tables give the same bytes
    and an unchanged publication is not republished."""
    indicators = tables.get(INDICATORS_TABLE)
    if indicators is not None and "snapshot_date" in indicators.columns and indicators.height:
        newest = indicators["snapshot_date"].max()
        if isinstance(newest, dt.date):
            return dt.datetime.combine(newest, dt.time())
    return dt.datetime(2000, 1, 1)


def write_workbook(
    tables: dict[str, pl.DataFrame],
    path: Path,
    *,
    notes: Sequence[tuple[str, str]],
    data_quality: pl.DataFrame | None = None,
) -> Path:
    """Write the XLSX workbook for EDI leads from the disclosure-controlled tables.

    ``tables`` holds ``wres_indicators`` and optionally ``representation``. Sheets, in order:
    ``1 Workforce by band``, ``2-4 Relative likelihoods`` (the rate and relative-likelihood rows of
    indicators 2-4), ``5-8 Staff survey``, ``9 Board``, ``Representation``, ``Notes`` (the ``notes``
    key / value lines) and, when ``data_quality`` is given, ``Data quality``.

    Values are written as numbers with a display format: fractions as percentages with one decimal
    (the cell still holds 0.253, shown as 25.3%), relative likelihoods and representation ratios to
    two decimals, counts as whole numbers, dates as dates. A hidden (NULL) cell is blank. Text is
    neutralised (:func:`neutralise_formula`) and written as text, never as a formula.
    """
    path = Path(path)
    sheets = workbook_sheets(tables)
    # strings_to_*: belt and braces, write_string already bypasses write()'s guessing
    workbook = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    try:
        workbook.set_properties({"title": "WRES monitor tables", "created": _created(tables)})
        formats = _Formats(workbook)
        for name, frame in sheets.items():
            styles = _REPRESENTATION_STYLES if name == SHEET_REPRESENTATION else _INDICATOR_STYLES
            _write_table(workbook.add_worksheet(safe_sheet_name(name)), frame, formats, styles)
        _write_notes(workbook.add_worksheet(SHEET_NOTES), notes, formats)
        if data_quality is not None:
            _write_table(workbook.add_worksheet(SHEET_DATA_QUALITY), data_quality, formats, {})
    finally:
        workbook.close()
    return path


def write_tables(
    folder: Path,
    tables: dict[str, pl.DataFrame],
    *,
    notes: Sequence[tuple[str, str]],
    data_quality: pl.DataFrame | None = None,
) -> list[Path]:
    """Write ``<name>.csv`` for each table and the workbook ``wres_tables.xlsx`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_csv(frame, folder / f"{name}.csv") for name, frame in tables.items()]
    written.append(write_workbook(tables, folder / WORKBOOK_NAME, notes=notes, data_quality=data_quality))
    return written


def workbook_notes(
    *, organisation: str, snapshot: dt.date, settings: Settings, sources: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """The key / value lines of the workbook's Notes sheet: what the tables are, how to read them,
    what is hidden and why, and the files behind them (``sources``: names, never row values)."""
    interpretation = settings.interpretation
    disclosure = settings.disclosure
    notes = [
        ("Title", "Workforce Race Equality Standard (WRES) monitor: published tables"),
        ("Organisation", organisation),
        ("Snapshot date", snapshot.isoformat()),
        (
            "Ethnic groups",
            "white: NHS ethnic categories A, B, C; bme: D to S; unknown: Z (not stated) "
            "and 99 or blank (not known). Relative likelihoods compare white and bme only.",
        ),
        (
            "Values",
            "Shares, rates and differences are fractions shown as percentages (the cell holds "
            "0.253 for 25.3%). Relative likelihoods and representation ratios are plain numbers.",
        ),
        (
            "Relative likelihood",
            "Indicator 2: rate(white) / rate(bme); 3: rate(bme) / rate(white); "
            "4: rate(white) / rate(bme). Above 1 is worse for bme staff.",
        ),
        (
            "Interpretation",
            f"No adverse impact when {interpretation.lower:.2f} <= RL <= "
            f"{interpretation.upper:.2f}; 'significant' when the 95% interval excludes 1.",
        ),
        (
            "Intervals",
            "95% Wilson score interval for rates and shares; 95% Katz log interval for "
            "relative likelihoods (empty when any of its four counts is zero).",
        ),
        (
            "Windows",
            "Indicators 2-4 count events in the 12 months up to the snapshot date; 5-8 use the "
            "newest staff survey fielded before the snapshot year; 9 the newest board list.",
        ),
        (
            "Disclosure control",
            f"Counts of 1 to {disclosure.min_count - 1} are hidden, with every rate, "
            f"share, ratio or interval built on them; survey rates with fewer than "
            f"{disclosure.survey_min_denominator} respondents are hidden; a second "
            "cell is hidden where a hidden one could be worked out from a total. "
            "Hidden cells are blank and their row is marked suppressed." + rounding_note(settings),
        ),
    ]
    notes.extend(("Source", name) for name in sources)
    return notes
