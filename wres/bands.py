"""Pay band normalisation and order (CONTRACT section 1, "Workforce rules": Bands).

Agenda for Change labels (``Band 5``, ``AfC Band 5``, ``5``, ``Band 08a``, ESR's ``Band 8 - Range
A``), ``VSM`` and medical grades are normalised to one name each; anything else is ``Other``, which
is a warning that lists the labels upstream, never a rejection.

Ranks (higher = more senior; sorting by rank gives the contract's order, medical grades and
``Other`` below Band 1)::

    Other 0 < Medical: Trainee 1 < Medical: Career grade 2 < Medical: Consultant 3
    < Band 1 11 < Band 2 12 < ... < Band 7 17 < Band 8a 18 < Band 8b 19 < Band 8c 20 < Band 8d 21
    < Band 9 22 < VSM 23
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

import polars as pl

from wres.errors import ConfigError
from wres.values import map_distinct

OTHER = "Other"
MEDICAL_CONSULTANT = "Medical: Consultant"
MEDICAL_CAREER_GRADE = "Medical: Career grade"
MEDICAL_TRAINEE = "Medical: Trainee"

_AFC_BANDS = tuple(f"Band {n}" for n in range(1, 8)) + tuple(f"Band 8{x}" for x in "abcd") + ("Band 9",)

# Reporting order: the Agenda for Change bands, VSM, then medical grades, then Other.
BAND_ORDER: tuple[str, ...] = (
    *_AFC_BANDS,
    "VSM",
    MEDICAL_CONSULTANT,
    MEDICAL_CAREER_GRADE,
    MEDICAL_TRAINEE,
    OTHER,
)

BAND_RANK: dict[str, int] = {
    OTHER: 0,
    MEDICAL_TRAINEE: 1,
    MEDICAL_CAREER_GRADE: 2,
    MEDICAL_CONSULTANT: 3,
    **{band: 11 + i for i, band in enumerate(_AFC_BANDS)},
    "VSM": 23,
}


class NormalisedBand(NamedTuple):
    band: str
    rank: int
    recognised: bool


# "Agenda for Change", "AfC", "A4C", "Band" and ESR's "Review Body", in any combination, before the
# band itself ("Review Body Band 5" is how ESR names the Agenda for Change pay scales).
_AFC_PREFIX = re.compile(r"^(?:(?:agenda for change|afc|a4c|review body|pay band|band)[\s:\-]*)+")
# "5", "05", "8a", "08A", "8 - range a", "8 range a", "8-a", "8 a"
_AFC_BAND = re.compile(r"0?([1-9])(?:\s*(?:-\s*)?(?:range\s*)?([a-d]))?")

_VSM = frozenset({"vsm", "very senior manager", "very senior managers", "executive vsm"})

# Medical and dental grades: the whole label (less a parenthesised note such as "(StR)" and a
# "Medical" prefix) must be the grade, so that "Consultant Nurse" is not a medical consultant.
_MEDICAL_PREFIX = re.compile(r"^(?:medical and dental|medical & dental|medical|m&d)[\s:\-]*")
_CONSULTANT = re.compile(r"consultant")
_CAREER_GRADE = re.compile(r"specialty doctor|speciality doctor|associate specialist|specialist|staff grade")
_TRAINEE = re.compile(
    r"foundation year [12]|foundation (?:house officer|doctor) [12]|fy ?[12]|f[12]"
    r"|core training(?: year)?(?: [1-3])?|core trainee(?: [1-3])?|ct ?[1-3]"
    r"|specialty registrar|speciality registrar|specialty trainee|speciality trainee|st ?[1-8]"
    r"|specialist registrar|registrar"
)


def _key(label: str) -> str:
    text = label.lower().replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"[()\[\],.;/]", " ", text)
    return " ".join(text.split())


_CANONICAL = {name.lower(): name for name in BAND_ORDER if name != OTHER}


def _builtin_band(label: str) -> str | None:
    key = _key(label)
    if " ".join(label.lower().split()) in _CANONICAL:  # already normalised (idempotent)
        return _CANONICAL[" ".join(label.lower().split())]
    if key in _VSM:
        return "VSM"
    rest = _AFC_PREFIX.sub("", key).strip()
    if rest != key or re.fullmatch(r"0?[1-9][a-d]?", key):
        match = _AFC_BAND.fullmatch(rest)
        if match:
            number, letter = match.groups()
            if number == "8" and letter:
                return f"Band 8{letter}"
            if not letter and number != "8":
                return f"Band {number}"
        return None
    grade = _MEDICAL_PREFIX.sub("", " ".join(re.sub(r"\([^)]*\)", " ", label.lower()).split()))
    grade = _key(grade)
    for pattern, band in (
        (_CONSULTANT, MEDICAL_CONSULTANT),
        (_TRAINEE, MEDICAL_TRAINEE),  # before career grades: "Specialist Registrar" is a trainee
        (_CAREER_GRADE, MEDICAL_CAREER_GRADE),
    ):
        if pattern.fullmatch(grade):
            return band
    return None


def normalise_band(label: str | None, aliases: Mapping[str, str] | None = None) -> NormalisedBand:
    """The normalised band of a pay band label, its rank and whether it was recognised.

    >>> normalise_band("AfC Band 08a")
    NormalisedBand(band='Band 8a', rank=18, recognised=True)
    >>> normalise_band("Band 8 - Range B").band, normalise_band("ST3").band
    ('Band 8b', 'Medical: Trainee')
    >>> normalise_band("Band 8")
    NormalisedBand(band='Other', rank=0, recognised=False)

    ``Band 8`` alone (no range), ``Band 10``, ESR pay-scale codes such as ``XN05`` and Annex 21
    trainee scales (``AfC Band 6 (Annex 21)``) are not recognised: add them to
    ``[aliases.band]`` (label -> a name in ``BAND_ORDER``, or a label this function recognises).
    Blank is ``Other``, not recognised.
    """
    if label is None or not str(label).strip():
        return NormalisedBand(OTHER, BAND_RANK[OTHER], False)
    text = str(label).strip()
    if aliases:
        key = _key(text)
        for alias, target in aliases.items():
            if _key(alias) == key:
                band = target if target in BAND_RANK else _builtin_band(target)
                if band is None:
                    raise ConfigError(
                        f"band alias {alias!r} = {target!r}: {target!r} is not a band "
                        f"(expected one of {', '.join(BAND_ORDER)})"
                    )
                return NormalisedBand(band, BAND_RANK[band], True)
    band = _builtin_band(text)
    if band is None:
        return NormalisedBand(OTHER, BAND_RANK[OTHER], False)
    return NormalisedBand(band, BAND_RANK[band], True)


def band_series(s: pl.Series, aliases: Mapping[str, str] | None = None) -> pl.DataFrame:
    """``normalise_band`` over a column: ``band`` (String), ``band_rank`` (Int32), ``band_recognised``."""

    def classify(label: str | None) -> dict[str, object]:
        band, rank, recognised = normalise_band(label, aliases)
        return {"band": band, "band_rank": rank, "band_recognised": recognised}

    return map_distinct(
        s, classify, {"band": pl.String(), "band_rank": pl.Int32(), "band_recognised": pl.Boolean()}
    )
