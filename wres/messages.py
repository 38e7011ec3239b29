"""Pieces of validation messages: bad values with their counts, row numbers, plural words.

One place for the shape every message shares (the console, the Prefect log, ``ops`` and the report
all show the same text). Values from a file are quoted and cut short, so a 1 MB field never ends
up in a message; identifier values never reach these functions (callers give counts and rows).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

MAX_VALUES = 20
MAX_ROWS = 10
MAX_VALUE_CHARS = 60

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``plural(1, "row")`` -> ``'1 row'``; ``plural(3, "row")`` -> ``'3 rows'``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def quoted(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """A value from a file as it may appear in a message: in double quotes, control characters
    escaped, at most ``limit`` characters (then ``...`` and its full length).

    >>> print(quoted("Sí"), quoted("a\\nb"), quoted("x" * 100, limit=5))
    "Sí" "a\\nb" "xxxxx..." (100 characters)
    """
    if value is None:
        return "blank"
    text = str(value)
    shown = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text[:limit]).replace('"', '\\"')
    if len(text) > limit:
        return f'"{shown}..." ({len(text)} characters)'
    return f'"{shown}"'


# what a message shows in place of a bad value that is also one of the file's identifiers
IDENTIFIER_SHOWN_AS = "(an identifier, not shown)"


def values_with_counts(values: pl.Series, limit: int = MAX_VALUES) -> str:
    """The distinct values of ``values`` with their row counts, most frequent first (ties in text
    order), at most ``limit`` of them, then ``and N more``.

    >>> values_with_counts(pl.Series(["b", "a", "b"]))
    '"b" (2 rows), "a" (1 row)'
    """
    counts = (
        values.rename("value")
        .to_frame()
        .group_by("value")
        .len()
        .sort(["len", "value"], descending=[True, False], nulls_last=True)
    )
    shown = [f"{quoted(plain_value(v))} ({plural(n, 'row')})" for v, n in counts.head(limit).iter_rows()]
    more = counts.height - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def alias_example(values: pl.Series, fallback: str) -> str:
    """The most frequent value (ties in text order), fit to stand in a TOML example line.

    >>> alias_example(pl.Series(["b", 'say "a"', 'say "a"']), "x")
    "say 'a'"
    """
    counts = values.drop_nulls().rename("value").to_frame().group_by("value").len()
    counts = counts.filter(pl.col("value").cast(pl.String) != IDENTIFIER_SHOWN_AS)
    if counts.height == 0:
        return fallback
    top = counts.sort(["len", "value"], descending=[True, False])["value"][0]
    return _CONTROL.sub(" ", str(top)[:MAX_VALUE_CHARS]).replace('"', "'")


def plain_value(value: object) -> object:
    """A value as a message writes it: a whole number without its ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def row_numbers(rows: Sequence[int] | pl.Series, limit: int = MAX_ROWS) -> str:
    """``row 4`` / ``rows 4, 7, 9`` / ``rows 4, 7, ... (first 10 of 25)``, in ascending order.

    >>> row_numbers([9, 4, 7]), row_numbers(range(1, 26), limit=3)
    ('rows 4, 7, 9', 'rows 1, 2, 3 (the first 3 of 25)')
    """
    series = rows if isinstance(rows, pl.Series) else pl.Series(list(rows), dtype=pl.Int64)
    total = series.len()
    numbers = series.sort().head(limit).to_list()
    if total == 1:
        return f"row {numbers[0]}"
    shown = ", ".join(str(n) for n in numbers)
    if total > limit:
        return f"rows {shown} (the first {limit} of {total})"
    return f"rows {shown}"


def percent(share: float) -> str:
    """``0.153`` -> ``'15.3%'``; ``0.1`` -> ``'10%'``."""
    text = f"{share * 100:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"
