"""Staff groups and clinical / non-clinical: expected, edge and erroneous cases."""

import polars as pl
import pytest

from wres.errors import ConfigError
from wres.staff_groups import STAFF_GROUPS, canonical_staff_group, staff_group_series, workforce


@pytest.mark.parametrize(
    ("label", "canonical", "expected_workforce"),
    [
        ("Nursing and Midwifery Registered", "Nursing and Midwifery Registered", "clinical"),
        ("Nursing & Midwifery Registered", "Nursing and Midwifery Registered", "clinical"),
        ("nursing and midwifery registered ", "Nursing and Midwifery Registered", "clinical"),
        ("Medical and Dental", "Medical and Dental", "clinical"),
        ("Medical & Dental", "Medical and Dental", "clinical"),
        ("Allied Health Professionals", "Allied Health Professionals", "clinical"),
        ("Additional Clinical Services", "Additional Clinical Services", "clinical"),
        ("Healthcare Scientists", "Healthcare Scientists", "clinical"),
        (
            "Additional Professional Scientific and Technical",
            "Additional Professional Scientific and Technical",
            "clinical",
        ),
        ("Add Prof Scientific and Technic", "Additional Professional Scientific and Technical", "clinical"),
        (
            "Additional Prof Scientific and Technical",
            "Additional Professional Scientific and Technical",
            "clinical",
        ),
        ("Add Prof Scientific & Technic", "Additional Professional Scientific and Technical", "clinical"),
        ("Students", "Students", "clinical"),
        ("Administrative and Clerical", "Admin and Clerical", "non_clinical"),
        ("Admin and Clerical", "Admin and Clerical", "non_clinical"),
        ("ADMIN & CLERICAL", "Admin and Clerical", "non_clinical"),
        ("Administrative-and-Clerical", "Admin and Clerical", "non_clinical"),
        ("Estates and Ancillary", "Estates and Ancillary", "non_clinical"),
        ("Estates & Ancillary", "Estates and Ancillary", "non_clinical"),
    ],
)
def test_recognised_staff_groups(label, canonical, expected_workforce):
    assert canonical_staff_group(label) == canonical
    assert workforce(canonical) == expected_workforce


@pytest.mark.parametrize(
    "label", ["Nursing", "Doctors", "Admin", "Bank Staff", "Clerical and Admin", "", "  ", None]
)
def test_unrecognised_staff_groups(label):
    assert canonical_staff_group(label) is None


@pytest.mark.parametrize("group", [None, "Nursing", "admin and clerical"])
def test_workforce_only_for_canonical_names(group):
    assert workforce(group) is None


def test_seven_clinical_and_two_non_clinical_groups():
    assert [workforce(g) for g in STAFF_GROUPS].count("clinical") == 7
    assert [workforce(g) for g in STAFF_GROUPS].count("non_clinical") == 2


def test_aliases():
    aliases = {"Nurses": "Nursing and Midwifery Registered", "Porters": "estates & ancillary"}
    assert canonical_staff_group("NURSES", aliases) == "Nursing and Midwifery Registered"
    assert canonical_staff_group("Porters", aliases) == "Estates and Ancillary"
    assert canonical_staff_group("Nurses") is None


def test_alias_to_an_unknown_group_is_a_config_error():
    with pytest.raises(ConfigError):
        canonical_staff_group("Nurses", {"Nurses": "Nursing"})


def test_staff_group_series_keeps_unrecognised_labels_as_given():
    frame = staff_group_series(
        pl.Series(["Administrative and Clerical", " Wizards ", None, "Medical & Dental"])
    )
    assert frame.columns == ["staff_group", "staff_group_recognised", "workforce"]
    assert frame.rows() == [
        ("Admin and Clerical", True, "non_clinical"),  # the contract's name for ESR's label
        ("Wizards", False, None),
        (None, False, None),
        ("Medical and Dental", True, "clinical"),
    ]
