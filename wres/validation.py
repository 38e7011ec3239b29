"""Validate a parsed file against its Great Expectations suite (CONTRACT section 2, "Validation").

One suite per file kind lives in ``expectations/<kind>.json``: reviewable in a diff, loaded into
an ephemeral Great Expectations context (no ``gx/`` folder anywhere). Each expectation's ``meta``
names its ``check`` and default ``severity``; ``[validation.severity]`` in wres.toml overrides a
check (``critical``, ``warning`` or ``off``). Thresholds are ``{"$PARAMETER": name}`` values filled
at run time from ``[validation]`` and the file's date (see ``expectation_parameters``).

Great Expectations decides pass or fail and counts the unexpected rows. Where it has no direct
expectation, polars derives a check column first (``DERIVED_COLUMNS``) and the suite expects it to
be False (``<col>__invalid`` columns come from ``wres.parsing``). The message a person reads is
built here from the frame: the file, the column, the distinct bad values with their counts, the
first row numbers and the fix. Identifier columns give counts and row numbers, never values.

Checks Great Expectations cannot express over one frame run in Python and say so in
``CheckResult.expectation``: ``reference_population`` (``wres.reference``).

Great Expectations takes ~5 s to import: it is imported inside functions, once per process, and
one context with its suites is reused for every file.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl

from wres.config import Settings
from wres.errors import ConfigError
from wres.kinds import IDENTIFIER_COLUMNS, KINDS, SURVEY_QUESTIONS, Kind
from wres.messages import (
    IDENTIFIER_SHOWN_AS,
    alias_example,
    percent,
    plain_value,
    plural,
    row_numbers,
    values_with_counts,
)
from wres.parsing import ROW_COLUMN, invalid_column, invalid_text_column
from wres.resources import resource_dir
from wres.staff_groups import STAFF_GROUPS

log = logging.getLogger("wres")

Severity = Literal["critical", "warning"]
SEVERITY_SETTINGS = ("critical", "warning", "off")

# checks that run in Python rather than in a suite: check -> (kinds, default severity)
PYTHON_CHECKS: dict[str, tuple[tuple[str, ...], Severity]] = {
    "reference_population": (("reference",), "critical"),
    "survey_questions_missing": (("staff_survey",), "warning"),
}
# the indicator each survey question stands behind (CONTRACT section 2)
_QUESTION_INDICATOR = {"q14a": 5, "q14b": 6, "q14c": 6, "q15": 7, "q16b": 8}


@dataclass
class ValidationContext:
    """What a file is checked against beyond its own rows."""

    # organisation -> distinct employees in that organisation's newest earlier snapshot
    previous_staff_count: dict[str, int] = field(default_factory=dict)
    # organisation -> pseudonymised employee ids in any loaded snapshot; or, so that a national
    # state's millions of ids stay in DuckDB, a function that marks the rows of a frame
    # (organisation_code, employee_id) whose employee is in no loaded snapshot of the organisation
    # (``wres.state.StateStore.employees_not_in_snapshots``); None: not checked
    known_employees: dict[str, set[str]] | Callable[[pl.DataFrame], pl.Series] | None = None
    # the census reference table (wres.reference.census_reference); None: catchment not checked
    census: pl.DataFrame | None = None
    # the run's pseudonymisation (wres.pseudonymise.pseudonymise_column with the key), so that a
    # message never shows a bad value that is also one of the file's identifiers (an employee number
    # in the ethnicity column of a misaligned export); None: not looked for
    pseudonymise: Callable[[pl.Series], pl.Series] | None = None
    # pseudonyms -> True where a row already stored (of any file) holds the value as an identifier
    # (``wres.state.StateStore.stored_identifiers``): an employee number from the staff files in the
    # ethnicity column of a disciplinary file is hidden too; None: this file's identifiers only
    stored_identifiers: Callable[[pl.Series], pl.Series] | None = None
    # canonical column -> the file's other headers that also name it but lost to the one read
    # (``wres.reading.RawTable.outranked_headers``): a blank value may be in one of them
    outranked_headers: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class CheckResult:
    check: str
    column: str | None
    severity: Severity
    passed: bool
    message: str
    unexpected_count: int
    expectation: str  # the Great Expectations expectation type, or where a Python check lives


@dataclass
class ValidationReport:
    file_name: str
    kind: str
    results: list[CheckResult]
    rejected: bool = False  # any failed critical check
    # Great Expectations' own result (for the data docs); None for checks that never reached it
    gx_result: Any = field(default=None, repr=False, compare=False)

    @property
    def failures(self) -> list[CheckResult]:
        """The failed checks, critical first."""
        failed = [r for r in self.results if not r.passed]
        return sorted(failed, key=lambda r: r.severity != "critical")

    def render_failures(self) -> str:
        """The failed checks as text, one ``[severity] message`` per check under the file's status.

        >>> failed = CheckResult("no_rows", None, "critical", False, "x.csv has no rows.", 0, "t")
        >>> print(ValidationReport("x.csv", "board", [failed], rejected=True).render_failures())
        x.csv: REJECTED
          - [critical] x.csv has no rows.
        """
        failures = self.failures
        status = "REJECTED" if self.rejected else ("loaded with warnings" if failures else "passed")
        lines = [f"{self.file_name}: {status}"]
        lines.extend(f"  - [{r.severity}] {r.message}" for r in failures)
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# the suites


@functools.cache
def _suite_text(kind_name: str) -> str:
    return (resource_dir("expectations") / f"{kind_name}.json").read_text(encoding="utf-8")


def load_suite(kind_name: str) -> dict[str, Any]:
    """The suite of ``kind_name`` as JSON (a fresh copy: callers may change it)."""
    return json.loads(_suite_text(kind_name))


# Checks on a file's structure (wres.reading, wres.inbox): a file failing one cannot be read as a
# table, so it is always rejected and its severity cannot be set.
STRUCTURAL_CHECKS = frozenset(
    {
        "file_name", "unreadable_file", "empty_file", "binary_file", "encoding", "delimiter",
        "required_columns", "duplicated_header", "unclosed_quote", "ragged_rows", "malformed_csv",
        "corrupt_xlsx", "uncalculated_formula", "changed_while_read",
    }
)  # fmt: skip

# Checks on the run's data as a whole, not on one file: a warning, or off; never critical, as
# there is no one file to reject.
RUN_CHECKS: dict[str, Severity] = {"no_catchment": "warning", "unrecognised_file_name": "warning"}


@functools.cache
def default_severities() -> dict[str, Severity]:
    """Every settable check name -> its default severity, from the suites, ``PYTHON_CHECKS`` and
    ``RUN_CHECKS``."""
    severities: dict[str, Severity] = {}
    for kind_name in KINDS:
        for expectation in load_suite(kind_name)["expectations"]:
            severities[expectation["meta"]["check"]] = expectation["meta"]["severity"]
    for check, (_, severity) in PYTHON_CHECKS.items():
        severities[check] = severity
    severities.update(RUN_CHECKS)
    return severities


def check_severities(settings: Settings) -> None:
    """An unknown check name or severity in ``[validation.severity]`` is a ConfigError (a typo must
    not pass); the command line checks this before a run starts."""
    overrides = settings.validation.severity
    structural = sorted(set(overrides) & STRUCTURAL_CHECKS)
    if structural:
        raise ConfigError(
            f"[validation.severity]: {', '.join(structural)} check(s) a file's structure: a file that fails "
            "cannot be read as a table, so it is always rejected; remove the setting"
        )
    unknown = sorted(set(overrides) - set(default_severities()))
    if unknown:
        raise ConfigError(
            f"[validation.severity]: unknown check(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(default_severities()))}"
        )
    for name, setting in overrides.items():
        if str(setting).strip().lower() not in SEVERITY_SETTINGS:
            raise ConfigError(
                f"[validation.severity] {name} = {setting!r}: expected critical, warning or off"
            )
        if name in RUN_CHECKS and str(setting).strip().lower() == "critical":
            raise ConfigError(
                f"[validation.severity] {name} = {setting!r}: this check concerns the run's data as a whole, "
                "not one file, so it cannot reject a file: expected warning or off"
            )


def severity_of(check: str, default: str, settings: Settings) -> str:
    """``critical``, ``warning`` or ``off``: the setting for ``check`` if any, else ``default``."""
    check_severities(settings)
    return str(settings.validation.severity.get(check, default)).strip().lower()


def expectation_parameters(settings: Settings, file_date: date | None) -> dict[str, Any]:
    """The ``$PARAMETER`` values of the suites, from ``[validation]`` and the file's date."""
    v = settings.validation
    try:
        earliest = datetime.fromisoformat(str(v.earliest_date))
    except ValueError as exc:
        raise ConfigError(f"[validation] earliest_date = {v.earliest_date!r}: expected YYYY-MM-DD") from exc
    # a file without a date (catchment, reference, survey) has no date columns; the far date only
    # keeps the expectation well formed
    latest = datetime(file_date.year, file_date.month, file_date.day) if file_date else datetime(2200, 1, 1)
    return {
        "fte_min": float(v.fte_min),
        "fte_max": float(v.fte_max),
        "earliest_date": earliest,
        "file_date": latest,
        "known_ethnicity_min_share": 1.0 - float(v.unknown_ethnicity_max_share),
        "staff_count_min_change": -float(v.staff_count_max_change),
        "staff_count_max_change": float(v.staff_count_max_change),
    }


# --------------------------------------------------------------------------------------------
# derived check columns


def _known_employee_frame(known: dict[str, set[str]]) -> pl.DataFrame:
    pairs = [(org, employee) for org, employees in known.items() for employee in employees]
    return pl.DataFrame(
        {"organisation_code": [p[0] for p in pairs], "employee_id": [p[1] for p in pairs]},
        schema={"organisation_code": pl.String, "employee_id": pl.String},
    ).with_columns(pl.lit(True).alias("__known"))


def _staff_count_change_column(frame: pl.DataFrame, previous: dict[str, int]) -> pl.Series:
    counts = frame.group_by("organisation_code").agg(pl.col("employee_id").n_unique().alias("__now"))
    earlier = pl.DataFrame(
        {"organisation_code": list(previous), "__before": list(previous.values())},
        schema={"organisation_code": pl.String, "__before": pl.Int64},
    )
    change = counts.join(earlier, on="organisation_code").with_columns(
        ((pl.col("__now") - pl.col("__before")) / pl.col("__before")).alias("__staff_count_change")
    )
    return (
        frame.select("organisation_code")
        .join(change, on="organisation_code", how="left", maintain_order="left")["__staff_count_change"]
        .cast(pl.Float64)
    )


def _col(frame: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None)


def _derived(frame: pl.DataFrame, name: str, context: ValidationContext) -> pl.Series:
    """The derived check column ``name`` (see DERIVED_COLUMNS), one value per row of ``frame``."""
    if name == "__appointed_without_shortlisted":
        expr = (pl.col("appointed") == True) & (pl.col("shortlisted") == False)  # noqa: E712 (null-aware)
    elif name == "__shortlisted_date_missing":
        unparseable = _col(frame, invalid_column("shortlisted_date")).fill_null(False)
        expr = (pl.col("shortlisted") == True) & _col(frame, "shortlisted_date").is_null() & ~unparseable  # noqa: E712
    elif name == "__band_unrecognised":
        expr = _col(frame, "pay_band").is_not_null() & ~_col(frame, "band_recognised").fill_null(True)
    elif name == "__staff_group_unrecognised":
        expr = _col(frame, "staff_group").is_not_null() & ~_col(frame, "staff_group_recognised").fill_null(
            True
        )
    elif name == "__staff_count_change":
        return _staff_count_change_column(frame, context.previous_staff_count).alias(name)
    elif name == "__employee_not_in_snapshot":
        if context.known_employees is None:
            return pl.Series(name, [False] * frame.height, dtype=pl.Boolean)
        if callable(context.known_employees):
            pairs = frame.select("organisation_code", "employee_id")
            return context.known_employees(pairs).fill_null(False).alias(name)
        joined = frame.select("organisation_code", "employee_id").join(
            _known_employee_frame(context.known_employees),
            on=["organisation_code", "employee_id"],
            how="left",
            maintain_order="left",
        )
        return (joined["employee_id"].is_not_null() & joined["__known"].is_null()).alias(name)
    elif name == "__area_code_not_in_census":
        if context.census is None:
            return pl.Series(name, [False] * frame.height, dtype=pl.Boolean)
        from wres.reference import unknown_catchment_areas

        unknown = unknown_catchment_areas(frame, context.census)
        expr = pl.col("area_code").is_in(unknown)
    else:
        raise KeyError(f"no derived check column {name!r}")
    # with_columns broadcasts an expression over an absent (literal) column to the frame's height
    return frame.with_columns(expr.fill_null(False).cast(pl.Boolean).alias(name))[name]


DERIVED_COLUMNS: dict[str, str] = {
    "__appointed_without_shortlisted": "appointed is true and shortlisted is false",
    "__shortlisted_date_missing": "shortlisted is true and shortlisted_date is blank",
    "__band_unrecognised": "pay_band is not blank and not a recognised band",
    "__staff_group_unrecognised": "staff_group is not blank and not a recognised staff group",
    "__staff_count_change": "(employees now - employees in the previous snapshot) / previous, per org",
    "__employee_not_in_snapshot": "employee_id is in no loaded staff-in-post snapshot of the organisation",
    "__area_code_not_in_census": "area_code is not in the shipped census 2021 table",
}

# ``<col>__blank``: the typed column is null because the text was blank (not because it was unreadable)
BLANK_SUFFIX = "__blank"

_NULL_TYPES = {
    "text": pl.String,
    "code": pl.String,
    "boolean": pl.Boolean,
    "date": pl.Date,
    "number": pl.Float64,
    "answer": pl.Int8,
}


def _check_frame(
    frame: pl.DataFrame, kind: Kind, suite: dict[str, Any], context: ValidationContext
) -> pl.DataFrame:
    """Just the columns the suite reads (derived ones computed; absent optional ones null)."""
    needed: list[str] = []
    for expectation in suite["expectations"]:
        column = expectation["kwargs"].get("column")
        if column and column not in needed:
            needed.append(column)
    series: list[pl.Series] = []
    for name in needed:
        if name in DERIVED_COLUMNS:
            series.append(_derived(frame, name, context))
        elif name in frame.columns:
            series.append(frame[name])
        elif name.endswith(BLANK_SUFFIX) and name.removesuffix(BLANK_SUFFIX) in frame.columns:
            column = name.removesuffix(BLANK_SUFFIX)
            unreadable = _col(frame, invalid_column(column)).fill_null(False)
            series.append(frame.select((pl.col(column).is_null() & ~unreadable).alias(name)).to_series())
        elif name.endswith("__invalid"):
            series.append(pl.Series(name, [False] * frame.height, dtype=pl.Boolean))
        else:
            column_type = kind.column(name).type if name in {c.name for c in kind.columns} else "text"
            series.append(pl.Series(name, [None] * frame.height, dtype=_NULL_TYPES[column_type]))
    return pl.DataFrame(series, height=frame.height)


# --------------------------------------------------------------------------------------------
# Great Expectations


class _GreatExpectations:
    """One ephemeral context per process, with a validation definition per kind."""

    def __init__(self) -> None:
        # no outside network calls (usage statistics), quiet logs
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        # tqdm bars ignore TQDM_DISABLE; this switches them off
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.datasource = self.context.data_sources.add_pandas("wres_files")
        self.definitions: dict[str, Any] = {}

    def definition(self, kind_name: str) -> Any:
        if kind_name not in self.definitions:
            from great_expectations.core.expectation_suite import ExpectationSuite

            suite = self.context.suites.add(ExpectationSuite(**load_suite(kind_name)))
            batch = self.datasource.add_dataframe_asset(kind_name).add_batch_definition_whole_dataframe(
                "file"
            )
            self.definitions[kind_name] = self.gx.ValidationDefinition(
                data=batch, suite=suite, name=kind_name
            )
        return self.definitions[kind_name]

    def run(self, kind_name: str, frame: pl.DataFrame, parameters: dict[str, Any]) -> Any:
        definition = self.definition(kind_name)
        # GX fingerprints every batch by hashing it; categorical text hashes several times faster.
        # The nearly unique identifiers (pseudonyms, as UUID text) go as integer codes (see
        # ``identifier_codes``): numbers convert and hash far faster than millions of strings.
        text = [
            pl.col(c).cast(pl.Categorical)
            for c, dtype in frame.schema.items()
            if dtype == pl.String and c not in IDENTIFIER_COLUMNS
        ]
        codes = [
            identifier_codes(frame[c]) if c in _compared_columns(kind_name) else blank_marks(frame[c])
            for c, dtype in frame.schema.items()
            if dtype == pl.String and c in IDENTIFIER_COLUMNS
        ]
        # dates as nanosecond datetimes: the only date type GX compares vectorised (other date types
        # go through a Python call per value)
        dates = [pl.col(c).cast(pl.Datetime("ns")) for c, dtype in frame.schema.items() if dtype == pl.Date]
        pandas_frame = frame.with_columns(text + dates).with_columns(codes).to_pandas()
        return definition.run(batch_parameters={"dataframe": pandas_frame}, expectation_parameters=parameters)


# codes below 2**53: pandas holds an integer column with blanks as float64, exact up to there
_CODE_BITS = 53


def identifier_codes(values: pl.Series) -> pl.Series:
    """Integers equal exactly where ``values`` are equal, blank where they are blank: all that the
    suites ask of an identifier (is it blank, is it repeated), answered alike.

    A hash of each value where no two of the hashes present are equal (so no two values are); else,
    and so whenever an identifier repeats, the values' dense rank, which is exact but sorts every
    value (a third of a second per million pseudonyms).

    >>> identifier_codes(pl.Series("id", ["b", None, "a", "b"])).to_list()
    [2, None, 1, 2]
    >>> codes = identifier_codes(pl.Series("id", ["b", None, "a"]))
    >>> codes.null_count(), codes.n_unique(), codes.max() < 2**53
    (1, 3, True)
    """
    hashed = pl.select(
        pl.when(values.is_not_null())
        .then(values.hash() // 2 ** (64 - _CODE_BITS))
        .cast(pl.Int64)
        .alias(values.name)
    ).to_series()
    if not hashed.drop_nulls().is_duplicated().any():
        return hashed
    return values.rank("dense").cast(pl.Int64)


def blank_marks(values: pl.Series) -> pl.Series:
    """0 where ``values`` has a value, blank where it is blank: for an identifier the suite only
    expects not to be blank (``employee_id`` repeats in staff and training files, and its exact
    codes would cost a sort).

    >>> blank_marks(pl.Series("employee_id", ["x", None, "x"])).to_list()
    [0, None, 0]
    """
    return pl.select(pl.when(values.is_not_null()).then(pl.lit(0, pl.Int64)).alias(values.name)).to_series()


@functools.cache
def _compared_columns(kind_name: str) -> frozenset[str]:
    """The columns of ``kind_name``'s suite that an expectation reads beyond whether they are blank."""
    return frozenset(
        e["kwargs"]["column"]
        for e in load_suite(kind_name)["expectations"]
        if "column" in e["kwargs"] and e["type"] != "expect_column_values_to_not_be_null"
    )


_GX_LOCK = threading.Lock()


@functools.cache
def _great_expectations_once() -> _GreatExpectations:
    return _GreatExpectations()


def _great_expectations() -> _GreatExpectations:
    with _GX_LOCK:  # one context, even when the warm-up thread is still making it
        return _great_expectations_once()


_warm_up_threads: list[threading.Thread] = []
_WARM_UP_LOCK = threading.Lock()


def warm_up_in_background() -> threading.Thread:
    """Import Great Expectations and make its context in a thread (4 to 10 s of one core), while
    other work goes on: the first file is read and parsed, or ``wres run`` starts its Prefect server.
    Started once per process; the thread is returned so that a caller can wait for it."""
    with _WARM_UP_LOCK:
        if not _warm_up_threads:
            thread = threading.Thread(target=_great_expectations, name="gx-warm-up", daemon=True)
            thread.start()
            _warm_up_threads.append(thread)
        return _warm_up_threads[0]


def _scrub_identifiers(result: Any) -> None:
    """Drop sample values of identifier columns from a GX result (the data docs show them)."""
    for item in result.results:
        column = item.expectation_config.kwargs.get("column")
        if column in IDENTIFIER_COLUMNS or column in ("__employee_not_in_snapshot",):
            for key in (
                "partial_unexpected_list",
                "partial_unexpected_counts",
                "partial_unexpected_index_list",
            ):
                if key in item.result:
                    item.result[key] = []


# --------------------------------------------------------------------------------------------
# messages


@dataclass
class _Failure:
    """What a message builder needs: the parsed frame, the failing rows and the names."""

    frame: pl.DataFrame
    file_name: str
    kind: Kind
    column: str | None
    rows: pl.DataFrame  # the failing rows of frame (with __row)
    file_date: date | None
    settings: Settings
    context: ValidationContext
    severity: str = "warning"  # the check's severity under the settings

    def where(self) -> str:
        return f"{self.file_name}, column {self.column}" if self.column else self.file_name

    def rows_text(self) -> str:
        return row_numbers(self.rows[ROW_COLUMN])

    def then(self, action: str) -> str:
        """A message's closing advice: ``action``, then drop the file again when the check rejected
        it; when the settings made the check a warning the file loaded, so the fix is for the next
        export."""
        if self.severity == "critical":
            return f"{action} and drop the file again."
        return (
            f"{action.rstrip(',')} for the next export: this file loaded, as [validation.severity] makes "
            "this check a warning."
        )

    def values_text(self, column: str) -> str:
        if column in IDENTIFIER_COLUMNS:
            return "(identifier values are not shown)"
        return values_with_counts(self.rows[column])


_FORMATS = {
    "code": "an organisation code such as RXX that can name a folder (no / or \\, no leading dot)",
    "boolean": "Y/N, Yes/No, True/False or 1/0",
    "date": "YYYY-MM-DD or DD/MM/YYYY",
    "number": "a plain decimal number such as 0.5 (a point, no thousands separator)",
}


def _missing_value(f: _Failure) -> str:
    others = f.context.outranked_headers.get(f.column or "", [])
    hint = ""
    if others:
        names = " and ".join(f'"{header}"' for header in others)
        hint = (
            f" The file also has {names}, which also {'means' if len(others) == 1 else 'mean'} {f.column} "
            "but lost to the column read (a header written as the column's name wins over an alias): if "
            "the values are there, remove or rename the column read, or merge the two, in the export."
        )
    return (
        f"{f.where()}: blank on {plural(f.rows.height, 'row')} ({f.rows_text()}), but it is required on "
        f"every row.{hint} {f.then('Fill it in in the source system')}"
    )


# whole numbers a spreadsheet shows for dates from 1982 to 2064 when the column is not formatted as
# dates (Excel counts days from 30 December 1899)
_DATE_SERIALS = r"^(3[0-9]|4[0-9]|5[0-9])[0-9]{3}(\.0+)?$"


def _unparseable_value(f: _Failure) -> str:
    column_type = f.kind.column(f.column).type
    expected = _FORMATS.get(column_type, "a value of its type")
    texts = f.rows[invalid_text_column(f.column)]
    hint = ""
    if column_type == "date" and texts.drop_nulls().str.contains(_DATE_SERIALS).any():
        save = "save the workbook" if f.file_name.lower().endswith(".xlsx") else "save it as CSV"
        hint = (
            " Whole numbers such as 45382 are spreadsheet date serials (45382 is 31/03/2024): format "
            f"the column as dates (DD/MM/YYYY) in the spreadsheet, then {save}."
        )
    return (
        f"{f.where()}: values that are not {expected}, on {plural(f.rows.height, 'row')}: "
        f"{f.values_text(invalid_text_column(f.column))}; {f.rows_text()}.{hint} "
        + f.then("Correct the values (or the export's format)")
    )


def _unknown_ethnic_code(f: _Failure) -> str:
    label = alias_example(f.rows[f.column], "White Scottish")
    return (
        f"{f.where()}: values that are not NHS ethnic categories, on {plural(f.rows.height, 'row')}: "
        f"{f.values_text(f.column)}; {f.rows_text()}. Map each value to its NHS code in wres.toml, e.g. "
        f'[aliases.ethnicity] "{label}" = "CODE", where CODE is the category\'s letter A to S (A White '
        "British ... S any other ethnic group), Z when the person did not state it, or 99 when it is not "
        f"known. {f.then('Add the alias')}"
    )


# a date where an answer label such as 1-2, 3-5 or 6-10 was: a spreadsheet read the label as a day
# and month (the XLSX cell, or its CSV export, then holds a date)
_ANSWER_LABEL_AS_DATE = r"^\d{4}-\d{2}-\d{2}( 00:00(:00)?)?$|^\d{1,2}/\d{1,2}/\d{2,4}$|^\d{1,2}-[A-Za-z]{3}"


def _unknown_survey_answer(f: _Failure) -> str:
    from wres.values import ANSWER_CODES

    answers = "; ".join(f"{code} {labels[0]}" for code, labels in ANSWER_CODES[f.column].items())
    texts = f.rows[invalid_text_column(f.column)]
    if texts.drop_nulls().str.contains(_ANSWER_LABEL_AS_DATE).any():
        advice = (
            "Dates among the answers are labels such as 1-2, 3-5 or 6-10 that a spreadsheet turned into "
            "dates: "
            + f.then(
                "export the answers as codes (1-5), or format the column as Text before the labels are "
                "entered,"
            )
        )
    else:
        advice = f.then(
            "Check that the survey year's question columns are right ([survey_questions] in wres.toml)"
        )
    return (
        f"{f.where()}: answers that are not codes or labels of {f.column}, on {plural(f.rows.height, 'row')} "
        f"({answers}; blank = not answered): {f.values_text(invalid_text_column(f.column))}; "
        f"{f.rows_text()}. {advice}"
    )


def _duplicate_id(f: _Failure) -> str:
    repeated = f.rows[f.column].n_unique()
    return (
        f"{f.where()}: {plural(repeated, 'repeated value')} on {plural(f.rows.height, 'row')} "
        f"({f.rows_text()}); identifier values are not shown. Each row needs its own {f.column}: "
        + f.then("remove the repeated rows or fix the export,")
    )


def _appointed_without_shortlisted(f: _Failure) -> str:
    return (
        f"{f.where()}: appointed but not shortlisted on {plural(f.rows.height, 'row')} "
        f"({f.rows_text()}). An appointment needs a shortlisting: "
        + f.then("correct shortlisted or appointed")
    )


def _shortlisted_date_missing(f: _Failure) -> str:
    return (
        f"{f.where()}: blank on {plural(f.rows.height, 'row')} where shortlisted is true "
        f"({f.rows_text()}). The date places the application in a reporting window: " + f.then("fill it in")
    )


def _fte_out_of_range(f: _Failure) -> str:
    v = f.settings.validation
    return (
        f"{f.where()}: values outside {v.fte_min:g} to {v.fte_max:g}, on {plural(f.rows.height, 'row')}: "
        f"{f.values_text(f.column)}; {f.rows_text()}. "
        + f.then(
            "Correct the values (a whole-time equivalent, e.g. 0.8), or change [validation] fte_min / "
            "fte_max in wres.toml,"
        )
    )


def _date_in_future(f: _Failure) -> str:
    return (
        f"{f.where()}: dates after the file's date {f.file_date} (from its name), on "
        f"{plural(f.rows.height, 'row')}: {f.values_text(f.column)}; {f.rows_text()}. "
        + f.then("Correct the dates, or the date in the file name,")
    )


def _date_before_1950(f: _Failure) -> str:
    return (
        f"{f.where()}: dates before {f.settings.validation.earliest_date}, on "
        f"{plural(f.rows.height, 'row')}: {f.values_text(f.column)}; {f.rows_text()}. "
        + f.then("Correct the dates (a placeholder such as 1900-01-01 is not a date)")
    )


def _no_rows(f: _Failure) -> str:
    return (
        f"{f.file_name} has a header but no rows: a {f.kind.name} file must list its people. Export the "
        + f.then("report again (check its filters)")
    )


def _unknown_catchment_area(f: _Failure) -> str:
    return (
        f"{f.where()}: area codes that are not in the census 2021 table the monitor ships, on "
        f"{plural(f.rows.height, 'row')}: {f.values_text(f.column)}; {f.rows_text()}. "
        + f.then("Use local authority codes (e.g. E08000025) or K04000001 for England and Wales,")
    )


def _unknown_ethnicity_share(f: _Failure) -> str:
    known = f.frame["ethnic_group"].drop_nulls()
    unknown = f.frame.filter(pl.col("ethnic_group") == "unknown")
    reasons = unknown["unknown_reason"].value_counts().sort("unknown_reason").iter_rows()
    detail = ", ".join(f"{(reason or 'unknown').replace('_', ' ')} {n}" for reason, n in reasons)
    share = unknown.height / known.len() if known.len() else 0.0
    limit = f.settings.validation.unknown_ethnicity_max_share
    return (
        f"{f.where()}: ethnicity is not stated or not known on {percent(share)} of rows ({unknown.height} of "
        f"{known.len()}: {detail}), above {percent(limit)}. The figures stand, but their groups are less "
        "certain: check the export, or improve recording in the source system."
    )


def _staff_count_change(f: _Failure) -> str:
    counts = (
        f.rows.group_by("organisation_code")
        .agg(pl.col("employee_id").n_unique().alias("now"))
        .sort("organisation_code")
    )
    pieces = []
    for org, now in counts.iter_rows():
        before = f.context.previous_staff_count[org]
        pieces.append(
            f"{org} {now} employees, {before} in its previous snapshot ({(now - before) / before:+.0%})"
        )
    limit = f.settings.validation.staff_count_max_change
    return (
        f"{f.file_name}: the staff count changed by more than {percent(limit)} since the previous snapshot: "
        f"{'; '.join(pieces)}. Check that the export covers the whole organisation (all staff groups, "
        "no filter left on) before relying on the trend."
    )


def _employee_not_in_snapshot(f: _Failure) -> str:
    people = f.rows["employee_id"].n_unique()
    return (
        f"{f.where()}: {plural(people, 'employee')} found in no loaded staff-in-post snapshot of their "
        f"organisation ({plural(f.rows.height, 'row')}: {f.rows_text()}); identifier values are not "
        "shown. Leavers are expected; many mean a missing snapshot: load the staff-in-post files that "
        "cover the period, or check that employee_id holds ESR employee numbers."
    )


def _unrecognised_label(setting: str, placeholder: str, choices: str, what: str) -> Callable[[_Failure], str]:
    consequence = {
        False: "The rows load; to place them",
        True: "The file is rejected ([validation.severity] makes this check critical); to load it",
    }

    def build(f: _Failure) -> str:
        label = alias_example(f.rows[f.column], "Label")
        return (
            f"{f.where()}: {what} not recognised, on {plural(f.rows.height, 'row')}: "
            f"{f.values_text(f.column)}; {f.rows_text()}. {consequence[f.severity == 'critical']}, add an "
            f'alias in wres.toml, e.g. [{setting}] "{label}" = "{placeholder}", where {placeholder} is '
            f"{choices}."
        )

    return build


# Warnings whose counts are counts of the people behind the published figures (a file's unknown
# ethnicity, its leavers, its staff count, the rows of an unknown label): the publication shows
# them without their counts and row numbers (CONTRACT section 2, "Disclosure control": a hidden
# count must not come back through a message), ops keeps the whole message for analysts.
_ROWS = r"rows? \d+(?:, \d+)*(?: \(the first \d+ of \d+\))?"
_PUBLISHED_SCRUBS: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    "unknown_ethnicity_share": (
        (re.compile(r"on [^()]*? of rows \([^)]*\), above (\d+(?:\.\d+)?%)\."), r"on more than \1 of rows."),
    ),
    "staff_count_change": (
        (re.compile(r"(\S+) \d+ employees?, \d+ in its previous snapshot \([^)]*\)"), r"\1"),
    ),
    "employee_not_in_snapshot": (
        (re.compile(r"\d+ employees? found"), "employees found"),
        (re.compile(r" \(\d+ rows?: " + _ROWS + r"\)"), ""),
    ),
    "unrecognised_band": (
        (re.compile(r", on \d+ rows?:"), ":"),
        (re.compile(r" \(\d+ rows?\)"), ""),
        (re.compile(r" and \d+ more;"), " and more;"),
        (re.compile(r"; " + _ROWS + r"\."), "."),
    ),
}
_PUBLISHED_SCRUBS["unrecognised_staff_group"] = _PUBLISHED_SCRUBS["unrecognised_band"]
COUNTS_NOT_PUBLISHED = " (counts in the warehouse's ops.validation_results)"


# What a critical check found, said without counts, rows or values, for a file that loaded all the
# same because [validation.severity] makes the check a warning: its rows stand behind the figures
_FOUND_IN_A_LOADED_FILE = {
    "missing_value": "blank on rows where a value is required",
    "unparseable_value": "values that do not parse",
    "unknown_ethnic_code": "values that are not NHS ethnic categories",
    "unknown_survey_answer": "answers that are not codes or labels of the question",
    "duplicate_id": "ids repeated within the file",
    "appointed_without_shortlisted": "applications appointed but not shortlisted",
    "shortlisted_date_missing": "shortlisted applications without a shortlisted_date",
    "fte_out_of_range": "values outside the fte range",
    "date_in_future": "dates after the file's date",
    "date_before_1950": "dates before the earliest date allowed",
    "unknown_catchment_area": "area codes that are not in the census table",
}


def published_message(check: str, severity: str, message: str) -> str:
    """``message`` as the publication shows it. A warning about the people behind the figures
    loses its counts and row numbers; a critical check that the settings make a warning (its file
    loaded) says what it found without counts, rows or values. A file rejected by a critical check
    stands behind no figure: its message is published whole, as the contract asks.

    >>> published_message("unknown_ethnicity_share", "warning", "f.csv, column ethnic_origin: "
    ...     "ethnicity is not stated or not known on 12% of rows (3 of 25: not known 1, not stated 2), "
    ...     "above 10%. The figures stand.")
    "f.csv, column ethnic_origin: ethnicity is not stated or not known on more than 10% of rows. \
The figures stand. (counts in the warehouse's ops.validation_results)"
    >>> published_message("fte_out_of_range", "warning", "f.csv, column fte: values outside 0 to 1.5, "
    ...     'on 1 row: "2" (1 row); row 3. Correct the values for the next export.')
    "f.csv, column fte: values outside the fte range; the file loaded, as [validation.severity] \
makes this check a warning (counts in the warehouse's ops.validation_results)"
    """
    scrubs = _PUBLISHED_SCRUBS.get(check)
    if scrubs:
        for pattern, replacement in scrubs:
            message = pattern.sub(replacement, message)
        return message + COUNTS_NOT_PUBLISHED
    if severity != "critical" and check in _FOUND_IN_A_LOADED_FILE:
        where = message.split(": ", 1)[0]
        return (
            f"{where}: {_FOUND_IN_A_LOADED_FILE[check]}; the file loaded, as [validation.severity] makes "
            f"this check a warning{COUNTS_NOT_PUBLISHED}"
        )
    return message


_MESSAGES: dict[str, Callable[[_Failure], str]] = {
    "missing_value": _missing_value,
    "unparseable_value": _unparseable_value,
    "unknown_ethnic_code": _unknown_ethnic_code,
    "unknown_survey_answer": _unknown_survey_answer,
    "duplicate_id": _duplicate_id,
    "appointed_without_shortlisted": _appointed_without_shortlisted,
    "shortlisted_date_missing": _shortlisted_date_missing,
    "fte_out_of_range": _fte_out_of_range,
    "date_in_future": _date_in_future,
    "date_before_1950": _date_before_1950,
    "no_rows": _no_rows,
    "unknown_catchment_area": _unknown_catchment_area,
    "unknown_ethnicity_share": _unknown_ethnicity_share,
    "staff_count_change": _staff_count_change,
    "employee_not_in_snapshot": _employee_not_in_snapshot,
    "unrecognised_band": _unrecognised_label(
        "aliases.band",
        "BAND",
        "the band it stands for: Band 1 to Band 9, Band 8a to Band 8d, VSM, Medical: Consultant, Medical: "
        "Career grade or Medical: Trainee",
        "pay band labels",
    ),
    "unrecognised_staff_group": _unrecognised_label(
        "aliases.staff_group",
        "GROUP",
        "the staff group it stands for: " + ", ".join(STAFF_GROUPS),
        "staff group labels",
    ),
}


def _failing_rows(
    frame: pl.DataFrame,
    check: str,
    check_column: str | None,
    check_frame: pl.DataFrame,
    parameters: dict[str, Any],
) -> pl.DataFrame:
    """The rows of ``frame`` that fail an expectation, recomputed in polars for the message."""
    if check_column is None:
        return frame.head(0)
    values = check_frame[check_column]
    if check == "missing_value":
        mask = values if check_column.endswith(BLANK_SUFFIX) else values.is_null()
    elif check == "duplicate_id":
        mask = values.is_not_null() & values.is_duplicated()
    elif check == "fte_out_of_range":
        mask = (values < parameters["fte_min"]) | (values > parameters["fte_max"])
    elif check == "date_in_future":
        mask = values > parameters["file_date"].date()
    elif check == "date_before_1950":
        mask = values < parameters["earliest_date"].date()
    elif check == "staff_count_change":
        limit = parameters["staff_count_max_change"]
        mask = values.is_not_null() & (values.abs() > limit)
    elif check == "unknown_ethnicity_share":
        mask = values == "unknown"
    else:  # derived and __invalid columns: True marks a failure
        mask = values
    return frame.filter(mask.fill_null(False))


# --------------------------------------------------------------------------------------------
# validate


def _hide_identifier_values(
    failing: pl.DataFrame, frame: pl.DataFrame, context: ValidationContext
) -> pl.DataFrame:
    """``failing`` with every value that is also an identifier of ``frame`` or of a row already
    stored (compared as pseudonyms: the file's identifiers are pseudonymised by now) replaced by
    IDENTIFIER_SHOWN_AS. Numbers are compared as a message writes them (an employee number in the
    fte column is the number 98700003); a number column with such a value becomes text. Only the
    few failing values are hashed; a message then never quotes an employee number that an export
    put in the wrong column."""
    identifiers = [c for c in frame.columns if c in IDENTIFIER_COLUMNS]
    shown = {
        c: failing[c] if dtype == pl.String else _as_message_text(failing[c])
        for c, dtype in failing.schema.items()
        if c not in IDENTIFIER_COLUMNS and c != ROW_COLUMN and (dtype == pl.String or dtype.is_numeric())
    }
    if context.pseudonymise is None or failing.is_empty() or not shown:
        return failing
    if not identifiers and context.stored_identifiers is None:
        return failing
    candidates = pl.concat(list(shown.values())).drop_nulls().unique().rename("value")
    if candidates.is_empty():
        return failing
    hashed = context.pseudonymise(candidates)
    is_identifier = pl.Series([False] * candidates.len())
    for column in identifiers:
        is_identifier = is_identifier | hashed.is_in(frame[column].drop_nulls().unique().implode())
    if context.stored_identifiers is not None:
        is_identifier = is_identifier | context.stored_identifiers(hashed).fill_null(False)
    found = candidates.filter(is_identifier).implode()
    hit = [c for c, values in shown.items() if values.is_in(found).any()]
    return failing.with_columns(
        pl.when(shown[c].is_in(found)).then(pl.lit(IDENTIFIER_SHOWN_AS)).otherwise(shown[c]).alias(c)
        for c in hit
    )


def _as_message_text(values: pl.Series) -> pl.Series:
    """Numbers as a message writes them: ``98700003.0`` as ``98700003``, ``1.8`` as ``1.8``."""
    return values.map_elements(lambda v: str(plain_value(v)), return_dtype=pl.String, skip_nulls=True)


def _passed_message(file_name: str, check: str, column: str | None) -> str:
    return f"{file_name}{', column ' + column if column else ''}: {check} passed"


def _python_checks(
    frame: pl.DataFrame, kind: Kind, file_name: str, settings: Settings
) -> Iterable[CheckResult]:
    for check, (kinds, default) in PYTHON_CHECKS.items():
        if kind.name not in kinds:
            continue
        severity = severity_of(check, default, settings)
        if severity == "off":
            continue
        if check == "reference_population":
            from wres.reference import check_reference_population

            ordered = frame.sort(ROW_COLUMN).select("organisation_code", "ethnic_group", "population")
            problems = check_reference_population(ordered)
            message = (
                f"{file_name}: "
                + "; ".join(problems)
                + " (rows counted from 1, the first under the header). "
                "Correct the file and drop it again."
                if problems
                else _passed_message(file_name, check, None)
            )
            yield CheckResult(
                check,
                None,
                severity,
                not problems,
                message,
                len(problems),
                "wres.reference.check_reference_population",
            )
        if check == "survey_questions_missing":
            yield _survey_questions_check(frame, file_name, severity)


def _survey_questions_check(frame: pl.DataFrame, file_name: str, severity: Severity) -> CheckResult:
    """A survey file without a question's column: the indicator it stands behind has no answers
    from the file, which the figures alone would not show."""
    missing = [q for q in SURVEY_QUESTIONS if q not in frame.columns]
    indicators = sorted({_QUESTION_INDICATOR[q] for q in missing})
    message = (
        f"{file_name}: no column found for {', '.join(missing)}, so indicator"
        f"{'s' if len(indicators) > 1 else ''} {', '.join(map(str, indicators))} "
        f"{'have' if len(indicators) > 1 else 'has'} no answers from this file. If the file holds "
        "them under other headers, name them in wres.toml ([survey_questions] for the survey year, or "
        "[aliases.headers]) and run once with a new state folder (--state): a loaded file is not read "
        "again."
        if missing
        else _passed_message(file_name, "survey_questions_missing", None)
    )
    return CheckResult(
        "survey_questions_missing",
        ", ".join(missing) or None,
        severity,
        not missing,
        message,
        len(missing),
        "wres.validation._survey_questions_check",
    )


def validate(
    frame: pl.DataFrame,
    kind: Kind,
    file_name: str,
    file_date: date | None,
    settings: Settings,
    context: ValidationContext,
) -> ValidationReport:
    """Check a parsed (and pseudonymised) file against its kind's suite and the Python checks.

    Returns every check's result in suite order (checks set ``off`` left out); the report is
    rejected when any critical check failed. ``file_date`` is the date in the file's name (None
    for the survey, catchment and reference files: date checks then do not apply).
    """
    suite = load_suite(kind.name)
    parameters = expectation_parameters(settings, file_date)
    check_frame = _check_frame(frame, kind, suite, context)
    gx_result = _great_expectations().run(kind.name, check_frame, parameters)
    _scrub_identifiers(gx_result)
    by_id = {str(item.expectation_config.id): item for item in gx_result.results}
    definition = _great_expectations().definition(kind.name)
    results: list[CheckResult] = []
    for expectation in definition.suite.expectations:
        item = by_id[str(expectation.id)]
        config = item.expectation_config
        check, default = config.meta["check"], config.meta["severity"]
        check_column = config.kwargs.get("column")
        column = config.meta.get("column") or check_column
        severity = severity_of(check, default, settings)
        if severity == "off" or (check == "date_in_future" and file_date is None):
            continue
        if check == "employee_not_in_snapshot" and context.known_employees is None:
            continue
        if check == "unknown_catchment_area" and context.census is None:
            continue
        if item.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"Great Expectations could not evaluate {config.type} on {file_name}: "
                f"{item.exception_info.get('exception_message')}"
            )
        passed = bool(item.success)
        if passed:
            message = _passed_message(file_name, check, column)
        else:
            failing = _hide_identifier_values(
                _failing_rows(frame, check, check_column, check_frame, parameters), frame, context
            )
            failure = _Failure(
                frame, file_name, kind, column, failing, file_date, settings, context, severity
            )
            message = _MESSAGES[check](failure)
        unexpected = item.result.get("unexpected_count")
        results.append(
            CheckResult(check, column, severity, passed, message, int(unexpected or 0), config.type)  # type: ignore[arg-type]
        )
    results.extend(_python_checks(frame, kind, file_name, settings))
    rejected = any(r.severity == "critical" and not r.passed for r in results)
    return ValidationReport(file_name, kind.name, results, rejected, gx_result=gx_result)


# --------------------------------------------------------------------------------------------
# data docs


def build_data_docs(reports: Iterable[ValidationReport], folder: Path) -> Path | None:
    """Write Great Expectations' data docs (static HTML) for ``reports`` into ``folder``.

    A file-mode context in a temporary folder holds the suites and results just long enough to
    render them; nothing is written into the repository and nothing needs the network (the pages'
    CSS comes from a CDN, so offline they are readable but unstyled). Returns the index page, or
    None when no report reached Great Expectations.
    """
    validated = [r for r in reports if r.gx_result is not None]
    if not validated:
        return None
    runtime = _great_expectations()
    gx = runtime.gx
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    # absolute: GX resolves a relative site folder inside its own (temporary) project folder
    folder = Path(folder).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wres-gx-") as tmp:
        context = gx.get_context(mode="file", project_root_dir=tmp)
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        for kind_name in sorted({r.kind for r in validated}):
            context.suites.add(ExpectationSuite(**copy.deepcopy(load_suite(kind_name))))
        for report in validated:
            run_time = report.gx_result.meta.get("validation_time") or datetime.now()
            key = ValidationResultIdentifier(
                ExpectationSuiteIdentifier(name=report.kind),
                RunIdentifier(run_name=report.file_name, run_time=run_time),
                batch_identifier=report.file_name,
            )
            context.validation_results_store.set(key, report.gx_result)
        site = {
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder)},
        }
        context.add_data_docs_site("wres", site)
        context.build_data_docs(site_names=["wres"])
    index = folder / "index.html"
    return index if index.exists() else None
