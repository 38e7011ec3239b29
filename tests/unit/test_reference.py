"""The shipped census reference table and the checks on catchment and reference-population files.

Expected figures are the published ones (SOURCES.md): Birmingham's White total 556,608 (48.6%),
Tower Hamlets' Bangladeshi 107,333, England and Wales 81.7 / 9.3 / 4.0 / 2.9 / 2.1.
"""

from __future__ import annotations

import polars as pl
import pytest

from wres.reference import (
    CENSUS_GROUPS,
    ENGLAND_AND_WALES,
    census_reference,
    check_reference_population,
    normalise_reference_group,
    unknown_catchment_areas,
)


@pytest.fixture(scope="module")
def census() -> pl.DataFrame:
    return census_reference()


def _area(census: pl.DataFrame, code: str) -> dict[str, float]:
    rows = census.filter(pl.col("area_code") == code)
    return dict(zip(rows["ethnic_group"], rows["population"], strict=True))


def test_columns_and_types(census):
    assert census.schema == pl.Schema(
        {"area_code": pl.String, "area_name": pl.String, "ethnic_group": pl.String, "population": pl.Float64}
    )


def test_birmingham_white_total_and_share(census):
    birmingham = _area(census, "E08000025")
    assert birmingham["White"] == 556_608
    # 556,608 of 1,144,922 (the 19 categories' sum; SOURCES.md) = 48.615%, published as 48.6%
    assert sum(birmingham.values()) == 1_144_922
    assert round(100 * birmingham["White"] / sum(birmingham.values()), 1) == 48.6


def test_tower_hamlets_asian_total_holds_its_bangladeshi_residents(census):
    tower_hamlets = _area(census, "E09000030")
    # Bangladeshi 107,333 + Chinese 10,279 + Indian 10,135 + Other Asian 6,768 + Pakistani 3,341
    assert tower_hamlets["Asian"] == 107_333 + 10_279 + 10_135 + 6_768 + 3_341
    assert tower_hamlets["Asian"] > 107_333


def test_england_and_wales_rows_are_the_published_percentages(census):
    national = _area(census, ENGLAND_AND_WALES)
    assert national == {"White": 81.7, "Asian": 9.3, "Black": 4.0, "Mixed": 2.9, "Other": 2.1}
    assert sum(national.values()) == pytest.approx(100.0)
    assert census.filter(pl.col("area_code") == ENGLAND_AND_WALES)["area_name"].unique().to_list() == [
        "England and Wales"
    ]


def test_every_area_has_the_five_groups_once(census):
    per_area = census.group_by("area_code").agg(pl.col("ethnic_group").sort())
    assert per_area.height == 309 + 1  # England's lower-tier authorities and England and Wales
    assert all(groups == sorted(CENSUS_GROUPS) for groups in per_area["ethnic_group"].to_list())


def test_populations_are_never_negative_or_missing(census):
    assert census["population"].null_count() == 0
    assert census["population"].min() >= 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Asian", "Asian"),
        ("asian", "Asian"),
        ("  BLACK ", "Black"),
        ("mixed", "Mixed"),
        ("White", "White"),
        ("other", "Other"),
        ("Asian, Asian British or Asian Welsh", "Asian"),
        ("Black, Black British, Black Welsh, Caribbean or African", "Black"),
        ("Mixed or Multiple ethnic groups", "Mixed"),
        ("Other ethnic group", "Other"),
        ("Chinese", None),  # a detailed category: Asian in the census, but not a high-level group name
        ("bme", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_reference_group(text, expected):
    assert normalise_reference_group(text) == expected


def test_unknown_catchment_areas_names_each_missing_code_once(census):
    catchment = pl.DataFrame(
        {
            "organisation_code": ["RXX", "RXX", "RXX", "RYY"],
            "area_code": ["E08000025", "E99999999", " E99999999 ", "W06000015"],
            "weight": [3.0, 1.0, 1.0, 1.0],
        }
    )
    # Birmingham is in the table; E99999999 is no area; Cardiff (W06000015) is Welsh, and the
    # shipped local-authority table covers England only.
    assert unknown_catchment_areas(catchment, census) == ["E99999999", "W06000015"]


def test_a_catchment_of_known_areas_has_no_unknown_codes(census):
    catchment = pl.DataFrame(
        {"area_code": ["E08000025", "E09000030", ENGLAND_AND_WALES], "weight": [1, 1, 1]}
    )
    assert unknown_catchment_areas(catchment, census) == []


def test_a_good_reference_population_has_no_problems():
    frame = pl.DataFrame(
        {
            "organisation_code": ["RXX"] * 5,
            "ethnic_group": ["asian", "Black", "MIXED", "White", "Other"],
            "population": [310.0, 110.0, 0.0, 486.0, 94.0],
        }
    )
    assert check_reference_population(frame) == []


def test_reference_population_read_as_text_is_checked_as_numbers():
    frame = pl.DataFrame(
        {
            "organisation_code": ["RXX", "RXX"],
            "ethnic_group": ["White", "Asian"],
            "population": ["1,200", "30.5"],
        }
    )
    assert check_reference_population(frame) == []


@pytest.mark.parametrize(
    ("column", "values", "expected"),
    [
        ("ethnic_group", ["Chinese", "Asian", "Chinese"], "found 'Chinese' (2 rows)"),
        ("ethnic_group", ["White", None, "Asian"], "found blank (1 row)"),
        ("population", ["10", "many", "5"], "population is not a number on 1 row (2)"),
        ("population", ["10", "", "5"], "population is not a number on 1 row (2)"),
        ("population", ["-3", "10", "-1"], "population is negative on 2 rows (1, 3)"),
        ("organisation_code", ["RXX", " ", "RXX"], "organisation_code is blank on 1 row (2)"),
    ],
)
def test_reference_population_problems(column, values, expected):
    frame = {
        "organisation_code": ["RXX", "RXX", "RXX"],
        "ethnic_group": ["White", "Asian", "Black"],
        "population": ["10", "20", "30"],
    }
    frame[column] = values
    problems = check_reference_population(pl.DataFrame(frame))
    assert len(problems) == 1
    assert expected in problems[0]


def test_an_organisation_whose_population_adds_up_to_zero_is_a_problem():
    frame = pl.DataFrame(
        {
            "organisation_code": ["RXX", "RXX", "RYY"],
            "ethnic_group": ["White", "Asian", "White"],
            "population": [0, 0, 40],
        }
    )
    problems = check_reference_population(frame)
    assert problems == [
        "the population adds up to 0 for organisation(s) RXX: their shares cannot be computed"
    ]


def test_missing_columns_are_named():
    frame = pl.DataFrame({"organisation_code": ["RXX"], "group": ["White"]})
    assert check_reference_population(frame) == ["missing required column(s): ethnic_group, population"]
