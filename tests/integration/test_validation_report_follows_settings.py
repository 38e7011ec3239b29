"""The published validation report describes the files under the settings that decided their
status: a failure that a later alias or severity setting fixed is not shown beside the file's load.

One staff file whose ethnicity header is ``Ethnic Category`` (no built-in alias), two people in an
unknown staff group ``A&C Staff`` and one on an unknown band ``Band 3 (Annex 21)``:

1. no settings: rejected (required column ethnic_origin missing);
2. a header alias: loaded, with the two label warnings and not the old critical failure;
3. staff-group and band aliases too: loaded, with no failures listed at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_wres

pytestmark = pytest.mark.integration

STAFF = """\
organisation_code,employee_id,assignment_id,staff_group,job_role,area_of_work,pay_band,Ethnic Category
RXX,1001,1001-1,Nursing and Midwifery Registered,Midwife,Maternity Services,Band 6,A
RXX,1002,1002-1,Nursing and Midwifery Registered,Midwife,Maternity Services,Band 5,N
RXX,1003,1003-1,A&C Staff,Clerk,Finance,Band 3 (Annex 21),H
RXX,1004,1004-1,A&C Staff,Clerk,Finance,Band 4,A
RXX,1005,1005-1,Nursing and Midwifery Registered,Staff Nurse,Ward 1,Band 5,A
RXX,1006,1006-1,Nursing and Midwifery Registered,Staff Nurse,Ward 1,Band 5,C
"""
HEADER_ALIAS = '[aliases.headers]\n"Ethnic Category" = "ethnic_origin"\n'
LABEL_ALIASES = (
    '[aliases.staff_group]\n"A&C Staff" = "Administrative and Clerical"\n'
    '[aliases.band]\n"Band 3 (Annex 21)" = "Band 3"\n'
)


def _run(folder: Path, settings: str, prefect_api: str) -> tuple[int, str]:
    (folder / "wres.toml").write_text(settings, encoding="utf-8")
    result = run_wres(
        ["run", "--inbox", "inbox", "--config", "wres.toml"], cwd=folder, prefect_api=prefect_api
    )
    report = folder / "data/outputs/latest/validation_report.txt"
    return result.returncode, report.read_text(encoding="utf-8") if report.exists() else ""


def test_a_fixed_failure_leaves_the_validation_report(tmp_path, prefect_server):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox/staff_in_post_2025-03-31.csv").write_text(STAFF, encoding="utf-8")

    code, _ = _run(tmp_path, "", prefect_server)
    assert code == 1

    code, report = _run(tmp_path, HEADER_ALIAS, prefect_server)
    assert code == 0
    assert "staff_in_post_2025-03-31.csv: loaded with warnings" in report
    assert "A&C Staff" in report and "Band 3 (Annex 21)" in report
    assert "[critical]" not in report and "ethnic_origin" not in report

    code, report = _run(tmp_path, HEADER_ALIAS + LABEL_ALIASES, prefect_server)
    assert code == 0
    assert "staff_in_post_2025-03-31.csv: loaded\n" in report
    assert "A&C Staff" not in report and "Band 3 (Annex 21)" not in report
