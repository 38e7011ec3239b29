"""The census reference table the monitor ships, and the checks on the files that point into it.

The 2021 census (table TS021) counts usual residents in 19 ethnic categories under five high-level
groups. Representation compares a workforce with the high-level groups of its community:

- ``census_reference()`` is the table behind ``staging.census2021``: one row per area and group.
- ``unknown_catchment_areas()`` names the area codes of a ``catchment.csv`` that the table lacks
  (such a catchment file is rejected).
- ``check_reference_population()`` lists what is wrong with a ``reference_NAME.csv``.
"""

from __future__ import annotations

import polars as pl

from wres.resources import resource_dir

# The census 2021 high-level ethnic groups, as written in staging.census2021, staging.reference_population
# and marts.representation.
CENSUS_GROUPS: tuple[str, ...] = ("Asian", "Black", "Mixed", "White", "Other")

# England and Wales: the comparison for an organisation without a catchment.
ENGLAND_AND_WALES = "K04000001"
# the default reference population's name; a reference_census2021.csv replaces it where it lists
CENSUS_REFERENCE_NAME = "census2021"

LTLA_FILE = "census2021_ts021_ltla.csv"
NATIONAL_FILE = "census2021_ts021_national_percent.csv"

# The census's own names for its high-level groups (TS021), accepted as well as the short names.
_GROUP_LABELS: dict[str, str] = {
    "asian, asian british or asian welsh": "Asian",
    "black, black british, black welsh, caribbean or african": "Black",
    "mixed or multiple ethnic groups": "Mixed",
    "other ethnic group": "Other",
}

REFERENCE_POPULATION_COLUMNS: tuple[str, ...] = ("organisation_code", "ethnic_group", "population")

_CENSUS_SCHEMA = {"area_code": pl.String, "area_name": pl.String, "ethnic_group": pl.String}


def normalise_reference_group(text: str | None) -> str | None:
    """The census high-level group that ``text`` names, capitalised; None when it names none.

    Case and surrounding spaces do not matter; the census's long labels are accepted too.

    >>> normalise_reference_group(" asian ")
    'Asian'
    >>> normalise_reference_group("Mixed or Multiple ethnic groups")
    'Mixed'
    >>> normalise_reference_group("Chinese") is None  # a detailed category, not a high-level group
    True
    """
    if text is None:
        return None
    key = " ".join(str(text).split()).casefold()
    for group in CENSUS_GROUPS:
        if key == group.casefold():
            return group
    return _GROUP_LABELS.get(key)


def census_reference() -> pl.DataFrame:
    """The shipped census table: area_code, area_name, ethnic_group, population (Float64).

    Local authorities (England's 309 lower-tier authorities) have their 19 detailed categories
    summed into the five high-level groups; every area has all five groups, a group the file lacks
    counting 0. England and Wales (``K04000001``) carries the published percentages as its
    population, which is all a share needs. Sorted by area_code, then group in ``CENSUS_GROUPS``
    order.
    """
    folder = resource_dir("reference")
    detailed = pl.read_csv(
        folder / LTLA_FILE,
        schema_overrides={"area_code": pl.String, "population": pl.Float64},
    )
    local = detailed.group_by("area_code", "area_name", "ethnic_group_high").agg(pl.col("population").sum())
    local = local.rename({"ethnic_group_high": "ethnic_group"})
    national = pl.read_csv(
        folder / NATIONAL_FILE,
        schema_overrides={"area_code": pl.String, "percent": pl.Float64},
    ).select(
        "area_code",
        "area_name",
        pl.col("ethnic_group_high").alias("ethnic_group"),
        pl.col("percent").alias("population"),
    )
    counted = pl.concat([local, national])
    unexpected = sorted(set(counted["ethnic_group"].to_list()) - set(CENSUS_GROUPS))
    if unexpected:
        raise ValueError(f"the shipped census table has unknown ethnic groups: {', '.join(unexpected)}")
    # Every area gets all five groups so that shares add up to 1 whatever the file holds.
    every_cell = (
        counted.select("area_code", "area_name")
        .unique()
        .join(pl.DataFrame({"ethnic_group": list(CENSUS_GROUPS)}), how="cross")
    )
    order = pl.DataFrame({"ethnic_group": list(CENSUS_GROUPS), "_order": range(len(CENSUS_GROUPS))})
    return (
        every_cell.join(counted, on=["area_code", "area_name", "ethnic_group"], how="left")
        .with_columns(pl.col("population").fill_null(0.0))
        .join(order, on="ethnic_group")
        .sort("area_code", "_order")
        .select(*_CENSUS_SCHEMA, "population")
    )


def unknown_catchment_areas(catchment: pl.DataFrame, census: pl.DataFrame) -> list[str]:
    """The distinct area codes of ``catchment`` that ``census`` does not hold, sorted.

    Codes are compared exactly after stripping spaces (census codes are upper case, ``E08000025``).
    Blank codes are left to the required-column check.
    """
    known = set(census["area_code"].to_list())
    codes = catchment["area_code"].cast(pl.String).str.strip_chars().drop_nulls()
    return sorted({code for code in codes.to_list() if code and code not in known})


def check_reference_population(frame: pl.DataFrame) -> list[str]:
    """What is wrong with a ``reference_NAME.csv`` (columns organisation_code, ethnic_group, population).

    Each problem is one sentence a person can act on; an empty list means the file is usable.
    ``ethnic_group`` must name a census high-level group (see ``normalise_reference_group``);
    ``population`` must be a number, 0 or more; an organisation's populations must not all be 0
    (its shares would be undefined). Rows are numbered from 1, the first row under the header.
    Several rows for one organisation and group are allowed: their populations add up.
    """
    missing = [c for c in REFERENCE_POPULATION_COLUMNS if c not in frame.columns]
    if missing:
        return [f"missing required column(s): {', '.join(missing)}"]
    problems: list[str] = []
    rows = frame.select(
        pl.col("organisation_code").cast(pl.String).str.strip_chars().alias("organisation_code"),
        pl.col("ethnic_group").cast(pl.String).alias("ethnic_group"),
        pl.col("population").cast(pl.String).str.strip_chars().alias("population_text"),
    ).with_row_index("row", offset=1)
    rows = rows.with_columns(
        pl.col("population_text").str.replace_all(",", "").cast(pl.Float64, strict=False).alias("population"),
        pl.col("ethnic_group").map_elements(normalise_reference_group, return_dtype=pl.String).alias("group"),
    )

    blank_org = rows.filter(pl.col("organisation_code").is_null() | (pl.col("organisation_code") == ""))
    if blank_org.height:
        problems.append(f"organisation_code is blank on {_rows(blank_org)}")

    bad_groups = (
        rows.filter(pl.col("group").is_null())
        .group_by("ethnic_group")
        .len()
        .sort("ethnic_group", nulls_last=True)
    )
    if bad_groups.height:
        listed = ", ".join(
            f"{'blank' if v is None else repr(v)} ({n} row{'s' if n != 1 else ''})"
            for v, n in bad_groups.iter_rows()
        )
        problems.append(f"ethnic_group must be one of {', '.join(CENSUS_GROUPS)} (any case); found {listed}")

    not_number = rows.filter(pl.col("population").is_null() | pl.col("population").is_nan())
    if not_number.height:
        problems.append(f"population is not a number on {_rows(not_number)}")
    negative = rows.filter(pl.col("population") < 0)
    if negative.height:
        problems.append(f"population is negative on {_rows(negative)}")

    totals = (
        rows.filter(pl.col("organisation_code").is_not_null() & pl.col("population").is_not_null())
        .group_by("organisation_code")
        .agg(pl.col("population").sum())
        .filter(pl.col("population") == 0)
        .sort("organisation_code")
    )
    if totals.height:
        problems.append(
            "the population adds up to 0 for organisation(s) "
            f"{', '.join(totals['organisation_code'].to_list())}: their shares cannot be computed"
        )
    return problems


def _rows(frame: pl.DataFrame, limit: int = 10) -> str:
    numbers = frame["row"].to_list()
    shown = ", ".join(str(n) for n in numbers[:limit])
    more = f" and {len(numbers) - limit} more" if len(numbers) > limit else ""
    return f"{len(numbers)} row{'s' if len(numbers) != 1 else ''} ({shown}{more})"
