"""Maternity and neonatal scope and role groups: expected, edge and erroneous cases."""

import polars as pl
import pytest

from wres.maternity import (
    ROLE_GROUPS,
    in_maternity_scope,
    role_group,
    scope_frame,
    survey_staff_group,
    survey_staff_group_series,
)

NMR = "Nursing and Midwifery Registered"
MAD = "Medical and Dental"
ACS = "Additional Clinical Services"
AHP = "Allied Health Professionals"


@pytest.mark.parametrize(
    ("area", "role", "expected"),
    [
        ("Maternity Services", "Staff Nurse", True),
        ("MATERNITY", None, True),
        ("Ward 12", "Midwife", True),
        ("Ward 12", "Community Midwifery Sister", True),
        ("Obstetrics and Gynaecology", "Consultant", True),
        ("Neonatal Intensive Care Unit", "Nurse", True),
        ("Labour Ward", "Healthcare Assistant", True),
        ("Riverside Birth Centre", "Receptionist", True),
        # spaces as exports leave them: non-breaking, doubled, a tab
        ("Labour\u00a0Ward", "Healthcare Assistant", True),
        ("Labour  Ward", "Healthcare Assistant", True),
        ("Riverside Birth\tCentre", "Receptionist", True),
        (None, "Neonatologist", True),
        ("General Surgery", "Staff Nurse", False),
        ("Labour relations", "HR Officer", False),  # "labour ward" is one term
        ("Birthing pool", "Porter", False),  # "birth centre" is one term
        ("Children's Ward", "Paediatric Nurse", False),
        (None, None, False),
        ("", "", False),
    ],
)
def test_in_maternity_scope(area, role, expected):
    assert in_maternity_scope(area, role) is expected


def test_scope_terms_are_configurable():
    assert in_maternity_scope("Gynaecology", "Nurse", terms=("gynae",)) is True
    assert in_maternity_scope("Maternity", "Nurse", terms=("gynae",)) is False
    assert in_maternity_scope("GYNAECOLOGY", "Nurse", terms=("Gynae",)) is True


@pytest.mark.parametrize(
    ("staff_group", "role", "area", "expected"),
    [
        (NMR, "Midwife", "Maternity", "midwives"),
        (ACS, "Midwifery Support Worker", "Maternity", "midwives"),  # the job role decides first
        (MAD, "Midwife", "Maternity", "midwives"),
        (NMR, "Staff Nurse", "Neonatal Unit", "neonatal_nursing"),
        (NMR, "Neonatal Nurse", "Ward 3", "neonatal_nursing"),
        (NMR, "Staff Nurse", "Maternity", "other"),  # a nurse in maternity but not neonatal
        ("Nursing & Midwifery Registered", "Sister", "NICU Neonatal", "neonatal_nursing"),
        (MAD, "Consultant", "Obstetrics", "obstetric_medical"),
        (MAD, "Registrar", "Neonatal Unit", "obstetric_medical"),  # neonatal, but not nursing
        (ACS, "Maternity Support Worker", "Maternity", "support_workers"),
        (ACS, "Healthcare Assistant", "Neonatal Unit", "support_workers"),
        (AHP, "Physiotherapist", "Maternity", "other"),
        ("Administrative and Clerical", "Ward Clerk", "Maternity", "other"),
        (None, "Ward Clerk", "Maternity", "other"),
        ("Wizards", "Staff Nurse", "Neonatal Unit", "other"),
    ],
)
def test_role_group(staff_group, role, area, expected):
    assert role_group(staff_group, role, area) == expected


def test_role_groups_constant():
    assert ROLE_GROUPS == ("midwives", "neonatal_nursing", "obstetric_medical", "support_workers", "other")


@pytest.mark.parametrize(
    ("occupation", "expected"),
    [
        ("Registered Nurses and Midwives", NMR),
        ("Midwives", NMR),
        ("Midwife", NMR),
        ("Nursing or Healthcare Assistants", ACS),
        ("Medical / Dental - Consultant", MAD),
        ("Medical / Dental - In Training", MAD),
        ("Medical/Dental - Other", MAD),
        ("Allied Health Professionals", AHP),
        ("Admin and Clerical", "Admin and Clerical"),
        ("Maintenance / Ancillary", "Estates and Ancillary"),
        ("Wider healthcare team", None),
        ("Scientific and Technical / Healthcare Scientists", None),
        ("General Management", None),
        ("Midwifery", None),  # not an occupation group
        ("", None),
        (None, None),
    ],
)
def test_survey_staff_group(occupation, expected):
    assert survey_staff_group(occupation) == expected


def test_scope_frame_row_by_row():
    area = pl.Series(["Maternity", "Surgery", "Neonatal Unit", None, "Maternity"])
    role = pl.Series(["Midwife", "Staff Nurse", "Staff Nurse", "Obstetric Registrar", "Midwife"])
    group = pl.Series([NMR, NMR, NMR, MAD, NMR])
    frame = scope_frame(area, role, group)
    assert frame.columns == ["in_maternity_scope", "role_group"]
    assert frame.rows() == [
        (True, "midwives"),
        (False, None),
        (True, "neonatal_nursing"),
        (True, "obstetric_medical"),
        (True, "midwives"),
    ]


def test_scope_frame_with_custom_terms_and_null_columns():
    area = pl.Series(["Gynaecology", "Maternity"])
    role = pl.Series([None, None], dtype=pl.String)
    group = pl.Series([None, None])  # dtype Null: a survey file whose occupation maps to nothing
    frame = scope_frame(area, role, group, terms=["gynae"])
    assert frame.rows() == [(True, "other"), (False, None)]


def test_scope_frame_survey_rows():
    occupation = pl.Series(["Medical / Dental - In Training", "Registered Nurses and Midwives"])
    work_area = pl.Series(["Obstetrics", "Neonatal"])
    groups = survey_staff_group_series(occupation)
    assert groups.to_list() == [MAD, NMR]
    frame = scope_frame(work_area, occupation, groups)
    # the nursing occupation group's label contains "midwi", so the first rule decides
    assert frame["role_group"].to_list() == ["obstetric_medical", "midwives"]


def test_survey_occupation_group_naming_midwives_puts_every_registered_nurse_in_scope():
    # The contract's scope reads the survey's occupation group; the national group label
    # "Registered Nurses and Midwives" contains "midwi", so nurses outside maternity are in scope.
    assert in_maternity_scope("General Surgery", "Registered Nurses and Midwives") is True
