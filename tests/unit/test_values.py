"""Booleans, dates, numbers and survey answers: expected, edge and erroneous cases."""

import re
from datetime import date

import polars as pl
import pytest

from wres.values import map_distinct, parse_answer, parse_boolean, parse_date, parse_number, parse_series


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Y", True),
        ("n", False),
        ("Yes", True),
        ("NO", False),
        ("true", True),
        ("False", False),
        ("1", True),
        ("0", False),
        ("1.0", True),
        ("0.0", False),
        ("  yes  ", True),
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_boolean(text, expected):
    assert parse_boolean(text) is expected


@pytest.mark.parametrize("text", ["maybe", "2", "yess", "t", "Y/N", "-1"])
def test_parse_boolean_rejects_and_names_the_value(text):
    with pytest.raises(ValueError, match=re.escape(repr(text))):
        parse_boolean(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-31", date(2024, 3, 31)),
        ("31/03/2024", date(2024, 3, 31)),
        ("1/2/2024", date(2024, 2, 1)),  # UK: day first
        ("01/02/2024", date(2024, 2, 1)),
        ("2024-02-29", date(2024, 2, 29)),  # leap year
        ("2024-03-31 00:00:00", date(2024, 3, 31)),  # XLSX cell rendered as text
        ("2024-03-31T00:00:00", date(2024, 3, 31)),
        (" 2024-03-31 ", date(2024, 3, 31)),
        ("31/03/2025 00:00", date(2025, 3, 31)),  # a date-time cell saved as CSV on a UK computer
        ("31/03/2025 00:00:00", date(2025, 3, 31)),
        ("1/4/2024 9:30", date(2024, 4, 1)),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2024",  # no such day
        "2023-02-29",  # not a leap year
        "2024-13-01",
        "13/13/2024",
        "31/03/24",  # two-digit year
        "2024/03/31",
        "31-03-2024",
        "March 31 2024",
        "20240331",
        "2024-3-31",
        "31/03/2025 25",  # not a time of day after the date
        "31/03/2025 00:00 extra",
        "yesterday",
    ],
)
def test_parse_date_rejects(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5", 0.5),
        ("1", 1.0),
        (".5", 0.5),
        ("1.", 1.0),
        (" 0.75 ", 0.75),
        ("-2", -2.0),
        (None, None),
        ("", None),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["1,5", "1,000", "1e3", "nan", "inf", "half", "0.5.1", "."])
def test_parse_number_rejects(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        ("1", "q14a", 1),
        ("5", "q14b", 5),
        ("3.0", "q14c", 3),
        ("Never", "q14a", 1),
        ("1-2", "q14a", 2),
        ("1 - 2", "q14b", 2),
        ("3\u20135", "q14c", 3),  # en dash
        ("6-10", "q14a", 4),
        ("MORE THAN 10", "q14a", 5),
        ("Yes", "q15", 1),
        ("no", "q15", 2),
        ("Don't know", "q15", 3),
        ("Don\u2019t know", "q15", 3),  # curly apostrophe
        ("Dont know", "q15", 3),
        ("3", "q15", 3),
        ("Yes", "q16b", 1),
        ("2", "q16b", 2),
        ("", "q14a", None),
        (None, "q16b", None),
    ],
)
def test_parse_answer(text, question, expected):
    assert parse_answer(text, question) == expected


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("7", "q14a"),
        ("0", "q14a"),
        ("6", "q14a"),
        ("3", "q16b"),  # q16b has no "Don't know"
        ("Don't know", "q16b"),
        ("4", "q15"),
        ("Sometimes", "q14a"),
        ("1.5", "q14a"),
        ("Yes", "q14a"),
    ],
)
def test_parse_answer_rejects(text, question):
    with pytest.raises(ValueError):
        parse_answer(text, question)


def test_parse_answer_unknown_question():
    with pytest.raises(ValueError):
        parse_answer("1", "q99")


def test_parse_series_boolean_marks_only_non_blank_failures():
    values, invalid = parse_series(pl.Series("voting", ["Y", "n", None, "", "maybe", "Y"]), "boolean")
    assert values.dtype == pl.Boolean
    assert values.to_list() == [True, False, None, None, None, True]
    assert invalid.to_list() == [False, False, False, False, True, False]


def test_parse_series_dates_mixed_forms_in_one_column():
    values, invalid = parse_series(
        pl.Series(["2024-03-31", "01/04/2024", "31/02/2024", None, "2024-03-31"]), "date"
    )
    assert values.dtype == pl.Date
    assert values.to_list() == [date(2024, 3, 31), date(2024, 4, 1), None, None, date(2024, 3, 31)]
    assert invalid.to_list() == [False, False, True, False, False]


def test_parse_series_number_and_answer_dtypes():
    numbers, bad_numbers = parse_series(pl.Series(["1", "0.5", "1,5"]), "number")
    assert numbers.dtype == pl.Float64
    assert numbers.to_list() == [1.0, 0.5, None]
    assert bad_numbers.to_list() == [False, False, True]
    answers, bad_answers = parse_series(pl.Series(["Never", "7", "", "3-5"]), "answer", question="q14a")
    assert answers.dtype == pl.Int8
    assert answers.to_list() == [1, None, None, 3]
    assert bad_answers.to_list() == [False, True, False, False]


def test_parse_series_accepts_non_text_columns():
    values, invalid = parse_series(pl.Series([1, 0, None]), "boolean")
    assert values.to_list() == [True, False, None]
    assert invalid.to_list() == [False, False, False]


def test_parse_series_empty_column():
    values, invalid = parse_series(pl.Series([], dtype=pl.String), "date")
    assert values.dtype == pl.Date
    assert values.len() == 0 and invalid.len() == 0


def test_parse_series_answer_needs_a_known_question():
    with pytest.raises(ValueError):
        parse_series(pl.Series(["1"]), "answer")
    with pytest.raises(ValueError):
        parse_series(pl.Series([], dtype=pl.String), "answer", question="q99")


def test_map_distinct_calls_once_per_distinct_value_and_keeps_order():
    calls: list[object] = []

    def classify(value):
        calls.append(value)
        return {"length": None if value is None else len(value)}

    s = pl.Series(["bb", "a", None, "bb", "a", None, "ccc"])
    frame = map_distinct(s, classify, {"length": pl.Int64()})
    assert frame["length"].to_list() == [2, 1, None, 2, 1, None, 3]
    assert sorted(calls, key=str) == sorted(["bb", "a", None, "ccc"], key=str)
