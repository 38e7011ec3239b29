"""Pay band normalisation and order: expected, edge and erroneous cases (CONTRACT section 1, Bands)."""

import polars as pl
import pytest

from wres.bands import BAND_ORDER, BAND_RANK, NormalisedBand, band_series, normalise_band
from wres.errors import ConfigError


@pytest.mark.parametrize(
    ("label", "band"),
    [
        ("Band 5", "Band 5"),
        ("band 5", "Band 5"),
        ("AfC Band 5", "Band 5"),
        ("Review Body Band 5", "Band 5"),  # ESR's name for the Agenda for Change scales
        ("Review Body Band 8 - Range C", "Band 8c"),
        ("5", "Band 5"),
        ("05", "Band 5"),
        ("Band5", "Band 5"),
        ("  Band   2 ", "Band 2"),
        ("Agenda for Change - Band 5", "Band 5"),
        ("Band 1", "Band 1"),
        ("Band 9", "Band 9"),
        ("Band 8A", "Band 8a"),
        ("Band 08a", "Band 8a"),
        ("8A", "Band 8a"),
        ("8b", "Band 8b"),
        ("Band 8 - Range A", "Band 8a"),  # ESR style
        ("Band 8 - Range C", "Band 8c"),
        ("Band 8 Range D", "Band 8d"),
        ("Band 8 \u2013 Range B", "Band 8b"),  # en dash
        ("VSM", "VSM"),
        ("Very Senior Manager", "VSM"),
        ("Consultant", "Medical: Consultant"),
        ("Medical Consultant", "Medical: Consultant"),
        ("Specialty Doctor", "Medical: Career grade"),
        ("Associate Specialist", "Medical: Career grade"),
        ("Specialist", "Medical: Career grade"),
        ("Staff Grade", "Medical: Career grade"),
        ("Foundation Year 1", "Medical: Trainee"),
        ("Foundation Year 2", "Medical: Trainee"),
        ("FY1", "Medical: Trainee"),
        ("FY2", "Medical: Trainee"),
        ("Core Training", "Medical: Trainee"),
        ("CT1", "Medical: Trainee"),
        ("CT3", "Medical: Trainee"),
        ("Specialty Registrar", "Medical: Trainee"),
        ("Specialty Registrar (StR)", "Medical: Trainee"),
        ("Specialist Registrar", "Medical: Trainee"),  # a trainee, not a career-grade specialist
        ("Specialty Trainee", "Medical: Trainee"),
        ("ST1", "Medical: Trainee"),
        ("ST8", "Medical: Trainee"),
        ("Registrar", "Medical: Trainee"),
    ],
)
def test_recognised_bands(label, band):
    assert normalise_band(label) == NormalisedBand(band, BAND_RANK[band], True)


@pytest.mark.parametrize(
    "label",
    [
        "Band 8",  # which range?
        "Band 10",
        "Band 0",
        "8e",
        "Band 5 - Range A",  # only band 8 has ranges
        "CT4",
        "ST9",
        "Consultant Nurse",  # an Agenda for Change role, not a medical grade
        "XN05",  # ESR medical pay-scale code: needs an alias
        "AfC Band 6 (Annex 21)",  # trainee scale: the user decides with an alias
        "Apprentice",
        "",
        "   ",
        None,
    ],
)
def test_unrecognised_bands_are_other(label):
    assert normalise_band(label) == NormalisedBand("Other", 0, False)


def test_ranks_give_the_contract_order():
    # 1 < 2 < ... < 7 < 8a < 8b < 8c < 8d < 9 < VSM; medical grades and Other below Band 1
    ladder = ["Band 1", "Band 2", "Band 3", "Band 4", "Band 5", "Band 6", "Band 7"]
    ladder += ["Band 8a", "Band 8b", "Band 8c", "Band 8d", "Band 9", "VSM"]
    ranks = [BAND_RANK[b] for b in ladder]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    below = ["Other", "Medical: Trainee", "Medical: Career grade", "Medical: Consultant"]
    assert all(BAND_RANK[b] < BAND_RANK["Band 1"] for b in below)
    assert BAND_RANK["Other"] == min(BAND_RANK.values())


def test_band_order_lists_every_band_once_in_reporting_order():
    assert BAND_ORDER[0] == "Band 1" and BAND_ORDER[12] == "VSM" and BAND_ORDER[-1] == "Other"
    assert BAND_ORDER[13:16] == ("Medical: Consultant", "Medical: Career grade", "Medical: Trainee")
    assert sorted(BAND_ORDER) == sorted(BAND_RANK)
    assert len(BAND_ORDER) == 17


@pytest.mark.parametrize("band", [b for b in BAND_ORDER if b != "Other"])
def test_normalising_a_normalised_band_keeps_it(band):
    assert normalise_band(band).band == band
    assert normalise_band(band.upper()).band == band


def test_aliases():
    aliases = {"XN05": "Medical: Trainee", "Exec Director": "VSM", "AfC Band 6 (Annex 21)": "band 6"}
    assert normalise_band("xn05", aliases) == NormalisedBand("Medical: Trainee", 1, True)
    assert normalise_band("Exec  Director", aliases).band == "VSM"
    assert normalise_band("AfC Band 6 (Annex 21)", aliases).band == "Band 6"
    assert normalise_band("Band 5", aliases).band == "Band 5"


def test_alias_to_an_unknown_band_is_a_config_error():
    with pytest.raises(ConfigError):
        normalise_band("Grade X", {"Grade X": "Band 12"})


def test_band_series():
    frame = band_series(pl.Series(["Band 5", "8A", None, "Nonsense", "Band 5", "VSM"]))
    assert frame.columns == ["band", "band_rank", "band_recognised"]
    assert frame.rows() == [
        ("Band 5", 15, True),
        ("Band 8a", 18, True),
        ("Other", 0, False),
        ("Other", 0, False),
        ("Band 5", 15, True),
        ("VSM", 23, True),
    ]
