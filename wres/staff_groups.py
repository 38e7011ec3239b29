"""Staff groups and the clinical / non-clinical split (CONTRACT section 1, "Workforce rules").

The canonical names are the contract's (NHS Digital's staff groups, ``Admin and Clerical`` as the
contract writes it; ESR's ``Administrative and Clerical`` is an alias). Labels are matched with case,
spaces, punctuation and ``&``/``and`` ignored, through ESR's variants (its reports truncate
``Additional Professional Scientific and Technical`` to ``Add Prof Scientific and Technic``) and
the settings' ``[aliases.staff_group]``. An unrecognised staff group is a warning upstream; its
people count in ``all`` cells only (``workforce`` is None).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

import polars as pl

from wres.errors import ConfigError
from wres.values import map_distinct

NURSING_AND_MIDWIFERY = "Nursing and Midwifery Registered"
MEDICAL_AND_DENTAL = "Medical and Dental"
ALLIED_HEALTH = "Allied Health Professionals"
ADDITIONAL_CLINICAL = "Additional Clinical Services"
HEALTHCARE_SCIENTISTS = "Healthcare Scientists"
ADDITIONAL_PROFESSIONAL = "Additional Professional Scientific and Technical"
STUDENTS = "Students"
ADMIN_AND_CLERICAL = "Admin and Clerical"
ESTATES_AND_ANCILLARY = "Estates and Ancillary"

CLINICAL_GROUPS: tuple[str, ...] = (
    NURSING_AND_MIDWIFERY,
    MEDICAL_AND_DENTAL,
    ALLIED_HEALTH,
    ADDITIONAL_CLINICAL,
    HEALTHCARE_SCIENTISTS,
    ADDITIONAL_PROFESSIONAL,
    STUDENTS,
)
NON_CLINICAL_GROUPS: tuple[str, ...] = (ADMIN_AND_CLERICAL, ESTATES_AND_ANCILLARY)
STAFF_GROUPS: tuple[str, ...] = CLINICAL_GROUPS + NON_CLINICAL_GROUPS

Workforce = Literal["clinical", "non_clinical"]

# Spellings seen in ESR reports and elsewhere -> canonical name (besides the canonical names).
DEFAULT_STAFF_GROUP_ALIASES: dict[str, str] = {
    "Administrative and Clerical": ADMIN_AND_CLERICAL,
    "Administration and Clerical": ADMIN_AND_CLERICAL,
    "Add Prof Scientific and Technic": ADDITIONAL_PROFESSIONAL,
    "Add Prof Scientific and Technical": ADDITIONAL_PROFESSIONAL,
    "Additional Prof Scientific and Technical": ADDITIONAL_PROFESSIONAL,
    "Additional Prof Scientific and Technic": ADDITIONAL_PROFESSIONAL,
    "Additional Professional Scientific and Technic": ADDITIONAL_PROFESSIONAL,
    "Allied Health Professional": ALLIED_HEALTH,
    "Healthcare Scientist": HEALTHCARE_SCIENTISTS,
    "Student": STUDENTS,
    "Estates and Ancillary Staff": ESTATES_AND_ANCILLARY,
    "Registered Nursing and Midwifery": NURSING_AND_MIDWIFERY,
}


def staff_group_key(label: str) -> str:
    """The form in which staff-group labels are compared.

    >>> staff_group_key(" Nursing & Midwifery  Registered")
    'nursing and midwifery registered'
    """
    text = label.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


_BUILTIN: dict[str, str] = {
    **{staff_group_key(name): name for name in STAFF_GROUPS},
    **{staff_group_key(label): name for label, name in DEFAULT_STAFF_GROUP_ALIASES.items()},
}


def canonical_staff_group(label: str | None, aliases: Mapping[str, str] | None = None) -> str | None:
    """The canonical staff group of a label, or None when it is not recognised (or blank).

    >>> canonical_staff_group("Add Prof Scientific and Technic")
    'Additional Professional Scientific and Technical'

    ``aliases`` (settings) map further labels to a canonical name (compared the same way); one
    whose target is not a staff group is a ConfigError. They win over the built-in spellings.
    """
    if label is None or not str(label).strip():
        return None
    key = staff_group_key(str(label))
    if aliases:
        for alias, target in aliases.items():
            if staff_group_key(alias) == key:
                canonical = _BUILTIN.get(staff_group_key(target))
                if canonical is None:
                    raise ConfigError(
                        f"staff group alias {alias!r} = {target!r}: {target!r} is not a staff group "
                        f"(expected one of {', '.join(STAFF_GROUPS)})"
                    )
                return canonical
    return _BUILTIN.get(key)


def workforce(group: str | None) -> Workforce | None:
    """``clinical`` or ``non_clinical`` for a canonical staff group; None for anything else."""
    if group in CLINICAL_GROUPS:
        return "clinical"
    if group in NON_CLINICAL_GROUPS:
        return "non_clinical"
    return None


def staff_group_series(s: pl.Series, aliases: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Over a column: ``staff_group`` (canonical, else the label as given, stripped),
    ``staff_group_recognised`` (Boolean; False for blank) and ``workforce``."""

    def classify(label: str | None) -> dict[str, object]:
        canonical = canonical_staff_group(label, aliases)
        given = label.strip() or None if label is not None else None
        return {
            "staff_group": canonical if canonical is not None else given,
            "staff_group_recognised": canonical is not None,
            "workforce": workforce(canonical),
        }

    schema = {"staff_group": pl.String(), "staff_group_recognised": pl.Boolean(), "workforce": pl.String()}
    return map_distinct(s, classify, schema)
