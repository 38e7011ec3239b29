"""Field definitions for plain values: booleans, dates, numbers and survey answers (CONTRACT section 1).

Each rule is a scalar function (the one definition, easy to read and test) and the pipeline calls
``parse_series``, which applies the scalar function to the distinct values of a column only: a
staff file has millions of rows but few distinct values.

Blank means "not given": ``None``, an empty string or spaces parse to ``None`` and are never invalid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Literal

import polars as pl

ValueKind = Literal["code", "boolean", "date", "number", "answer"]

_TRUE = frozenset({"y", "yes", "true", "1", "1.0"})
_FALSE = frozenset({"n", "no", "false", "0", "0.0"})

# a time after the date, as XLSX cells and spreadsheets' CSV exports of date-time cells carry it
_TIME_OF_DAY = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})" + _TIME_OF_DAY)
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME_OF_DAY)
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_CODE = re.compile(r"(\d+)(?:\.0+)?")

# Survey answers (CONTRACT section 1, staff_survey): question -> code -> label spellings.
_FREQUENCY = {1: ("never",), 2: ("1-2",), 3: ("3-5",), 4: ("6-10",), 5: ("more than 10",)}
_YES_NO_DONT_KNOW = {1: ("yes",), 2: ("no",), 3: ("don't know", "dont know")}
_YES_NO = {1: ("yes",), 2: ("no",)}
ANSWER_CODES: dict[str, dict[int, tuple[str, ...]]] = {
    "q14a": _FREQUENCY,
    "q14b": _FREQUENCY,
    "q14c": _FREQUENCY,
    "q15": _YES_NO_DONT_KNOW,
    "q16b": _YES_NO,
}


def _blank(text: object) -> bool:
    return text is None or (isinstance(text, str) and not text.strip())


# an organisation code (an ODS code such as RXX or R1H) names a folder of the publication: it may
# not hold a path separator or a control character, nor start with a dot ("..", ".versions") or
# begin or end with a space
ORGANISATION_CODE_PATTERN = re.compile(r"(?![.\s])(?!.*\s$)[^/\\\x00-\x1f\x7f]{1,64}")


def parse_code(text: str | None) -> str | None:
    """An organisation code as given (spaces at the ends removed); blank -> None.

    >>> parse_code(" RXX "), parse_code("R1H01"), parse_code("=RBB"), parse_code("")
    ('RXX', 'R1H01', '=RBB', None)
    >>> parse_code("../RXX")
    Traceback (most recent call last):
    ...
    ValueError: not an organisation code: '../RXX'
    """
    if text is None or not text.strip():
        return None
    code = text.strip()
    if not ORGANISATION_CODE_PATTERN.fullmatch(code):
        raise ValueError(f"not an organisation code: {text!r}")
    return code


def parse_boolean(text: str | None) -> bool | None:
    """``Y/N``, ``Yes/No``, ``True/False``, ``1/0`` (any case, spaces ignored); blank -> None.

    >>> parse_boolean(" yes "), parse_boolean("0"), parse_boolean("")
    (True, False, None)

    Anything else raises ValueError naming the value.
    """
    if _blank(text):
        return None
    key = str(text).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a yes/no value (expected Y/N, Yes/No, True/False or 1/0)")


def parse_date(text: str | date | None) -> date | None:
    """ISO ``YYYY-MM-DD`` or UK ``DD/MM/YYYY``, either optionally followed by a time of day (as
    XLSX cells carry it, and as a spreadsheet on a UK computer saves a date-time cell to CSV:
    ``31/03/2025 00:00``); the time is dropped.

    Each value is read on its own, so one column may mix both forms. The UK form accepts a
    single-digit day or month (``1/2/2024`` is 1 February 2024). Blank -> None.

    >>> parse_date("2024-03-31"), parse_date("31/03/2024"), parse_date("2024-03-31 00:00:00")
    (datetime.date(2024, 3, 31), datetime.date(2024, 3, 31), datetime.date(2024, 3, 31))
    >>> parse_date("31/03/2025 00:00"), parse_date("1/4/2024 09:30:15")
    (datetime.date(2025, 3, 31), datetime.date(2024, 4, 1))

    An impossible date (``31/02/2024``) or any other form raises ValueError.
    """
    if isinstance(text, date):
        return text
    if _blank(text):
        return None
    value = str(text).strip()
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = match.groups()
    elif match := _UK_DATE.fullmatch(value):
        day, month, year = match.groups()
    else:
        raise ValueError(f"{text!r} is not a date (expected YYYY-MM-DD or DD/MM/YYYY)")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"{text!r} is not a real calendar date") from None


def parse_number(text: str | None) -> float | None:
    """A plain decimal number (``0.5``, ``1``, ``.5``, ``-2``); blank -> None.

    A decimal comma (``1,5``), thousands separators, exponents and words raise ValueError.
    """
    if _blank(text):
        return None
    value = str(text).strip()
    if not _DECIMAL.fullmatch(value):
        raise ValueError(f"{text!r} is not a plain decimal number (use a point: 0.5)")
    return float(value)


def _answer_label_key(text: str) -> str:
    key = text.strip().lower().replace("\u2019", "'").replace("\u2018", "'")
    key = key.replace("\u2013", "-").replace("\u2014", "-")
    key = re.sub(r"\s*-\s*", "-", key)  # "1 - 2" is "1-2"
    return re.sub(r"\s+", " ", key)


def parse_answer(text: str | None, question: str) -> int | None:
    """A survey answer, given as its code or its label, as the code; blank (not answered) -> None.

    ``question`` is the canonical question name: q14a, q14b, q14c (1 Never, 2 1-2, 3 3-5, 4 6-10,
    5 More than 10), q15 (1 Yes, 2 No, 3 Don't know) or q16b (1 Yes, 2 No). Labels are compared
    without regard to case, spaces around a hyphen or the kind of apostrophe:

    >>> parse_answer("1 - 2", "q14a"), parse_answer("Don\u2019t know", "q15"), parse_answer("2.0", "q16b")
    (2, 3, 2)

    A code outside the question's range or an unknown label raises ValueError.
    """
    codes = ANSWER_CODES.get(question.strip().lower())
    if codes is None:
        raise ValueError(
            f"{question!r} is not a survey question with known answers ({', '.join(ANSWER_CODES)})"
        )
    if _blank(text):
        return None
    value = str(text).strip()
    if match := _CODE.fullmatch(value):
        code = int(match.group(1))
        if code in codes:
            return code
        raise ValueError(f"{text!r} is not an answer code for {question} (expected 1 to {max(codes)})")
    key = _answer_label_key(value)
    for code, labels in codes.items():
        if key in labels:
            return code
    raise ValueError(f"{text!r} is not an answer to {question}")


def map_distinct(
    s: pl.Series, classify: Callable[[Any], Mapping[str, Any]], schema: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    """Apply ``classify`` to each distinct value of ``s`` (null included) and spread the results back.

    ``classify`` returns a mapping with the keys of ``schema``. The result has one row per row of
    ``s``, in order, and the columns of ``schema``. Columns can hold millions of rows with a few
    hundred distinct values, so this is how every field definition is applied to a column.
    """
    return map_distinct_rows(s.to_frame("value"), classify, schema)


def map_distinct_rows(
    frame: pl.DataFrame, classify: Callable[..., Mapping[str, Any]], schema: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    """Like ``map_distinct`` for several columns: ``classify(*row)`` once per distinct row of ``frame``.

    Every column is read as text (null stays null). The result has one row per row of ``frame``,
    in order, and the columns of ``schema``.
    """
    names = [f"__key{i}" for i in range(frame.width)]
    keys = frame.select(pl.col(c).cast(pl.String).alias(n) for c, n in zip(frame.columns, names, strict=True))
    distinct = keys.unique(maintain_order=True)
    results = [classify(*row) for row in distinct.iter_rows()]
    mapping = distinct.with_columns(
        pl.Series(name, [r[name] for r in results], dtype=dtype) for name, dtype in schema.items()
    )
    joined = keys.join(mapping, on=names, how="left", maintain_order="left", nulls_equal=True)
    return joined.select(list(schema))


_DTYPES: dict[str, pl.DataType] = {
    "code": pl.String(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "number": pl.Float64(),
    "answer": pl.Int8(),
}


def parse_series(s: pl.Series, kind: ValueKind, question: str | None = None) -> tuple[pl.Series, pl.Series]:
    """Parse a column of text: ``(values, invalid)``.

    ``values`` has the kind's dtype (Boolean, Date, Float64 or Int8) and is null where the text is
    blank or does not parse; ``invalid`` is True exactly where the text is non-blank and does not
    parse (the rows a validation failure counts). ``question`` is required for ``answer``.
    """
    if kind not in _DTYPES:
        raise ValueError(f"unknown value kind {kind!r}; expected one of {', '.join(_DTYPES)}")
    if kind == "answer":
        if question is None:
            raise ValueError("parse_series(kind='answer') needs the question")
        parse: Callable[[Any], Any] = lambda text: parse_answer(text, question)  # noqa: E731
        parse_answer(None, question)  # fail early on an unknown question, even for an empty column
    else:
        parsers = {"code": parse_code, "boolean": parse_boolean, "date": parse_date, "number": parse_number}
        parse = parsers[kind]

    def classify(text: str | None) -> dict[str, Any]:
        try:
            return {"value": parse(text), "invalid": False}
        except ValueError:
            return {"value": None, "invalid": True}

    frame = map_distinct(s, classify, {"value": _DTYPES[kind], "invalid": pl.Boolean()})
    return frame["value"].alias(s.name), frame["invalid"].alias(f"{s.name}_invalid")
