"""Type a raw table: every column of a kind by its ``Column.type``, plus the check columns validation reads.

``parse`` turns the all-text :class:`wres.reading.RawTable` into the typed frame the rest of the
pipeline uses (CONTRACT section 1). The field definitions themselves live in their own modules
(``values``, ``ethnicity``, ``bands``, ``staff_groups``); this module only applies them, column by
column, with vectorised polars (each rule runs once per distinct value, not once per row).

Columns of the result, for a column ``col`` of the kind present in the file:

- ``col`` typed: text -> String (stripped, blank null), boolean -> Boolean, date -> Date,
  number -> Float64, answer -> Int8 code; null where blank or unparseable.
- for non-text columns ``col__invalid`` (Boolean: non-blank text that did not parse) and
  ``col__invalid_text`` (the text as given where it did not parse, else null), so that a
  validation message can name the bad values after the typed value is gone.
- for the ethnicity column (``ethnic_origin``, the survey's ``ethnicity``): the text as given,
  ``ethnic_group``, ``census_group``, ``unknown_reason`` and ``<col>__invalid`` (not a recognised
  value; blank is valid and means not known).
- ``pay_band`` present: ``band_recognised``; ``staff_group`` present: ``staff_group_recognised``
  (both False for blank; validation warns about non-blank labels only).
- staff_in_post: ``assignment_order`` (Int32, 1 = the employee's lowest ``assignment_id`` in the
  file compared as text). It is computed here because identifiers are pseudonymised right after
  parsing, and the contract's tie-break uses the original order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from wres.bands import band_series
from wres.config import Settings
from wres.ethnicity import classify_series
from wres.kinds import Kind
from wres.staff_groups import staff_group_series
from wres.values import parse_series

if TYPE_CHECKING:
    from wres.reading import RawTable

ROW_COLUMN = "__row"
INVALID_SUFFIX = "__invalid"
INVALID_TEXT_SUFFIX = "__invalid_text"
ETHNICITY_COLUMNS = ("ethnic_origin", "ethnicity")  # staff files and the like; the staff survey


def invalid_column(column: str) -> str:
    """The name of the Boolean column that marks unparseable values of ``column``."""
    return column + INVALID_SUFFIX


def invalid_text_column(column: str) -> str:
    """The name of the String column that keeps the unparseable text of ``column``."""
    return column + INVALID_TEXT_SUFFIX


def _blank_to_null(text: pl.Series) -> pl.Series:
    """``text`` stripped, blank as null; returned as it is when it already is (a raw table from
    ``read_raw`` is), so that a national file's text columns are not copied once more."""
    text = text.cast(pl.String)
    if not text.str.contains(r"^\s|\s$|^$").any():
        return text
    stripped = text.str.strip_chars()
    return pl.select(pl.when(stripped != "").then(stripped).alias(text.name)).to_series()


def _only_where(values: pl.Series, mask: pl.Series, name: str) -> pl.Series:
    return pl.select(pl.when(mask).then(values).alias(name)).to_series()


def _decimal_commas_as_points(text: pl.Series) -> pl.Series:
    """``0,8`` -> ``0.8``: a file separated by semicolons comes from a spreadsheet set up for a
    language that writes decimals with a comma (Excel writes semicolons only there)."""
    return text.str.replace(r"^(\s*-?[0-9]*),([0-9]+\s*)$", "${1}.${2}")


def _typed_columns(frame: pl.DataFrame, kind: Kind, delimiter: str | None) -> list[pl.Series]:
    out: list[pl.Series] = []
    for column in kind.columns:
        if column.name not in frame.columns:
            continue
        text = _blank_to_null(frame[column.name])
        if column.type == "number" and delimiter == ";":
            text = _decimal_commas_as_points(text)
        if column.type == "text":
            out.append(text.alias(column.name))
            continue
        question = column.name if column.type == "answer" else None
        values, invalid = parse_series(text, column.type, question)
        out.append(values.alias(column.name))
        out.append(invalid.fill_null(False).alias(invalid_column(column.name)))
        out.append(_only_where(text, invalid.fill_null(False), invalid_text_column(column.name)))
    return out


def _ethnicity_columns(frame: pl.DataFrame, column: str, settings: Settings) -> list[pl.Series]:
    groups = classify_series(frame[column], settings.ethnicity_aliases, survey=column == "ethnicity")
    return [
        groups["ethnic_group"],
        groups["census_group"],
        groups["unknown_reason"],
        (~groups["recognised"]).alias(invalid_column(column)),
    ]


def assignment_order(employee_id: pl.Series, assignment_id: pl.Series) -> pl.Series:
    """Each assignment's place among its employee's assignments, ``assignment_id`` compared as text
    (the contract's order: "10" sorts before "9"); null where ``assignment_id`` is blank.

    One sort of the file rather than a window per employee (four times faster on a national file).

    >>> order = assignment_order(pl.Series(["e1", "e2", "e1", "e1"]), pl.Series(["9", "5", "10", None]))
    >>> order.to_list()
    [2, 1, 1, None]
    """
    position = pl.int_range(pl.len(), dtype=pl.Int64)
    group_start = pl.when(pl.col("employee").is_first_distinct()).then(position).forward_fill()
    ordered = (
        pl.DataFrame({"employee": employee_id, "assignment": assignment_id})
        .with_row_index("__position")
        .sort(["employee", "assignment"], nulls_last=True, maintain_order=True)
        .with_columns((position - group_start + 1).alias("order"))
        .sort("__position")
    )
    order = ordered.select(pl.when(pl.col("assignment").is_not_null()).then(pl.col("order")))
    return order.to_series().cast(pl.Int32).alias("assignment_order")


def parse(raw: RawTable, kind: Kind, settings: Settings) -> pl.DataFrame:
    """The typed frame of ``raw`` (see the module docstring for its columns).

    >>> import polars as pl
    >>> from types import SimpleNamespace
    >>> from wres.kinds import KINDS
    >>> from wres.config import Settings
    >>> raw = SimpleNamespace(frame=pl.DataFrame({"__row": [2, 3], "organisation_code": ["RXX", "RXX"],
    ...     "member_id": ["m1", "m2"], "ethnic_origin": ["A", "Martian"], "voting": ["Y", "maybe"],
    ...     "executive": ["no", ""]}))
    >>> typed = parse(raw, KINDS["board"], Settings())
    >>> typed.select("voting", "voting__invalid", "voting__invalid_text", "ethnic_origin__invalid").rows()
    [(True, False, None, False), (None, True, 'maybe', True)]
    """
    frame = raw.frame
    columns: list[pl.Series] = [frame[ROW_COLUMN].cast(pl.Int64)] if ROW_COLUMN in frame.columns else []
    columns.extend(_typed_columns(frame, kind, getattr(raw, "delimiter", None)))
    typed = pl.DataFrame(columns) if columns else pl.DataFrame()
    if ROW_COLUMN not in typed.columns:
        typed = typed.with_row_index(ROW_COLUMN, offset=1).with_columns(pl.col(ROW_COLUMN).cast(pl.Int64))
    extra: list[pl.Series] = []
    for column in ETHNICITY_COLUMNS:
        if column in typed.columns and column in {c.name for c in kind.columns}:
            extra.extend(_ethnicity_columns(typed, column, settings))
    if "pay_band" in typed.columns:
        extra.append(band_series(typed["pay_band"], settings.band_aliases)["band_recognised"])
    if "staff_group" in typed.columns:
        extra.append(
            staff_group_series(typed["staff_group"], settings.staff_group_aliases)["staff_group_recognised"]
        )
    if extra:
        typed = typed.with_columns(extra)
    if kind.name == "staff_in_post" and {"employee_id", "assignment_id"} <= set(typed.columns):
        typed = typed.with_columns(assignment_order(typed["employee_id"], typed["assignment_id"]))
    return typed
